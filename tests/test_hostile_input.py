"""Hostile input never answers 500. The routes are WALKED from the app's url_map (not listed by
hand), signed in as an admin who is also a technician and an approver, with real objects behind
every id, so each request gets past its permission checks to the code that reads the input:

- ids beyond the database's integer range in every ``<int:…>`` route: the 404 of a missing object;
- a NUL byte (PostgreSQL refuses it in text) in every path segment, query value and form value: 4xx;
- a JSON body posted to every POST endpoint: 415;
- huge numbers in every numeric form value, and every form with one field left out: never 500.

Then what a walk cannot reach: ``?page=`` and ``?draft=`` beyond range, the anonymous sign-in,
a 100,000-character requester search, the rule form without its message.

Forms are found by parsing the pages themselves (their ``action`` or ``hx-post``), so a new form
is walked as soon as a page shows it. The ranges and the NUL byte only break on PostgreSQL, so
run this file on both databases.
"""
import io
import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
from flask import request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.routing import IntegerConverter

from app.extensions import db
from app.http_input import MAX_ID, accepts_json
from app.models import (ApprovalPolicy, ApprovalStepDef, CatalogItem, FieldType, FormField, Role,
                        RuleKind, StepMode, TicketType, ValidationRule)
from app.services import approvals, catalog, tickets, users, validation_rules
from app.services.attachments import attach_files

HUGE = (2**31, 2**63, 10**30)
# Digits str.isdigit() takes and int() refuses; more digits than int() parses at all.
ODD_NUMBERS = ("\u00b2", "9" * 5000)
NUL = "\x00"
# Query arguments that views read by hand, beside the ones of the GET forms a page shows.
HAND_READ_ARGS = ("q", "since", "next", "tab", "page", "draft", "field")


@pytest.fixture
def world(app, make_user, make_team, make_category, make_ticket, login):
    """An admin (technician and approver too) with one of everything a route can name."""
    team = make_team("Service Desk")
    admin = make_user("ada", roles=[Role.ADMIN, Role.AGENT, Role.APPROVER], teams=[team])
    ann = make_user("ann", department="Finance")
    category = make_category("Hardware", team=team)
    ticket = make_ticket(ann, category)
    [attachment] = attach_files(ticket, ann, [FileStorage(io.BytesIO(b"boot log"), "boot.txt", content_type="text/plain")])
    policy = ApprovalPolicy(name="Ada approves", steps=[ApprovalStepDef(
        position=1, name="Ada", mode=StepMode.ANY, approvers=json.dumps([{"kind": "user", "user_id": admin.id}]))])
    item = CatalogItem(name="Monitor", category=category, approval_policy=policy, fields=[
        FormField(key="model", label="Model", field_type=FieldType.TEXT, required=True, position=1)])
    db.session.add(item)
    db.session.flush()
    asked = catalog.save_catalog_draft(ann, item, {"model": "27 inch"}, {})
    tickets.submit_ticket(asked, ann)
    rule = validation_rules.save_rule(None, validation_rules.RuleInput(
        name="Laptops need a model", kind=RuleKind.REQUIRE, message="Say which model.",
        ticket_type=TicketType.SERVICE_REQUEST, required_fields=["answers.model"]))
    catalog_draft = catalog.save_catalog_draft(admin, item, {"model": "24 inch"}, {})
    draft = tickets.save_draft(admin, tickets.TicketInput(
        ticket_type=TicketType.INCIDENT, title="Half written", description="", category_id=category.id,
        impact=None, urgency=None, contact_phone=None))
    db.session.commit()
    values = dict(number=ticket.number, item_id=item.id, field_id=item.fields[0].id, rule_id=rule.id,
                  policy_id=policy.id, user_id=admin.id, team_id=team.id, category_id=category.id,
                  draft_id=draft.id, attachment_id=attachment.id,
                  step_id=approvals.ticket_steps(asked)[0].id, filename="css/app.css")
    overrides = {"catalog.draft_edit": {"draft_id": catalog_draft.id}}
    return SimpleNamespace(admin=admin, values=values, overrides=overrides,
                           sign_in=lambda: login(admin))


def _rules(app, methods=("GET", "POST")):
    return [r for r in app.url_map.iter_rules() if set(methods) & r.methods]


def _url(world, rule, **replace) -> str:
    """The rule's URL with real values; an id the world has no object for is 1 (a missing
    object still walks the int converter), any other unknown argument stops the walk."""
    values = {**world.values, **world.overrides.get(rule.endpoint, {}), **replace}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values.setdefault(name, 1)
        assert name in values, f"give the walk a real value for <{name}> of {rule.rule}"
    return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


def _send(client, world, method: str, url: str, **kwargs):
    world.sign_in()  # again before each request: a walked post may have signed us out
    return client.open(url, method=method, **kwargs)


def _methods(rule):
    return sorted(rule.methods & {"GET", "POST"})


class _Forms(HTMLParser):
    """The forms of a page as a browser would send them by their default button: method,
    target, {name: [values]}, and which names are numeric and which are choices."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            method = "post" if "hx-post" in a else a.get("method", "get").lower()
            target = a.get("hx-post") or a.get("hx-get") or a.get("action") or ""
            self._form = SimpleNamespace(method=method, target=target, fields={}, numeric=set(), choices=set(),
                                         buttons=[])
            self.forms.append(self._form)
        elif self._form is not None and (tag == "button" or a.get("type") == "submit"):
            self._form.buttons.append((a.get("name"), a.get("value") or ""))
        elif self._form is not None and a.get("name"):
            self._field(tag, a)
        elif tag == "option" and self._select:
            self._option(a)

    def _field(self, tag, a):
        name, value = a["name"], a.get("value") or ""
        fields = self._form.fields
        if tag == "select":
            self._select = name
            fields.setdefault(name, [])
            self._form.choices.add(name)
        elif tag == "textarea":
            self._textarea = name
            fields[name] = [""]
        elif a.get("type") == "radio":
            fields.setdefault(name, [value])
            self._form.choices.add(name)
        elif a.get("type") == "checkbox":
            fields.setdefault(name, [])
            if "checked" in a:
                fields[name].append(value)
        elif a.get("type") != "file":
            fields[name] = [value]
        if value.isdigit():
            self._form.numeric.add(name)

    def _option(self, a):
        value = a.get("value") or ""
        current = self._form.fields[self._select]
        if "selected" in a or not current:
            current[:] = [value]
        if value.isdigit():
            self._form.numeric.add(self._select)

    @staticmethod
    def _press_default_button(form):
        """A plain submit button is the default; else the first of the named ones (a status
        move, a direction) is pressed."""
        if form.buttons and all(name for name, _ in form.buttons):
            name, value = form.buttons[0]
            form.fields[name] = [value]
            form.choices.add(name)

    def handle_data(self, data):
        if self._textarea:
            self._form.fields[self._textarea] = [data]

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self._press_default_button(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _pages(app, client, world) -> dict[str, str]:
    """Every GET page with real values (and htmx-free), by URL."""
    pages = {}
    for rule in _rules(app, methods=("GET",)):
        if rule.endpoint == "static":
            continue
        url = _url(world, rule)
        response = _send(client, world, "GET", url)
        assert response.status_code < 500, url
        pages[url] = response.get_data(as_text=True)
    return pages


def _forms(app, client, world):
    """Every form the pages show, once per (method, path, field names)."""
    seen = {}
    for url, html in _pages(app, client, world).items():
        parser = _Forms()
        parser.feed(html)
        for form in parser.forms:
            form.target = form.target or url
            key = (form.method, urlsplit(form.target).path, tuple(sorted(form.fields)))
            seen.setdefault(key, form)
    return list(seen.values())


def _problems(results) -> list[str]:
    return [f"{method} {url!r} {note} -> {status}" for method, url, note, status, ok in results if not ok]


# --- The walks ----------------------------------------------------------------------------------

def test_ids_beyond_the_database_range_are_missing_objects(app, client, world):
    results = []
    for rule in _rules(app):
        int_args = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        for arg in int_args:
            for huge in HUGE:
                url = _url(world, rule, **{arg: huge})
                for method in _methods(rule):
                    status = _send(client, world, method, url).status_code
                    results.append((method, url, arg, status, status == 404))
    assert len({r[1] for r in results}) >= len(HUGE) * 23  # each int route, each huge value
    assert not _problems(results)


def test_a_nul_byte_in_any_path_segment_is_refused(app, client, world):
    results = []
    for rule in _rules(app):
        segments = _url(world, rule).split("/")
        for i, segment in enumerate(segments):
            if not segment:
                continue
            url = "/".join(segments[:i] + [segment[:3] + quote(NUL) + segment[3:]] + segments[i + 1:])
            for method in _methods(rule):
                status = _send(client, world, method, url).status_code
                results.append((method, url, "", status, 400 <= status < 500))
    assert not _problems(results)


def test_a_nul_byte_in_any_query_value_is_refused(app, client, world):
    forms = _forms(app, client, world)
    results = []
    for rule in _rules(app):
        url = _url(world, rule)
        names = set(HAND_READ_ARGS) | {n for f in forms if f.method == "get" and urlsplit(f.target).path == url
                                       for n in f.fields}
        for name in sorted(names):
            for method in _methods(rule):
                status = _send(client, world, method, url, query_string={name: f"ab{NUL}c"}).status_code
                results.append((method, url, name, status, 400 <= status < 500))
    assert not _problems(results)


def test_a_nul_byte_in_any_form_value_is_refused(app, client, world):
    results = []
    posts = [f for f in _forms(app, client, world) if f.method == "post"]
    assert {urlsplit(f.target).path for f in posts} >= {"/login", "/logout", "/new", "/agent/new",
                                                         f"/tickets/{world.values['number']}/reply"}
    for form in posts:
        for name in form.fields:
            data = {**form.fields, name: [f"ab{NUL}c"]}
            status = _send(client, world, "POST", form.target, data=data).status_code
            results.append(("POST", form.target, name, status, 400 <= status < 500))
    assert len(results) > 100
    assert not _problems(results)


def test_a_form_posted_without_one_of_its_fields_never_fails(app, client, world):
    """What a hand-made post leaves out: a field error or the saved value, never a 500."""
    results = []
    for form in (f for f in _forms(app, client, world) if f.method == "post"):
        for name in form.fields:
            data = {key: value for key, value in form.fields.items() if key != name}
            status = _send(client, world, "POST", form.target, data=data).status_code
            results.append(("POST", form.target, f"without {name}", status, status < 500))
    assert not _problems(results)


def test_huge_numbers_in_form_values_are_refused(app, client, world):
    """A choice field (select, radio) refuses a value it did not offer; other numbers (a version,
    a position, a picked requester) must at least never break the page."""
    results = []
    for form in (f for f in _forms(app, client, world) if f.method == "post"):
        for name in sorted(form.numeric):
            for huge in (*HUGE, *ODD_NUMBERS):
                status = _send(client, world, "POST", form.target,
                               data={**form.fields, name: [str(huge)]}).status_code
                ok = 400 <= status < 500 if name in form.choices else status < 500
                results.append(("POST", form.target, f"{name}={huge}", status, ok))
    assert {r[2].split("=")[0] for r in results} >= {"manager_id", "team_id", "category_id", "user_id",
                                                      "escalation_team_id", "steps-0-users"}
    assert not _problems(results)


def test_an_id_beyond_range_is_the_choice_fields_own_error(client, world):
    for huge in HUGE:
        response = _send(client, world, "POST", "/admin/users/new", data={
            "name": "Bo", "email": "bo@example.com", "roles": "employee", "manager_id": str(huge)})
        assert response.status_code == 422
        assert re.search(r'id="manager_id-err">Choose one from the list', response.get_data(as_text=True))
        response = _send(client, world, "POST", "/agent/new",
                         data={"channel": "phone", "title": "Printer", "requester_id": str(huge)})
        assert response.status_code == 422
        assert "Find the requester by name or email" in response.get_data(as_text=True)


def test_a_json_body_to_a_form_endpoint_is_415(app, client, world):
    results = []
    for rule in _rules(app, methods=("POST",)):
        url = _url(world, rule)
        response = _send(client, world, "POST", url, json={"title": "x", "message": None})
        results.append(("POST", url, "json", response.status_code, response.status_code == 415))
    assert not _problems(results)
    response = _send(client, world, "POST", "/new", json={}, headers={"Accept": "application/json"})
    assert "takes HTML form posts" in response.get_json()["error"]


def test_a_view_marked_accepts_json_takes_json(app, client, world, monkeypatch):
    """The way in for the monitoring webhooks to come: a marked view gets its JSON (here in
    place of a form view, as routes cannot be added to an app that has served requests)."""
    monkeypatch.setitem(app.view_functions, "portal.ticket_new", accepts_json(lambda: {"got": request.get_json()}))
    response = _send(client, world, "POST", "/new", json={"fingerprint": "abc"})
    assert response.status_code == 200 and response.get_json() == {"got": {"fingerprint": "abc"}}


# --- The cases the walk cannot reach --------------------------------------------------------------

def test_a_page_beyond_range_is_a_clear_400(client, world):
    for value in (str(MAX_ID + 1), str(2**63), "9" * 40, "-1", "abc"):
        for url in ("/my", "/admin/users"):
            response = _send(client, world, "GET", url, query_string={"page": value})
            assert response.status_code == 400, (url, value)
            assert "?page= must be a whole number" in response.get_data(as_text=True)


def test_a_huge_page_of_the_queue_is_ignored(client, world):
    assert _send(client, world, "GET", "/agent/", query_string={"page": str(2**63)}).status_code == 200


def test_anonymous_sign_in_with_a_nul_byte_is_400(client, world):
    for data in ({"email": f"ada{NUL}@example.com", "password": "correct horse battery"},
                 {"email": "ada@example.com", "password": f"correct{NUL}horse"}):
        response = client.post("/login", data=data)
        assert response.status_code == 400
        assert "NUL" in response.get_data(as_text=True)


def test_a_refusal_answers_each_caller_in_its_format(client, world):
    """Through the app's error handlers: a page, an htmx fragment, or JSON."""
    def search(**headers):
        return _send(client, world, "GET", "/agent/users/search", query_string={"q": f"a{NUL}"}, headers=headers)

    page, fragment, data = search(), search(**{"HX-Request": "true"}), search(Accept="application/json")
    assert {page.status_code, fragment.status_code, data.status_code} == {400}
    assert "<html" in page.get_data(as_text=True) and "NUL character" in page.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True) and "NUL character" in fragment.get_data(as_text=True)
    assert "NUL character" in data.get_json()["error"]


def test_a_very_long_requester_search_finds_nobody_without_failing(client, world):
    """SQLite refuses a LIKE pattern this long: the query string is capped, the search text cut."""
    long = "ann" + "a" * 100_000
    response = _send(client, world, "GET", "/agent/users/search", query_string={"q": long})
    assert response.status_code == 414 and "too long" in response.get_data(as_text=True)
    response = _send(client, world, "POST", "/agent/new", data={"q": long, "title": "Printer"})
    assert response.status_code == 422
    assert users.search_users(long) == []


def test_a_rule_posted_without_its_message_is_a_field_error(client, world):
    data = {"name": "No message", "ticket_type": "", "kind": "require", "required_answers": "answers.model"}
    response = _send(client, world, "POST", "/admin/rules/new", data=data)
    assert response.status_code == 422
    assert re.search(r'id="message-err">Write the message people see', response.get_data(as_text=True))
    # Editing, a field left out keeps what is saved (as WTForms does for every field).
    response = _send(client, world, "POST", f"/admin/rules/{world.values['rule_id']}", data=data)
    assert response.status_code == 303
    assert db.session.get(ValidationRule, world.values["rule_id"]).message == "Say which model."
