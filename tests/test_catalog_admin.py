"""Catalog admin: items, form fields, preview and validation rules. Round trips, access, and every
kind of bad input (status 422, the message next to the field, what was typed kept)."""
import json
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (ApprovalPolicy, CatalogItem, FieldType, FormField, Level, Role, RuleKind,
                        Status, Ticket, TicketType, ValidationRule)
from app.services import tickets
from app.services.catalog_forms import answer_rows, specs_from_json


@pytest.fixture
def admin(make_user, login):
    return login(make_user("ada", roles=[Role.ADMIN]))


@pytest.fixture
def hardware(make_category):
    return make_category("Hardware")


@pytest.fixture
def laptop(hardware):
    """"New laptop": spec (choice), justification (only for "High-end"), cost centre."""
    item = CatalogItem(name="New laptop", category=hardware, summary="A laptop for work")
    item.fields = [
        FormField(key="spec", label="Specification", field_type=FieldType.CHOICE, required=True,
                  choices=json.dumps(["Standard", "High-end"]), default="Standard", position=0),
        FormField(key="justification", label="Justification", field_type=FieldType.LONG_TEXT, required=True,
                  show_if_key="spec", show_if_value="High-end", position=1),
        FormField(key="cost_centre", label="Cost centre", field_type=FieldType.TEXT, position=2),
    ]
    db.session.add(item)
    db.session.commit()
    return item


def item_data(category, **overrides) -> dict:
    data = {"name": "VPN access", "category_id": str(category.id), "summary": "Work from home",
            "description": "**Secure** access", "keywords": "remote", "ticket_type": "service_request",
            "delivery_days": "2", "impact": "low", "urgency": "medium", "team_id": "",
            "approval_policy_id": "", "active": "y"}
    data.update(overrides)
    return data


def field_data(**overrides) -> dict:
    data = {"label": "Office floor", "key": "", "field_type": "text", "help": "", "show_if_key": "",
            "show_if_value": "", "pattern": "", "pattern_message": "", "min_value": "", "max_value": "",
            "min_length": "", "max_length": "", "choices": "", "default": ""}
    data.update(overrides)
    return data


def rule_data(**overrides) -> dict:
    data = {"name": "P1 business impact", "ticket_type": "", "category_id": "", "kind": "require",
            "condition1_field": "priority", "condition1_op": "eq", "condition1_value": "1",
            "condition2_field": "", "condition2_op": "eq", "condition2_value": "",
            "condition3_field": "", "condition3_op": "eq", "condition3_value": "",
            "required_fields": [], "required_answers": "answers.business_impact",
            "approval_policy_id": "", "message": "A P1 needs a business-impact statement.", "active": "y"}
    data.update(overrides)
    return data


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-err">([^<]*)<', html)
    assert match, f"no error next to {field_id}"
    return match.group(1)


def assert_refused(response, field_id: str, fragment: str, *kept: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html
    assert fragment in field_error(html, field_id)
    for value in kept:
        assert value in html, f"typed value {value!r} was lost"


# --- Access -----------------------------------------------------------------------------------------

URLS = [("get", "/admin/catalog"), ("get", "/admin/catalog/items/new"), ("post", "/admin/catalog/items/new"),
        ("get", "/admin/catalog/items/{item}"), ("post", "/admin/catalog/items/{item}"),
        ("post", "/admin/catalog/items/{item}/move"), ("post", "/admin/catalog/items/{item}/active"),
        ("get", "/admin/catalog/items/{item}/preview"),
        ("get", "/admin/catalog/items/{item}/fields/new"), ("post", "/admin/catalog/items/{item}/fields/new"),
        ("get", "/admin/catalog/items/{item}/fields/{field}"),
        ("post", "/admin/catalog/items/{item}/fields/{field}"),
        ("post", "/admin/catalog/items/{item}/fields/{field}/move"),
        ("post", "/admin/catalog/items/{item}/fields/{field}/delete"),
        ("get", "/admin/rules"), ("get", "/admin/rules/new"), ("post", "/admin/rules/new"),
        ("get", "/admin/rules/{rule}"), ("post", "/admin/rules/{rule}"), ("post", "/admin/rules/{rule}/move"),
        ("post", "/admin/rules/{rule}/delete")]


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.AGENT, Role.APPROVER])
def test_non_admins_get_403_everywhere(client, make_user, login, laptop, role):
    login(make_user("nosy", roles=[role]))
    rule = ValidationRule(name="r", kind=RuleKind.REFUSE, message="No.")
    db.session.add(rule)
    db.session.commit()
    ids = dict(item=laptop.id, field=laptop.fields[0].id, rule=rule.id)
    for method, url in URLS:
        response = getattr(client, method)(url.format(**ids), data={"direction": "up"})
        assert response.status_code == 403, (method, url)


def test_anonymous_is_sent_to_sign_in(client, laptop):
    assert client.get("/admin/catalog").status_code in (302, 303)


# --- Items ------------------------------------------------------------------------------------------

def test_item_round_trip(client, admin, hardware, make_team):
    desk = make_team("Desk")
    response = client.post("/admin/catalog/items/new", data=item_data(hardware, team_id=str(desk.id)))
    assert response.status_code == 303
    item = db.session.scalar(select(CatalogItem).where(CatalogItem.name == "VPN access"))
    # A new item starts inactive (it has no fields yet) and leads to its own page.
    assert response.headers["Location"].endswith(f"/admin/catalog/items/{item.id}")
    assert (item.delivery_days, item.team_id, item.ticket_type, item.active) == (2, desk.id, TicketType.SERVICE_REQUEST, False)
    page = client.get("/admin/catalog").get_data(as_text=True)
    assert "VPN access" in page and "Hardware" in page

    response = client.post(f"/admin/catalog/items/{item.id}", data=item_data(
        hardware, name="VPN access (remote)", ticket_type="incident", delivery_days="", urgency="high", active=""))
    assert response.status_code == 303
    db.session.refresh(item)
    assert (item.name, item.ticket_type, item.delivery_days, item.urgency) == (
        "VPN access (remote)", TicketType.INCIDENT, None, Level.HIGH)
    assert "Specification" not in client.get(f"/admin/catalog/items/{item.id}").get_data(as_text=True)


def test_item_with_an_approval_policy(client, admin, hardware):
    policy = ApprovalPolicy(name="Manager sign-off")
    db.session.add(policy)
    db.session.commit()
    client.post("/admin/catalog/items/new", data=item_data(hardware, approval_policy_id=str(policy.id)))
    item = db.session.scalar(select(CatalogItem))
    assert item.needs_approval
    assert "Needs approval" in client.get("/admin/catalog").get_data(as_text=True)


@pytest.mark.parametrize("overrides, field_id, message", [
    ({"name": ""}, "name", "Enter a name"),
    ({"name": "new LAPTOP"}, "name", "already has this name"),
    ({"category_id": "999"}, "category_id", "Choose one from the list"),
    ({"delivery_days": "-1"}, "delivery_days", "Use 0 to 365"),
    ({"delivery_days": "soon"}, "delivery_days", "Enter a whole number"),
    ({"ticket_type": "bogus"}, "ticket_type", "Choose one from the list"),
    ({"approval_policy_id": "12345"}, "approval_policy_id", "Choose one from the list"),
])
def test_bad_item_input(client, admin, laptop, hardware, overrides, field_id, message):
    response = client.post("/admin/catalog/items/new", data=item_data(hardware, summary="Kept summary", **overrides))
    assert_refused(response, field_id, message, "Kept summary")


def test_reorder_items(client, admin, laptop, hardware):
    client.post("/admin/catalog/items/new", data=item_data(hardware))
    vpn = db.session.scalar(select(CatalogItem).where(CatalogItem.name == "VPN access"))
    assert vpn.position > laptop.position
    response = client.post(f"/admin/catalog/items/{vpn.id}/move", data={"direction": "up"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="catalog-items"')
    assert html.index("VPN access") < html.index("New laptop")
    assert client.post(f"/admin/catalog/items/{vpn.id}/move", data={"direction": "sideways"}).status_code == 400


def test_retire_hides_from_the_catalog(client, admin, laptop):
    assert "New laptop" in client.get("/catalog/").get_data(as_text=True)
    assert client.post(f"/admin/catalog/items/{laptop.id}/active", data={}).status_code == 303
    db.session.refresh(laptop)
    assert not laptop.active
    assert "New laptop" not in client.get("/catalog/").get_data(as_text=True)
    client.post(f"/admin/catalog/items/{laptop.id}/active", data={"active": "y"})
    db.session.refresh(laptop)
    assert laptop.active


# --- Fields -----------------------------------------------------------------------------------------

def fields_of(item: CatalogItem) -> list[FormField]:
    db.session.expire_all()
    return list(db.session.get(CatalogItem, item.id).fields)


def test_field_round_trip(client, admin, laptop):
    url = f"/admin/catalog/items/{laptop.id}/fields/new"
    response = client.post(url, data=field_data(label="Office floor", field_type="number", min_value="0",
                                                max_value="12", default="3", required="y"))
    assert response.status_code == 303
    floor = fields_of(laptop)[-1]
    assert (floor.key, floor.position, floor.min_value, floor.max_value, floor.default, floor.required) == (
        "office_floor", 3, 0, 12, "3", True)

    response = client.post(f"/admin/catalog/items/{laptop.id}/fields/{floor.id}", data=field_data(
        label="Desk", key="desk", field_type="choice", choices="A\nB\n", show_if_key="spec",
        show_if_value="High-end", default="B"))
    assert response.status_code == 303
    desk = fields_of(laptop)[-1]
    assert (desk.key, json.loads(desk.choices), desk.show_if_key, desk.min_value) == ("desk", ["A", "B"], "spec", None)
    page = client.get(f"/admin/catalog/items/{laptop.id}").get_data(as_text=True)
    assert "Desk" in page and "Only when <code>spec</code>" in page

    response = client.post(f"/admin/catalog/items/{laptop.id}/fields/{desk.id}/delete",
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith('<section id="item-fields"')
    assert [f.key for f in fields_of(laptop)] == ["spec", "justification", "cost_centre"]


@pytest.mark.parametrize("overrides, field_id, message", [
    ({"label": ""}, "label", "Enter a label"),
    ({"key": "Bad Key"}, "key", "lower-case letters"),
    ({"key": "9lives"}, "key", "start with a letter"),
    ({"key": "spec"}, "key", "already has this key"),
    ({"field_type": "colour"}, "field_type", "Choose one from the list"),
    ({"show_if_key": "nonexistent", "show_if_value": "x"}, "show_if_key", "comes before"),
    ({"show_if_key": "spec", "show_if_value": ""}, "show_if_value", "Say which answer"),
    ({"show_if_key": "spec", "show_if_value": "Gold"}, "show_if_value", "one of the options of Specification"),
    ({"pattern": "[a-z"}, "pattern", "This pattern does not work"),
    ({"field_type": "number", "min_value": "10", "max_value": "2"}, "max_value", "must not be below"),
    ({"field_type": "number", "min_value": "ten"}, "min_value", "Enter a number"),
    ({"field_type": "number", "min_value": "nan"}, "min_value", "Enter a number"),
    ({"field_type": "number", "max_value": "-inf"}, "max_value", "Enter a number"),
    ({"min_length": "9", "max_length": "3"}, "max_length", "must not be below"),
    ({"min_length": "-1"}, "min_length", "Use 0 to 5000"),
    ({"field_type": "choice", "choices": ""}, "choices", "List the options"),
    ({"field_type": "multi_choice", "choices": "Red\nBlue\nRed"}, "choices", "Red appears more than once"),
    ({"field_type": "choice", "choices": "Red\nBlue", "default": "Green"}, "default", "Choose one of the options"),
    ({"field_type": "number", "default": "lots"}, "default", "Enter a number"),
    ({"field_type": "number", "max_value": "5", "default": "6"}, "default", "at most 5"),
    ({"field_type": "date", "default": "tomorrow"}, "default", "YYYY-MM-DD"),
    ({"field_type": "checkbox", "default": "maybe"}, "default", "“yes”"),
    ({"pattern": "[A-Z]{2}", "default": "abc"}, "default", "expected format"),
])
def test_bad_field_input(client, admin, laptop, overrides, field_id, message):
    response = client.post(f"/admin/catalog/items/{laptop.id}/fields/new",
                           data=field_data(help="Kept help text", **overrides))
    assert_refused(response, field_id, message, "Kept help text")
    assert len(fields_of(laptop)) == 3


def test_show_if_offers_only_earlier_fields(client, admin, laptop):
    spec, justification, cost = laptop.fields
    response = client.post(f"/admin/catalog/items/{laptop.id}/fields/{justification.id}",
                           data=field_data(label="Justification", key="justification", show_if_key="cost_centre",
                                           show_if_value="x"))
    assert_refused(response, "show_if_key", "comes before")
    page = client.get(f"/admin/catalog/items/{laptop.id}/fields/{spec.id}").get_data(as_text=True)
    assert "This is the first field" in page
    page = client.get(f"/admin/catalog/items/{laptop.id}/fields/{cost.id}").get_data(as_text=True)
    assert '<option value="High-end" label="Specification">' in page  # the controller's choices offered


def test_a_field_others_depend_on_cannot_be_deleted_renamed_or_lose_the_option(client, admin, laptop):
    spec = laptop.fields[0]
    response = client.post(f"/admin/catalog/items/{laptop.id}/fields/{spec.id}/delete", follow_redirects=True)
    assert "Justification depend(s) on it" in response.get_data(as_text=True)
    response = client.post(f"/admin/catalog/items/{laptop.id}/fields/{spec.id}/delete",
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "Justification" in response.get_data(as_text=True)
    edit = f"/admin/catalog/items/{laptop.id}/fields/{spec.id}"
    base = dict(label="Specification", key="spec", field_type="choice", choices="Standard\nHigh-end")
    assert_refused(client.post(edit, data=field_data(**dict(base, key="model"))), "key", "use the old key")
    assert_refused(client.post(edit, data=field_data(**dict(base, choices="Standard\nPro"))), "choices",
                   "Justification appear(s) only for an option you removed")
    assert [f.key for f in fields_of(laptop)] == ["spec", "justification", "cost_centre"]


def test_reorder_fields_keeps_conditions_below_their_field(client, admin, laptop):
    spec, justification, cost = laptop.fields
    response = client.post(f"/admin/catalog/items/{laptop.id}/fields/{cost.id}/move", data={"direction": "up"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert [f.key for f in fields_of(laptop)] == ["spec", "cost_centre", "justification"]
    client.post(f"/admin/catalog/items/{laptop.id}/fields/{cost.id}/move", data={"direction": "up"})
    assert [f.key for f in fields_of(laptop)] == ["cost_centre", "spec", "justification"]
    client.post(f"/admin/catalog/items/{laptop.id}/fields/{cost.id}/move", data={"direction": "up"})  # at the top
    assert [f.key for f in fields_of(laptop)] == ["cost_centre", "spec", "justification"]
    response = client.post(f"/admin/catalog/items/{laptop.id}/fields/{spec.id}/move", data={"direction": "down"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "must stay below it" in response.get_data(as_text=True)
    assert [f.key for f in fields_of(laptop)] == ["cost_centre", "spec", "justification"]


def test_field_of_another_item_is_404(client, admin, laptop, hardware):
    other = CatalogItem(name="Monitor", category=hardware)
    db.session.add(other)
    db.session.commit()
    assert client.get(f"/admin/catalog/items/{other.id}/fields/{laptop.fields[0].id}").status_code == 404


def test_field_edits_do_not_change_a_filed_ticket(client, admin, laptop, make_user):
    erin = make_user("erin")
    draft = tickets.save_draft(erin, tickets.TicketInput(
        ticket_type=laptop.ticket_type, title=laptop.name, category_id=laptop.category_id,
        impact=laptop.impact, urgency=laptop.urgency))
    draft.catalog_item = laptop
    draft.answers = json.dumps({"spec": "High-end", "justification": "Video editing", "cost_centre": "CC1"})
    tickets.submit_ticket(draft, erin)
    db.session.commit()
    snapshot = draft.form_version.fields_json

    justification = laptop.fields[1]
    client.post(f"/admin/catalog/items/{laptop.id}/fields/{justification.id}", data=field_data(
        label="Why you need it", key="justification", field_type="long_text", show_if_key="spec",
        show_if_value="High-end", required="y"))
    client.post(f"/admin/catalog/items/{laptop.id}/fields/{laptop.fields[2].id}/delete")
    assert [f.label for f in fields_of(laptop)] == ["Specification", "Why you need it"]

    ticket = db.session.get(Ticket, draft.id)
    assert ticket.status == Status.NEW and ticket.form_version.fields_json == snapshot
    rows = answer_rows(specs_from_json(ticket.form_version.fields_json), json.loads(ticket.answers))
    assert rows == [("Specification", "High-end"), ("Justification", "Video editing"), ("Cost centre", "CC1")]


def test_preview_renders_the_employee_form(client, admin, laptop):
    response = client.get(f"/admin/catalog/items/{laptop.id}/preview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="item-form-fields"' in html and "Specification" in html and "Justification" in html
    assert f'hx-post="/catalog/{laptop.id}/fields"' in html
    # The conditional field starts hidden (its marker unmet); the refresh shows it once
    # "High-end" is chosen, by its marker alone.
    assert '<span id="q_justification-condition" class="item-condition unmet"' in html
    refreshed = client.post(f"/catalog/{laptop.id}/fields", data={"q_spec": "High-end"}).get_data(as_text=True)
    assert refreshed.strip() == ('<span id="q_justification-condition" class="item-condition" hidden '
                                 'hx-swap-oob="true"></span>')


# --- Validation rules -------------------------------------------------------------------------------

def test_rule_round_trip(client, admin, hardware, laptop):
    response = client.post("/admin/rules/new", data=rule_data(category_id=str(hardware.id),
                                                              required_fields=["description"]))
    assert response.status_code == 303
    rule = db.session.scalar(select(ValidationRule))
    assert json.loads(rule.conditions) == [{"field": "priority", "op": "eq", "value": 1, "type": "number"}]
    assert json.loads(rule.required_fields) == ["description", "answers.business_impact"]
    assert rule.category_id == hardware.id and rule.kind == RuleKind.REQUIRE
    page = client.get(f"/admin/rules/{rule.id}").get_data(as_text=True)
    assert 'value="answers.business_impact"' in page and 'value="priority"' in page

    policy = ApprovalPolicy(name="CAB")
    db.session.add(policy)
    db.session.commit()
    response = client.post(f"/admin/rules/{rule.id}", data=rule_data(
        name="P1 needs the CAB", kind="approve", approval_policy_id=str(policy.id), ticket_type="service_request",
        condition1_op="lt", condition1_value="3", condition2_field="answers.cost_centre", condition2_op="not_empty"))
    assert response.status_code == 303
    db.session.refresh(rule)
    assert (rule.kind, rule.approval_policy_id, rule.ticket_type, json.loads(rule.required_fields)) == (
        RuleKind.APPROVE, policy.id, TicketType.SERVICE_REQUEST, [])
    assert json.loads(rule.conditions)[1] == {"field": "answers.cost_centre", "op": "not_empty", "value": None,
                                              "type": "text"}
    assert "P1 needs the CAB" in client.get("/admin/rules").get_data(as_text=True)

    response = client.post(f"/admin/rules/{rule.id}/delete", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "No validation rules yet" in response.get_data(as_text=True)
    assert db.session.scalar(select(ValidationRule)) is None


@pytest.mark.parametrize("overrides, field_id, message", [
    ({"name": ""}, "name", "Enter a name"),
    ({"message": ""}, "message", "Write the message"),
    ({"condition1_field": "salary"}, "condition1_field", "Pick a field from the list"),
    ({"condition2_field": "answers.Bad Key", "condition2_op": "empty"}, "condition2_field", "answers.&lt;key&gt;"),
    ({"condition1_value": ""}, "condition1_value", "needs a value"),
    ({"condition3_field": "", "condition3_value": "orphan"}, "condition3_field", "Pick a field"),
    ({"condition1_op": "like"}, "condition1_op", "Choose one from the list"),
    ({"kind": "require", "required_answers": ""}, "required_fields", "Pick the fields"),
    ({"required_answers": "answers.ok, salary"}, "required_answers", "Unknown field(s): salary"),
    ({"kind": "approve", "approval_policy_id": ""}, "approval_policy_id", "Choose the approval policy"),
    ({"kind": "ignore"}, "kind", "Choose one from the list"),
    ({"category_id": "999"}, "category_id", "Choose one from the list"),
])
def test_bad_rule_input(client, admin, overrides, field_id, message):
    response = client.post("/admin/rules/new", data=rule_data(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(html, field_id)
    assert "A P1 needs a business-impact statement." in html or not rule_data(**overrides)["message"]
    assert db.session.scalar(select(ValidationRule)) is None


def test_duplicate_rule_name(client, admin):
    client.post("/admin/rules/new", data=rule_data())
    assert_refused(client.post("/admin/rules/new", data=rule_data(name="p1 BUSINESS impact")), "name",
                   "already has this name")


def test_reorder_rules(client, admin):
    client.post("/admin/rules/new", data=rule_data(name="First"))
    client.post("/admin/rules/new", data=rule_data(name="Second"))
    second = db.session.scalar(select(ValidationRule).where(ValidationRule.name == "Second"))
    response = client.post(f"/admin/rules/{second.id}/move", data={"direction": "up"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="rule-table"')
    assert html.index("Second") < html.index("First")
    assert client.post(f"/admin/rules/{second.id}/move", data={"direction": "down"}).status_code == 303
    names = db.session.scalars(select(ValidationRule.name).order_by(ValidationRule.position)).all()
    assert names == ["First", "Second"]


def test_admin_index_links_the_catalog_and_rules(client, admin):
    html = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/catalog"' in html and 'href="/admin/rules"' in html


def test_first_field_of_a_new_item_needs_no_condition_input(client, admin, hardware):
    """The first field has nothing to depend on, so its form has no "Show only when" select;
    a post without that input must still be accepted."""
    client.post("/admin/catalog/items/new", data=item_data(hardware, name="Desk phone"))
    item = db.session.scalar(db.select(CatalogItem).where(CatalogItem.name == "Desk phone"))
    data = field_data(label="Extension")
    del data["show_if_key"]
    response = client.post(f"/admin/catalog/items/{item.id}/fields/new", data=data)
    assert response.status_code == 303
    assert [f.key for f in fields_of(item)] == ["extension"]
