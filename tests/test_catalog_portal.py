"""The catalog for employees: browse and search, an item's page and form, the conditional-fields
refresh, drafts, submission (with and without approval), bad input of every kind, the people
suggestions and the answers on the ticket pages."""
import io
import json
import re

import pytest
from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import (
    ApprovalPolicy, ApprovalStepDef, Attachment, CatalogItem, FieldType, FormField, Role, RuleKind,
    Status, StepState, Ticket, ValidationRule,
)
from app.services import approvals, tickets

T = FieldType
HTMX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def ann(make_user, login):
    return login(make_user("ann"))


@pytest.fixture
def hardware(make_category):
    return make_category("Hardware")


def _field(key, label, kind, position, **extra):
    if "choices" in extra:
        extra["choices"] = json.dumps(extra["choices"])
    return FormField(key=key, label=label, field_type=kind, position=position, **extra)


@pytest.fixture
def make_item(hardware):
    def make(name="New laptop", fields=(), category=None, **extra) -> CatalogItem:
        values = dict(summary=f"{name} summary", delivery_days=5, description=f"About {name}.")
        values.update(extra)
        item = CatalogItem(name=name, category=category or hardware, **values)
        item.fields = list(fields)
        db.session.add(item)
        db.session.commit()
        return item

    return make


@pytest.fixture
def laptop(make_item):
    """An item with every field type and a conditional, required justification."""
    return make_item(description="**Standard** laptops ship in a week.", fields=[
        _field("model", "Model", T.CHOICE, 1, required=True, choices=["Standard", "Power"]),
        _field("why", "Justification", T.LONG_TEXT, 2, required=True, show_if_key="model",
               show_if_value="Power", help="Why the standard model will not do."),
        _field("ram", "Memory (GB)", T.NUMBER, 3, min_value=8, max_value=64),
        _field("start", "Needed by", T.DATE, 4),
        _field("apps", "Software", T.MULTI_CHOICE, 5, choices=["Office", "Visio"]),
        _field("dock", "Docking station", T.CHECKBOX, 6),
        _field("site", "Office", T.CHOICE, 7, choices=[f"Site {i}" for i in range(8)]),
        _field("asset", "Old asset tag", T.TEXT, 8, pattern=r"[A-Z]{2}\d{4}", pattern_message="Like AB1234."),
        _field("manager", "Your manager", T.USER, 9),
        _field("photo", "Photo of the old one", T.FILE, 10),
    ])


def switch_to(login, user):
    """Sign in as someone else mid-test: requests share the test's app context, where
    Flask-Login caches the user of the first request."""
    g.pop("_login_user", None)
    return login(user)


def condition(html: str, name: str) -> str:
    """Whether the marker in front of a conditional field says its condition holds."""
    marker = re.search(rf'<span id="{name}-condition" class="item-condition( unmet)?"', html)
    return "unmet" if marker.group(1) else "met"


def answers(**values):
    data = {"q_model": "Standard", "action": "submit"}
    data.update({k if k in ("action", "notes", "version") else f"q_{k}": v for k, v in values.items()})
    return data


def only_catalog_ticket() -> Ticket:
    db.session.expire_all()
    return db.session.scalars(select(Ticket).where(Ticket.catalog_item_id.is_not(None))).one()


# --- Browse and search --------------------------------------------------------------------------

def test_catalog_lists_offered_items_by_category(client, ann, make_item, make_category, laptop):
    make_item("VPN access", category=make_category("Network"), delivery_days=1)
    make_item("Old pager", active=False)
    retired = make_category("Retired")
    retired.active = False
    make_item("Fax line", category=retired)
    page = client.get("/catalog/").get_data(as_text=True)
    assert "New laptop" in page and "VPN access" in page and "Hardware" in page and "Network" in page
    assert "Old pager" not in page and "Fax line" not in page
    assert "5 business days" in page and "1 business day<" in page
    assert "Approval needed" not in page
    assert 'href="/catalog/"' in page  # the nav link


def test_approval_tag_on_cards(client, ann, make_item):
    make_item("Admin rights", approval_policy=ApprovalPolicy(name="Manager", steps=[
        ApprovalStepDef(position=1, name="Manager", approvers='[{"kind": "manager"}]')]))
    assert "Approval needed" in client.get("/catalog/").get_data(as_text=True)


def test_empty_catalog(client, ann):
    assert "The catalog is empty" in client.get("/catalog/").get_data(as_text=True)


def test_search_matches_every_word_anywhere(client, ann, make_item, make_category, laptop):
    make_item("VPN access", category=make_category("Network"), keywords="remote home")
    make_item("Shared drive", summary="Access to a team folder")
    def found(q):
        page = client.get("/catalog/", query_string={"q": q}).get_data(as_text=True)
        return sorted(n for n in ("New laptop", "VPN access", "Shared drive") if n in page)

    assert found("remote") == ["VPN access"]  # keywords
    assert found("network") == ["VPN access"]  # category
    assert found("ACCESS") == ["Shared drive", "VPN access"]
    assert found("access folder") == ["Shared drive"]
    assert found("standard") == ["New laptop"]  # description
    assert found("100%") == [] and found("_") == []


def test_search_without_match_and_html_escaped(client, ann, laptop):
    page = client.get("/catalog/", query_string={"q": "<script>alert(1)</script>"}).get_data(as_text=True)
    assert "Nothing matches" in page and "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_search_htmx_returns_the_results_alone(client, ann, laptop):
    response = client.get("/catalog/?q=laptop", headers=HTMX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="catalog-results"') and "<html" not in html
    assert "New laptop" in html
    page = client.get("/catalog/").get_data(as_text=True)
    assert 'hx-push-url="true"' in page and 'hx-target="#catalog-results"' in page


# --- Item page and conditional fields -----------------------------------------------------------

def test_item_page_renders_every_field_type(client, ann, laptop):
    page = client.get(f"/catalog/{laptop.id}").get_data(as_text=True)
    assert "<strong>Standard</strong>" in page  # description as Markdown
    assert "5 business days" in page and "Not needed" in page
    assert 'id="item-form-fields"' in page
    assert 'type="radio" name="q_model"' in page  # a short choice: radios
    assert '<select id="q_site" name="q_site"' in page  # a long one: a select
    assert '<textarea id="q_why"' in page and 'type="number"' in page and 'min="8"' in page
    assert 'type="date" id="q_start"' in page and 'type="checkbox" name="q_apps"' in page
    assert 'type="checkbox" name="q_dock"' in page and 'type="email" id="q_manager"' in page
    assert 'type="file" multiple id="q_photo"' in page and 'enctype="multipart/form-data"' in page
    assert condition(page, "q_why") == "unmet"  # conditional: hidden until model is Power
    assert re.search(r'<span id="q_why-condition"[^>]*></span>\s*<div class="field item-field">\s*'
                     r'<label class="label" for="q_why"', page)  # the marker right before its field
    # Only the field a condition reads asks for a refresh, and never sends the files.
    refresh = re.findall(r'<(\w+) class="field item-field"([^>]*hx-post="[^"]*"[^>]*)>\s*<legend class="label">(\w+)', page)
    assert [(tag, label) for tag, _, label in refresh] == [("fieldset", "Model")]
    attrs = refresh[0][1]
    assert f'hx-post="/catalog/{laptop.id}/fields"' in attrs and 'hx-trigger="change"' in attrs
    assert 'hx-swap="none"' in attrs and 'hx-params="not q_photo"' in attrs
    fields = page[page.index('id="item-form-fields"'):page.index('name="notes"')]
    assert fields.count("hx-post=") == 1
    assert 'name="action" value="submit"' in page and 'name="action" value="draft"' in page


def test_conditional_refresh_answers_with_the_markers_alone(client, ann, laptop):
    """The refresh swaps no input: only each conditional field's marker comes back, out of band
    by its id, saying whether its condition holds for the answers posted."""
    url = f"/catalog/{laptop.id}/fields"
    shown = client.post(url, data={"q_model": "Power", "q_why": "CAD"}, headers=HTMX).get_data(as_text=True)
    assert shown.strip() == '<span id="q_why-condition" class="item-condition" hidden hx-swap-oob="true"></span>'
    hidden = client.post(url, data={"q_model": "Standard", "q_why": "CAD"}, headers=HTMX).get_data(as_text=True)
    assert hidden.strip() == ('<span id="q_why-condition" class="item-condition unmet" hidden '
                              'hx-swap-oob="true"></span>')
    assert "CAD" not in hidden and "<html" not in hidden


def test_refresh_needs_csrf(app, client, ann, laptop):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/catalog/{laptop.id}/fields", data={"q_model": "Power"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400


def test_inactive_item_is_404_for_employees_but_refreshes_for_admins(client, login, make_user, laptop):
    laptop.active = False
    db.session.commit()
    switch_to(login, make_user("emp"))
    assert client.get(f"/catalog/{laptop.id}").status_code == 404
    assert client.post(f"/catalog/{laptop.id}", data=answers()).status_code == 404
    assert client.post(f"/catalog/{laptop.id}/fields", data={}).status_code == 404
    assert client.get("/catalog/999").status_code == 404
    switch_to(login, make_user("boss", roles=[Role.ADMIN]))
    assert client.post(f"/catalog/{laptop.id}/fields", data={"q_model": "Power"}).status_code == 200


def test_people_suggestions(client, ann, make_user):
    make_user("bob builder", department="Facilities")
    gone = make_user("bobby gone")
    gone.active = False
    db.session.commit()
    html = client.get("/catalog/people?field=manager&q_manager=bob", headers=HTMX).get_data(as_text=True)
    assert html.lstrip().startswith('<datalist id="people-manager">')
    assert 'value="bob.builder@example.com"' in html and "Facilities" in html and "gone" not in html
    assert "<option" not in client.get("/catalog/people?q=b").get_data(as_text=True)  # too short


# --- Submitting ---------------------------------------------------------------------------------

def test_submit_incomplete_is_422_with_each_message_by_its_input(client, ann, laptop):
    response = client.post(f"/catalog/{laptop.id}", data=answers(
        model="Power", why="", ram="128", start="next week", apps=["Office", "Doom"],
        asset="x1", manager="nobody@example.com", notes="Blue if possible"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    draft = only_catalog_ticket()
    assert draft.is_draft and draft.description == "Blue if possible"
    assert response.headers["HX-Push-Url"] == f"/catalog/drafts/{draft.id}"
    assert f'action="/catalog/drafts/{draft.id}"' in html  # the next submit updates this draft
    for name, message in [("q_why", "Justification is required."), ("q_ram", "Enter at most 64."),
                          ("q_start", "Enter a date as YYYY-MM-DD."),
                          ("q_apps", "Choose only from the options."), ("q_asset", "Like AB1234."),
                          ("q_manager", "No active person with that email.")]:
        assert f'<p class="error" id="{name}-err">{message}</p>' in html
        assert f'aria-describedby="{name}-err"' in html or f'aria-describedby="{name}-hint {name}-err"' in html
    assert 'value="128"' in html and 'value="next week"' in html and 'value="x1"' in html
    assert 'value="nobody@example.com"' in html and "Blue if possible</textarea>" in html
    assert 'value="Power" checked' in html and 'value="Office" checked' in html


def test_submit_ok_goes_to_new_with_the_answers(client, ann, laptop, make_user):
    bob = make_user("bob")
    response = client.post(f"/catalog/{laptop.id}", data=answers(
        model="Power", why="CAD work", ram="32", start="2030-01-31", apps=["Visio"], dock="yes",
        site="Site 3", asset="AB1234", manager="bob@example.com"))
    ticket = only_catalog_ticket()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/tickets/{ticket.number}"
    assert ticket.status == Status.NEW and ticket.title == "New laptop"
    assert ticket.category == laptop.category and ticket.team == laptop.category.team
    assert json.loads(ticket.answers)["manager"] == bob.id and ticket.form_version is not None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "submitted. IT will be in touch" in page
    assert "<dt>Justification</dt>" in page and "<dd>CAD work</dd>" in page
    assert "<dd>Bob &lt;bob@example.com&gt;</dd>" in page and "<dd>Yes</dd>" in page


def test_submit_with_an_approval_policy_is_under_review_with_steps(client, ann, make_user, make_item):
    boss = make_user("boss", roles=[Role.APPROVER])
    item = make_item("Admin rights", fields=[_field("why", "Why", T.TEXT, 1, required=True)],
                     approval_policy=ApprovalPolicy(name="Security", steps=[
                         ApprovalStepDef(position=1, name="Security team",
                                         approvers=json.dumps([{"kind": "user", "user_id": boss.id}]))]))
    page = client.get(f"/catalog/{item.id}").get_data(as_text=True)
    assert "Security team" in page and "Boss" in page and "for approval first" in page
    response = client.post(f"/catalog/{item.id}", data={"q_why": "Install drivers", "action": "submit"})
    ticket = only_catalog_ticket()
    assert response.status_code == 303 and ticket.status == Status.UNDER_REVIEW
    steps = approvals.ticket_steps(ticket)
    assert [(s.name, s.state) for s in steps] == [("Security team", StepState.PENDING)]
    assert "waits for approval" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_validation_rule_errors_show_by_their_field(client, ann, laptop):
    db.session.add(ValidationRule(name="Power needs a tag", kind=RuleKind.REQUIRE,
                                  conditions=json.dumps([{"field": "answers.model", "op": "eq", "value": "Power"}]),
                                  required_fields=json.dumps(["answers.asset"]),
                                  message="Power laptops replace an old one: give its tag."))
    db.session.add(ValidationRule(name="No Visio", kind=RuleKind.REFUSE, message="Visio is not licensed.",
                                  conditions=json.dumps([{"field": "answers.apps", "op": "eq", "value": "Visio"}])))
    db.session.commit()
    response = client.post(f"/catalog/{laptop.id}", data=answers(model="Power", why="CAD", apps="Visio"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="error" id="q_asset-err">Power laptops replace an old one: give its tag.</p>' in html
    assert '<li>Visio is not licensed.</li>' in html  # in the error summary, as the form's own message


# --- Drafts and files ---------------------------------------------------------------------------

def test_draft_save_resume_and_submit(client, ann, laptop):
    response = client.post(f"/catalog/{laptop.id}", data=answers(model="Power", why="", action="draft", notes="Hi"))
    draft = only_catalog_ticket()
    assert response.status_code == 303 and response.headers["Location"] == f"/catalog/drafts/{draft.id}"
    assert draft.is_draft and draft.title == "New laptop" and json.loads(draft.answers)["model"] == "Power"
    listing = client.get("/drafts").get_data(as_text=True)
    assert "New laptop" in listing and "From the catalog" in listing and "Draft saved" in listing
    assert client.get(f"/drafts/{draft.id}").headers["Location"] == f"/catalog/drafts/{draft.id}"
    page = client.get(f"/catalog/drafts/{draft.id}").get_data(as_text=True)
    assert 'value="Power" checked' in page and "Hi</textarea>" in page
    assert condition(page, "q_why") == "met"  # shown now
    response = client.post(f"/catalog/drafts/{draft.id}", data=answers(
        model="Power", why="CAD", notes="Hi", version=str(draft.version)))
    assert response.status_code == 303
    assert only_catalog_ticket().status == Status.NEW


def test_stale_draft_save_is_409_and_keeps_the_text(client, ann, laptop):
    client.post(f"/catalog/{laptop.id}", data=answers(action="draft"))
    draft = only_catalog_ticket()
    client.post(f"/catalog/drafts/{draft.id}", data=answers(action="draft", version="1"))  # another tab: now 2
    response = client.post(f"/catalog/drafts/{draft.id}", data=answers(action="draft", why="x", notes="mine", version="1"))
    assert response.status_code == 409 and "another tab" in response.get_data(as_text=True)
    assert "mine</textarea>" in response.get_data(as_text=True)


def test_another_users_draft_is_404(client, ann, laptop, make_user, login):
    client.post(f"/catalog/{laptop.id}", data=answers(action="draft"))
    draft = only_catalog_ticket()
    switch_to(login, make_user("eve"))
    assert client.get(f"/catalog/drafts/{draft.id}").status_code == 404
    assert client.post(f"/catalog/drafts/{draft.id}", data=answers()).status_code == 404


def test_plain_draft_is_not_a_catalog_draft(client, ann, hardware, ticket_input):
    draft = tickets.save_draft(ann, ticket_input(hardware))
    db.session.commit()
    assert client.get(f"/catalog/drafts/{draft.id}").status_code == 404


def _post_files(client, url, data, *files):
    payload = dict(data, q_photo=[(io.BytesIO(content), name) for content, name in files])
    return client.post(url, data=payload, content_type="multipart/form-data")


def test_file_field_stores_files_and_keeps_them_across_saves(client, ann, laptop):
    _post_files(client, f"/catalog/{laptop.id}", answers(action="draft"), (PNG, "old.png"))
    draft = only_catalog_ticket()
    ids = json.loads(draft.answers)["photo"]
    assert len(ids) == 1 and db.session.get(Attachment, ids[0]).filename == "old.png"
    assert "old.png" in client.get(f"/catalog/drafts/{draft.id}").get_data(as_text=True)
    response = client.post(f"/catalog/drafts/{draft.id}", data=answers(version=str(draft.version)))
    assert response.status_code == 303
    ticket = only_catalog_ticket()
    assert json.loads(ticket.answers)["photo"] == ids
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f'/files/{ids[0]}' in page and "old.png" in page


def test_file_field_with_a_bad_file_keeps_the_answers(client, ann, laptop):
    response = _post_files(client, f"/catalog/{laptop.id}", answers(model="Power", why="CAD"),
                           (b"MZ\x90\x00binary", "virus.exe"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="q_photo-err">virus.exe: this type of file is not accepted', html)
    draft = only_catalog_ticket()
    assert draft.is_draft and json.loads(draft.answers)["why"] == "CAD"
    assert json.loads(draft.answers)["photo"] == []
    assert db.session.scalar(select(Attachment.id)) is None
    assert ">CAD</textarea>" in html


# --- Ticket pages -------------------------------------------------------------------------------

def test_agent_ticket_page_shows_the_answers(client, ann, laptop, make_user, login):
    client.post(f"/catalog/{laptop.id}", data=answers(apps=["Office", "Visio"]))
    ticket = only_catalog_ticket()
    switch_to(login, make_user("tech", roles=[Role.AGENT]))
    page = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    assert "<dt>Model</dt>" in page and "<dd>Office, Visio</dd>" in page
