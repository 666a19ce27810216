"""services.conditions, the one condition language: every field kind and operator through the
evaluator, the editor's typed parsing and its refusals (through the service and through the
admin rule form, the message next to the condition's value), conditions in words, the row
fragment, the migration's conversion of rules saved untyped, and the finding itself: a
checkbox "is yes" rule now requires its approval."""
import importlib.util
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (ApprovalPolicy, ApprovalStepDef, CatalogItem, FieldType, FormField, Level, Role,
                        RuleKind, Status, StepMode, TicketType, ValidationRule)
from app.services import catalog, conditions, policy, tickets, validation_rules
from app.services.conditions import Kind, compare

MIGRATION = Path(__file__).parent.parent / "migrations/versions/7a0000000001_typed_conditions_in_validation_rules.py"


# --- The evaluator: like compared with like, for each kind and operator --------------------------

@pytest.mark.parametrize("kind, op, actual, expected, result", [
    (Kind.BOOLEAN, "eq", True, True, True), (Kind.BOOLEAN, "eq", False, True, False),
    (Kind.BOOLEAN, "eq", True, "yes", True),  # a value saved untyped still reads as yes
    (Kind.BOOLEAN, "eq", None, False, False), (Kind.BOOLEAN, "ne", True, False, True),
    (Kind.NUMBER, "eq", 1000, 1000.0, True), (Kind.NUMBER, "eq", "1000", 1000, True),
    (Kind.NUMBER, "gt", 1500, 1000, True), (Kind.NUMBER, "gt", 999.5, 1000, False),
    (Kind.NUMBER, "gt", 9, 10, False),  # as numbers, not as text ("9" > "10")
    (Kind.NUMBER, "lt", 2, 3, True), (Kind.NUMBER, "lt", None, 3, False),
    (Kind.NUMBER, "in", 2, [1, 2], True), (Kind.NUMBER, "in", 3, [1, 2], False),
    (Kind.NUMBER, "ne", 2, 1, True), (Kind.NUMBER, "gt", "n/a", 1, False),
    (Kind.DATE, "eq", "2026-12-01", "2026-12-01", True),
    (Kind.DATE, "lt", "2026-02-09", "2026-10-01", True),  # as dates
    (Kind.DATE, "gt", "2026-02-09", "2026-10-01", False), (Kind.DATE, "lt", "", "2026-10-01", False),
    (Kind.DATE, "ne", "2026-12-02", "2026-12-01", True),
    (Kind.CHOICE, "eq", "High-end", "High-end", True), (Kind.CHOICE, "eq", "Standard", "High-end", False),
    (Kind.CHOICE, "in", "high", ["high", "medium"], True), (Kind.CHOICE, "in", "low", ["high"], False),
    (Kind.CHOICE, "ne", None, "high", True), (Kind.CHOICE, "eq", 3, 3, True),  # a category id
    (Kind.MULTI, "has", ["Visio", "Project"], "Visio", True), (Kind.MULTI, "has", ["Project"], "Visio", False),
    (Kind.MULTI, "has", None, "Visio", False),
    (Kind.TEXT, "eq", ["Visio", "Project"], "visio", True),  # saved untyped on a multiple choice
    (Kind.TEXT, "ne", ["Project"], "Visio", True),
    (Kind.TEXT, "eq", "VPN ", "vpn", True), (Kind.TEXT, "contains", "No VPN at home", "vpn", True),
    (Kind.TEXT, "contains", "Printer", "vpn", False), (Kind.TEXT, "in", "b", ["a", "B"], True),
    (Kind.TEXT, "ne", "a", "b", True),
    (Kind.TEXT, "empty", "  ", None, True), (Kind.TEXT, "not_empty", "x", None, True),
    (Kind.MULTI, "empty", [], None, True), (Kind.MULTI, "not_empty", ["Visio"], None, True),
    (Kind.NUMBER, "empty", 0, None, False), (Kind.NUMBER, "not_empty", None, None, False),
    (Kind.DATE, "empty", None, None, True), (Kind.DATE, "not_empty", "2026-12-01", None, True),
    (Kind.CHOICE, "empty", "", None, True), (Kind.CHOICE, "not_empty", "high", None, True),
    (Kind.ANSWERED, "not_empty", 7, None, True),
    (Kind.ANSWERED, "empty", None, None, True), (Kind.ANSWERED, "not_empty", [], None, False),
])
def test_compare(kind, op, actual, expected, result):
    assert compare(kind, op, actual, expected) is result


def test_every_kind_has_its_operators_covered():
    """Each (kind, operator) the editor offers is exercised above."""
    covered = {(k, o) for k, o, *_ in test_compare.pytestmark[0].args[1]}
    offered = {(k, o) for k, ops in conditions.KIND_OPERATORS.items() for o in ops}
    assert offered - covered == set()


# --- A catalog with one field of each type --------------------------------------------------------

@pytest.fixture
def laptop(make_category):
    """"New laptop" (Hardware): one field of every type a condition can test."""
    item = CatalogItem(name="New laptop", category=make_category("Hardware"), ticket_type=TicketType.SERVICE_REQUEST)
    item.fields = [
        FormField(key="laptop_needed", label="Laptop needed", field_type=FieldType.CHECKBOX, position=0),
        FormField(key="cost", label="Cost", field_type=FieldType.NUMBER, position=1),
        FormField(key="needed_by", label="Needed by", field_type=FieldType.DATE, position=2),
        FormField(key="spec", label="Specification", field_type=FieldType.CHOICE, position=3,
                  choices=json.dumps(["Standard", "High-end"])),
        FormField(key="software", label="Software", field_type=FieldType.MULTI_CHOICE, position=4,
                  choices=json.dumps(["Visio", "Project"])),
        FormField(key="notes", label="Notes", field_type=FieldType.LONG_TEXT, position=5),
        FormField(key="manager", label="Manager", field_type=FieldType.USER, position=6),
    ]
    db.session.add(item)
    db.session.commit()
    return item


def vocab(**scope):
    return conditions.vocabulary(conditions.load_catalog(), **scope)


@pytest.mark.parametrize("name, op, text, value, kind", [
    ("answers.laptop_needed", "eq", "yes", True, "boolean"), ("answers.laptop_needed", "ne", "No", False, "boolean"),
    ("answers.cost", "gt", "1,000", 1000, "number"), ("answers.cost", "lt", "2,5", 2.5, "number"),
    ("answers.cost", "in", "1, 2", [1, 2], "number"), ("answers.cost", "empty", "", None, "number"),
    ("answers.needed_by", "lt", "2026-10-01", "2026-10-01", "date"),
    ("answers.spec", "eq", "high-end", "High-end", "choice"), ("answers.spec", "in", "Standard, High-end",
                                                               ["Standard", "High-end"], "choice"),
    ("answers.software", "has", "Visio", "Visio", "multi"), ("answers.notes", "contains", "urgent", "urgent", "text"),
    ("answers.manager", "not_empty", "", None, "answered"),
    ("priority", "eq", "1 (Critical)", 1, "number"), ("priority", "eq", "P2", 2, "number"),
    ("priority", "lt", "3", 3, "number"), ("impact", "eq", "High", "high", "choice"),
    ("urgency", "in", "high, medium", ["high", "medium"], "choice"),
    ("ticket_type", "eq", "Service request", "service_request", "choice"),
    ("channel", "eq", "walk-in", "walk_in", "choice"), ("title", "eq", "VPN", "VPN", "text"),
])
def test_editor_stores_typed_values(laptop, name, op, text, value, kind):
    condition, errors = conditions.parse_condition(vocab(), name, op, text)
    assert errors == {}
    assert condition == {"field": name, "op": op, "value": value, "type": kind}


def test_category_is_stored_by_id(laptop):
    condition, _ = conditions.parse_condition(vocab(), "category", "eq", "hardware")
    assert condition["value"] == laptop.category_id


@pytest.mark.parametrize("name, op, text, part, message", [
    ("answers.laptop_needed", "eq", "true-ish", "value", "Laptop needed is one of: yes, no."),
    ("answers.laptop_needed", "gt", "yes", "op", "Laptop needed takes “is”, “is not”."),
    ("answers.cost", "gt", "a lot", "value", "Cost is a number"),
    ("answers.cost", "gt", "inf", "value", "Cost is a number"),
    ("answers.cost", "contains", "1", "op", "Cost takes"),
    ("answers.needed_by", "lt", "01/10/2026", "value", "Needed by is a date: use YYYY-MM-DD."),
    ("answers.spec", "eq", "Gaming", "value", "Specification is one of: Standard, High-end."),
    ("answers.spec", "in", "Standard, Gaming", "value", "Specification is one of"),
    ("answers.software", "eq", "Visio", "op", "Software takes “includes”"),
    ("answers.software", "has", "Excel", "value", "Software is one of: Visio, Project."),
    ("answers.manager", "eq", "ann@example.com", "op", "Manager takes “is empty”, “is filled in”."),
    ("priority", "eq", "0", "value", "Priority is one of: 1 (Critical)"),
    ("impact", "eq", "huge", "value", "Impact is one of: High, Medium, Low."),
    ("channel", "eq", "fax", "value", "Channel is one of"),
    ("category", "eq", "Nowhere", "value", "Category is one of: Hardware."),
    ("title", "lt", "b", "op", "Title takes"), ("answers.cost", "gt", "", "value", "“is above” needs a value."),
    ("answers.nothing", "eq", "x", "field", "No active catalog item in this rule's scope asks for nothing."),
    ("salary", "eq", "x", "field", "Pick a field from the list"),
])
def test_editor_refuses_values_not_of_the_field(laptop, name, op, text, part, message):
    condition, errors = conditions.parse_condition(vocab(), name, op, text)
    assert condition is None and message in errors[part]


def test_an_answer_key_is_typed_from_the_items_in_scope(laptop, make_category):
    """"cost" is a number on the laptop and text on a monitor: ambiguous for an unscoped rule
    (refused, naming the key and both items), a number for a rule on Hardware."""
    monitor = CatalogItem(name="Monitor", category=make_category("Screens"), fields=[
        FormField(key="cost", label="Cost", field_type=FieldType.TEXT, position=0)])
    db.session.add(monitor)
    db.session.commit()
    _, errors = conditions.parse_condition(vocab(), "answers.cost", "gt", "1000")
    assert "answers.cost is a number in New laptop, text in Monitor" in errors["field"]
    condition, errors = conditions.parse_condition(vocab(category_id=laptop.category_id), "answers.cost", "gt", "1000")
    assert errors == {} and condition["value"] == 1000
    _, errors = conditions.parse_condition(vocab(ticket_type=TicketType.CHANGE), "answers.cost", "gt", "1")
    assert "No active catalog item in this rule's scope asks for cost." in errors["field"]


def test_retired_items_do_not_count(laptop):
    laptop.active = False
    db.session.commit()
    assert "answers.cost" not in vocab().fields


@pytest.mark.parametrize("condition, words", [
    ({"field": "answers.laptop_needed", "op": "eq", "value": True, "type": "boolean"}, "Laptop needed is yes"),
    ({"field": "priority", "op": "eq", "value": 1, "type": "number"}, "Priority is 1 (Critical)"),
    ({"field": "answers.cost", "op": "gt", "value": 1000, "type": "number"}, "Cost is above 1,000"),
    ({"field": "answers.needed_by", "op": "lt", "value": "2026-10-01", "type": "date"}, "Needed by is before 2026-10-01"),
    ({"field": "impact", "op": "in", "value": ["high", "medium"], "type": "choice"}, "Impact is one of High, Medium"),
    ({"field": "answers.software", "op": "has", "value": "Visio", "type": "multi"}, "Software includes Visio"),
    ({"field": "answers.manager", "op": "empty", "value": None, "type": "answered"}, "Manager is empty"),
    ({"field": "channel", "op": "eq", "value": "walk_in"}, "Channel is Walk-in"),
    ({"field": "priority", "op": "eq", "value": "1"}, "Priority is 1 (Critical)"),  # as the demo seeds it
    ({"field": "answers.gone", "op": "eq", "value": "x", "type": "text"}, "answers.gone is x"),
])
def test_conditions_in_words(laptop, condition, words):
    assert conditions.describe(condition, vocab()) == words


def test_category_in_words(laptop):
    condition = {"field": "category", "op": "eq", "value": laptop.category_id, "type": "choice"}
    assert conditions.describe(condition, vocab()) == "Category is Hardware"


# --- The finding, end to end: "Laptop needed is yes → require approval" --------------------------

@pytest.fixture
def admin(make_user, login):
    return login(make_user("ada", roles=[Role.ADMIN]))


def rule_data(**overrides) -> dict:
    data = {"name": "Laptops need approval", "ticket_type": "", "category_id": "", "kind": "approve",
            "condition1_field": "answers.laptop_needed", "condition1_op": "eq", "condition1_value": "yes",
            "condition2_field": "", "condition2_op": "eq", "condition2_value": "",
            "condition3_field": "", "condition3_op": "eq", "condition3_value": "",
            "required_fields": [], "required_answers": "", "approval_policy_id": "",
            "message": "A laptop is approved by the IT lead.", "active": "y"}
    data.update(overrides)
    return data


@pytest.fixture
def it_lead(make_user):
    lead = make_user("lee", roles=[Role.APPROVER])
    signoff = ApprovalPolicy(name="IT lead", steps=[ApprovalStepDef(
        position=1, name="IT lead", mode=StepMode.ANY, approvers=json.dumps([{"kind": "user", "user_id": lead.id}]))])
    db.session.add(signoff)
    db.session.commit()
    return signoff


def test_a_ticked_checkbox_now_requires_its_approval(client, admin, laptop, it_lead, make_user):
    response = client.post("/admin/rules/new", data=rule_data(approval_policy_id=str(it_lead.id)))
    assert response.status_code == 303
    rule = db.session.scalar(select(ValidationRule))
    assert json.loads(rule.conditions) == [
        {"field": "answers.laptop_needed", "op": "eq", "value": True, "type": "boolean"}]
    assert "When Laptop needed is yes" in client.get("/admin/rules").get_data(as_text=True)

    erin = make_user("erin")
    ticked = catalog.save_catalog_draft(erin, laptop, {"laptop_needed": "yes", "cost": "1200"}, {})
    tickets.submit_ticket(ticked, erin)
    unticked = catalog.save_catalog_draft(erin, laptop, {"cost": "1200"}, {})
    tickets.submit_ticket(unticked, erin)
    db.session.commit()
    assert json.loads(ticked.answers)["laptop_needed"] is True
    assert ticked.status == Status.UNDER_REVIEW
    assert unticked.status != Status.UNDER_REVIEW and policy.evaluate(unticked).approval_policies == []


# --- Through the admin rule form ------------------------------------------------------------------

@pytest.mark.parametrize("name, op, text, stored", [
    ("answers.laptop_needed", "eq", "no", False), ("answers.cost", "gt", "1,000", 1000),
    ("answers.needed_by", "gt", "2026-12-24", "2026-12-24"), ("answers.spec", "eq", "High-end", "High-end"),
    ("answers.software", "has", "Project", "Project"), ("answers.notes", "contains", "asap", "asap"),
    ("answers.manager", "not_empty", "", None), ("priority", "in", "1 (Critical), 2 (High)", [1, 2]),
    ("urgency", "eq", "low", "low"), ("channel", "ne", "Email", "email"),
])
def test_rule_form_stores_typed_values_and_shows_them_again(client, admin, laptop, it_lead, name, op, text, stored):
    response = client.post("/admin/rules/new", data=rule_data(
        condition1_field=name, condition1_op=op, condition1_value=text, approval_policy_id=str(it_lead.id)))
    assert response.status_code == 303
    rule = db.session.scalar(select(ValidationRule))
    assert json.loads(rule.conditions)[0]["value"] == stored
    page = client.get(f"/admin/rules/{rule.id}").get_data(as_text=True)
    assert f'value="{name}"' in page


@pytest.mark.parametrize("name, op, text, input_id, message", [
    ("answers.laptop_needed", "eq", "maybe", "condition1_value", "Laptop needed is one of: yes, no."),
    ("answers.cost", "gt", "lots", "condition1_value", "Cost is a number: enter one."),
    ("answers.needed_by", "lt", "tomorrow", "condition1_value", "Needed by is a date: use YYYY-MM-DD."),
    ("answers.spec", "eq", "Gaming", "condition1_value", "Specification is one of: Standard, High-end."),
    ("answers.software", "has", "Excel", "condition1_value", "Software is one of: Visio, Project."),
    ("priority", "eq", "7", "condition1_value", "Priority is one of: 1 (Critical)"),
    ("impact", "in", "high, huge", "condition1_value", "Impact is one of: High, Medium, Low."),
    ("answers.laptop_needed", "lt", "yes", "condition1_op", "Laptop needed takes “is”, “is not”."),
    ("answers.unknown", "eq", "x", "condition1_field", "asks for unknown"),
])
def test_rule_form_refuses_a_value_not_of_the_field(client, admin, laptop, it_lead, name, op, text, input_id, message):
    response = client.post("/admin/rules/new", data=rule_data(
        condition1_field=name, condition1_op=op, condition1_value=text, approval_policy_id=str(it_lead.id)))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'id="{input_id}-err">([^<]*)<', html)
    assert error and message in error.group(1).replace("&#34;", '"').replace("&#39;", "'")
    assert db.session.scalar(select(ValidationRule)) is None


def test_value_input_offers_the_fields_values(client, admin, laptop, it_lead):
    """Saved "spec is High-end": the edit page's value is a select of the options, chosen."""
    client.post("/admin/rules/new", data=rule_data(condition1_field="answers.spec", condition1_value="High-end",
                                                    approval_policy_id=str(it_lead.id)))
    rule = db.session.scalar(select(ValidationRule))
    html = client.get(f"/admin/rules/{rule.id}").get_data(as_text=True)
    assert re.search(r'<select id="condition1_value" name="condition1_value">', html)
    assert '<option value="High-end" selected>' in html and '<option value="Standard">' in html


def test_condition_row_fragment_follows_the_chosen_field(client, admin, laptop):
    response = client.get("/admin/rules/condition/2", headers={"HX-Request": "true"}, query_string={
        "condition2_field": "answers.laptop_needed", "condition2_op": "eq", "ticket_type": "", "category_id": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div class="row condition-row" id="condition-row-2"')
    assert '<option value="yes">' in html and '<option value="no">' in html and "Laptop needed, a checkbox" in html
    several = client.get("/admin/rules/condition/1", query_string={
        "condition1_field": "impact", "condition1_op": "in"}).get_data(as_text=True)
    assert "Separate with commas: High, Medium, Low." in several and 'list="values-1"' in several
    numeric = client.get("/admin/rules/condition/1", query_string={
        "condition1_field": "answers.cost", "condition1_op": "gt"}).get_data(as_text=True)
    assert 'name="condition1_value"' in numeric and "A number, e.g. 1000." in numeric and "<select id=\"condition1_value\"" not in numeric


@pytest.mark.parametrize("n, query, status", [
    (0, {}, 404), (4, {}, 404),
    (1, {"category_id": "99999999999", "ticket_type": "bogus", "condition1_op": "nope"}, 200),
    (1, {"condition1_field": "answers.Bad Key"}, 200),
])
def test_condition_row_fragment_bad_input(client, admin, n, query, status):
    assert client.get(f"/admin/rules/condition/{n}", query_string=query).status_code == status


def test_rule_list_queries_do_not_grow_per_rule(client, admin, laptop, it_lead, count_queries):
    def add(start, stop):
        for i in range(start, stop):
            validation_rules.save_rule(None, validation_rules.RuleInput(
                name=f"Rule {i}", kind=RuleKind.APPROVE, message="m", approval_policy_id=it_lead.id,
                category_id=laptop.category_id, conditions=[("answers.cost", "gt", str(i))]))
        db.session.commit()

    add(0, 2)
    few = count_queries(lambda: client.get("/admin/rules"))
    add(2, 8)
    assert count_queries(lambda: client.get("/admin/rules")) == few


# --- The migration's conversion of rules saved untyped --------------------------------------------

@pytest.fixture(scope="module")
def migration():
    spec = importlib.util.spec_from_file_location("typed_conditions_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


KINDS = {"laptop_needed": "boolean", "cost": "number", "needed_by": "date", "spec": "choice", "software": "multi"}


@pytest.mark.parametrize("old, new", [
    ({"field": "answers.laptop_needed", "op": "eq", "value": "yes"},
     {"field": "answers.laptop_needed", "op": "eq", "value": True, "type": "boolean"}),
    ({"field": "answers.laptop_needed", "op": "eq", "value": "TRUE"},
     {"field": "answers.laptop_needed", "op": "eq", "value": True, "type": "boolean"}),
    ({"field": "answers.laptop_needed", "op": "ne", "value": "no"},
     {"field": "answers.laptop_needed", "op": "ne", "value": False, "type": "boolean"}),
    ({"field": "answers.cost", "op": "gt", "value": "1000"},
     {"field": "answers.cost", "op": "gt", "value": 1000, "type": "number"}),
    ({"field": "answers.cost", "op": "eq", "value": "2.5"},
     {"field": "answers.cost", "op": "eq", "value": 2.5, "type": "number"}),
    ({"field": "answers.needed_by", "op": "lt", "value": "2026-10-01"},
     {"field": "answers.needed_by", "op": "lt", "value": "2026-10-01", "type": "date"}),
    ({"field": "answers.spec", "op": "in", "value": "Standard, High-end"},
     {"field": "answers.spec", "op": "in", "value": ["Standard", "High-end"], "type": "choice"}),
    ({"field": "answers.software", "op": "eq", "value": "Visio"},
     {"field": "answers.software", "op": "has", "value": "Visio", "type": "multi"}),
    ({"field": "answers.cost", "op": "not_empty", "value": ""},
     {"field": "answers.cost", "op": "not_empty", "value": None, "type": "number"}),
    ({"field": "answers.ambiguous", "op": "eq", "value": "x"}, {"field": "answers.ambiguous", "op": "eq", "value": "x"}),
    ({"field": "priority", "op": "eq", "value": "1"}, {"field": "priority", "op": "eq", "value": 1}),
    ({"field": "priority", "op": "in", "value": "1, 2"}, {"field": "priority", "op": "in", "value": [1, 2]}),
    ({"field": "priority", "op": "lt", "value": "3"}, {"field": "priority", "op": "lt", "value": 3}),
    ({"field": "impact", "op": "eq", "value": "MEDIUM"}, {"field": "impact", "op": "eq", "value": "medium"}),
    ({"field": "channel", "op": "eq", "value": "Walk-in"}, {"field": "channel", "op": "eq", "value": "walk_in"}),
    ({"field": "category", "op": "eq", "value": "hardware"}, {"field": "category", "op": "eq", "value": 7}),
    ({"field": "title", "op": "eq", "value": " VPN "}, {"field": "title", "op": "eq", "value": "VPN"}),
])
def test_migration_types_stored_conditions(migration, old, new):
    assert json.loads(migration.convert_conditions(json.dumps([old]), KINDS, {"hardware": 7})) == [new]


def test_migration_answer_kinds_leave_out_disagreeing_keys(migration):
    rows = [("cost", "number"), ("cost", "number"), ("laptop_needed", "checkbox"), ("x", "text"), ("x", "date")]
    assert migration.answer_kinds_from(rows) == {"cost": "number", "laptop_needed": "boolean"}


def test_migration_downgrade_gives_back_text(migration):
    typed = {"field": "answers.laptop_needed", "op": "eq", "value": True, "type": "boolean"}
    assert migration.untyped_condition(typed, {}) == {"field": "answers.laptop_needed", "op": "eq", "value": "yes"}
    assert migration.untyped_condition({"field": "category", "op": "in", "value": [7]}, {7: "Hardware"})["value"] == "Hardware"


def test_converted_conditions_evaluate_like_the_editor_would_store_them(migration, laptop, make_user, it_lead):
    """A rule saved untyped before the migration ("yes"), converted, matches the ticked box."""
    old = json.dumps([{"field": "answers.laptop_needed", "op": "eq", "value": "yes"}])
    rule = ValidationRule(name="Old laptop rule", kind=RuleKind.APPROVE, message="m", approval_policy=it_lead,
                          conditions=migration.convert_conditions(old, KINDS, {}))
    db.session.add(rule)
    db.session.commit()
    erin = make_user("erin")
    draft = catalog.save_catalog_draft(erin, laptop, {"laptop_needed": "yes"}, {})
    tickets.submit_ticket(draft, erin)
    assert draft.status == Status.UNDER_REVIEW


def test_ticket_fields_compare_typed(make_user, make_ticket):
    ticket = make_ticket(make_user("erin"), impact=Level.HIGH, urgency=Level.HIGH)
    assert conditions.holds({"field": "priority", "op": "eq", "value": 1, "type": "number"}, ticket)
    assert conditions.holds({"field": "category", "op": "eq", "value": ticket.category_id, "type": "choice"}, ticket)
    assert not conditions.holds({"field": "category", "op": "eq", "value": ticket.category_id + 1}, ticket)


def test_migration_upgrade_on_this_database(migration, laptop):
    """The revision's upgrade() run on the suite's database (SQLite or PostgreSQL): a checkbox,
    a number, a category by name and an "is one of" saved untyped come out typed."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    old = [{"field": "answers.laptop_needed", "op": "eq", "value": "yes"},
           {"field": "answers.cost", "op": "gt", "value": "1,000"},
           {"field": "category", "op": "eq", "value": "HARDWARE"}, {"field": "urgency", "op": "in", "value": "High, low"}]
    rule = ValidationRule(name="Saved untyped", kind=RuleKind.REFUSE, message="m", conditions=json.dumps(old))
    db.session.add(rule)
    db.session.flush()
    with Operations.context(MigrationContext.configure(db.session.connection())):
        migration.upgrade()
    db.session.expire_all()
    assert [c["value"] for c in json.loads(db.session.get(ValidationRule, rule.id).conditions)] == [
        True, 1000, laptop.category_id, ["high", "low"]]
