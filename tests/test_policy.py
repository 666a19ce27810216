"""services.policy: operators on ticket fields (every kind and operator is in test_conditions),
scope, the three kinds, inactive rules, and the end to end rule "priority 1 needs a
business-impact statement" on submission and on agent edits."""
import json

import pytest

from app.extensions import db
from app.models import (ApprovalPolicy, CatalogItem, Channel, FieldType, FormField, Level, Role, RuleKind,
                        Status, Ticket, TicketType, ValidationRule)
from app.services import policy, tickets
from app.services.errors import ValidationFailed


def rule(kind=RuleKind.REFUSE, conditions=(), required=(), message="Not allowed.", **values) -> ValidationRule:
    r = ValidationRule(name=values.pop("name", f"rule {kind} {len(conditions)} {message}"), kind=kind,
                       conditions=json.dumps(list(conditions)), required_fields=json.dumps(list(required)),
                       message=message, active=values.pop("active", True), **values)
    db.session.add(r)
    db.session.commit()
    return r


def cond(field, op, value=""):
    return {"field": field, "op": op, "value": value}


@pytest.fixture
def ticket(make_user, make_ticket):
    """A submitted P2 incident (impact medium, urgency high) in Hardware."""
    return make_ticket(make_user("erin"))


@pytest.mark.parametrize("condition, holds", [
    (cond("priority", "eq", "2"), True), (cond("priority", "eq", "1"), False),
    (cond("impact", "eq", "MEDIUM"), True),  # case-insensitive
    (cond("priority", "ne", "1"), True), (cond("priority", "ne", "2"), False),
    (cond("urgency", "in", "high, medium"), True), (cond("urgency", "in", "low"), False),
    (cond("priority", "lt", "3"), True), (cond("priority", "lt", "2"), False),
    (cond("priority", "gt", "1"), True), (cond("priority", "gt", "2"), False),
    (cond("priority", "gt", "not a number"), False),
    (cond("contact_phone", "empty"), False), (cond("answers.missing", "empty"), True),
    (cond("description", "not_empty"), True), (cond("answers.missing", "not_empty"), False),
    (cond("ticket_type", "eq", "incident"), True),
    (cond("priority", "eq", 2), True), (cond("priority", "in", [1, 2]), True),  # typed, as the editor saves
])
def test_each_operator(ticket, condition, holds):
    assert policy.applies(rule(conditions=[condition]), ticket) is holds


def test_all_conditions_must_hold(ticket):
    both = rule(conditions=[cond("priority", "eq", "2"), cond("channel", "eq", "email")])
    assert not policy.applies(both, ticket)


def test_scope_by_type_and_category(ticket, make_category):
    other = make_category("Software")
    rule(message="incidents", ticket_type=TicketType.INCIDENT)
    rule(message="requests", ticket_type=TicketType.SERVICE_REQUEST)
    rule(message="hardware", category_id=ticket.category_id)
    rule(message="software", category_id=other.id)
    rule(message="everything")
    assert policy.evaluate(ticket).errors == {"__all__": ["incidents", "hardware", "everything"]}


def test_require_core_field_and_answer(ticket):
    rule(RuleKind.REQUIRE, [cond("priority", "eq", "2")], ["contact_phone", "answers.cost_centre"],
         message="P2 needs these.")
    ticket.contact_phone = None
    assert policy.evaluate(ticket).errors == {"contact_phone": ["P2 needs these."],
                                              "q_cost_centre": ["P2 needs these."]}
    ticket.contact_phone, ticket.answers = "+44 1", json.dumps({"cost_centre": "CC-12"})
    assert policy.evaluate(ticket).errors == {}


def test_refuse_and_approve(ticket):
    signoff = ApprovalPolicy(name="Manager sign-off")
    retired = ApprovalPolicy(name="Old policy", active=False)
    db.session.add_all([signoff, retired])
    db.session.commit()
    rule(RuleKind.REFUSE, [cond("channel", "eq", "portal")], message="Phone the desk instead.")
    rule(RuleKind.APPROVE, [cond("priority", "lt", "3")], approval_policy_id=signoff.id, message="a")
    rule(RuleKind.APPROVE, [], approval_policy_id=retired.id, message="b")
    result = policy.evaluate(ticket)
    assert result.errors == {"__all__": ["Phone the desk instead."]}
    assert result.approval_policies == [signoff]


def test_inactive_rules_are_ignored(ticket):
    rule(message="off", active=False)
    assert policy.evaluate(ticket).errors == {}


# --- End to end: "priority 1 needs a business-impact statement" ---------------------------------

P1_MESSAGE = "A P1 needs a business-impact statement."


@pytest.fixture
def p1_rule():
    return rule(RuleKind.REQUIRE, [cond("priority", "eq", "1")], ["answers.business_impact"],
                message=P1_MESSAGE, name="P1 business impact")


@pytest.fixture
def outage_item(make_category):
    item = CatalogItem(name="Report an outage", category=make_category("Services"),
                       ticket_type=TicketType.INCIDENT, impact=Level.HIGH, urgency=Level.HIGH)
    item.fields = [FormField(key="service", label="Service", field_type=FieldType.TEXT, required=True, position=0),
                   FormField(key="business_impact", label="Business impact", field_type=FieldType.LONG_TEXT,
                             position=1)]
    db.session.add(item)
    db.session.commit()
    return item


def catalog_draft(requester, item, answers) -> Ticket:
    draft = tickets.save_draft(requester, tickets.TicketInput(
        ticket_type=item.ticket_type, title=item.name, category_id=item.category_id,
        impact=item.impact, urgency=item.urgency))
    draft.catalog_item, draft.answers = item, json.dumps(answers)
    db.session.commit()
    return draft


def test_p1_rule_blocks_catalog_submission_by_the_field(p1_rule, outage_item, make_user):
    erin = make_user("erin")
    draft = catalog_draft(erin, outage_item, {"service": "Payroll"})
    with pytest.raises(ValidationFailed) as refused:
        tickets.submit_ticket(draft, erin)
    assert refused.value.field_errors == {"q_business_impact": [P1_MESSAGE]}
    db.session.rollback()
    draft = db.session.get(Ticket, draft.id)
    assert draft.status == Status.DRAFT and draft.number is None

    draft.answers = json.dumps({"service": "Payroll", "business_impact": "Nobody is paid."})
    tickets.submit_ticket(draft, erin)
    db.session.commit()
    assert draft.status == Status.NEW and draft.priority == 1


def test_p1_rule_blocks_create_ticket(p1_rule, make_user, make_category, ticket_input):
    erin, hardware = make_user("erin"), make_category()
    with pytest.raises(ValidationFailed) as refused:
        tickets.create_ticket(ticket_input(hardware, impact=Level.HIGH, urgency=Level.HIGH), requester=erin,
                              created_by=erin, channel=Channel.PORTAL)
    assert P1_MESSAGE in refused.value.field_errors["q_business_impact"]
    tickets.create_ticket(ticket_input(hardware), requester=erin, created_by=erin,
                          channel=Channel.PORTAL)  # P2: the rule does not apply


def test_p1_rule_blocks_agent_priority_change(p1_rule, ticket, make_user):
    agent = make_user("andy", roles=[Role.AGENT])
    with pytest.raises(ValidationFailed) as refused:
        tickets.change_priority(ticket, agent, 1, "The whole floor is down.")
    assert refused.value.field_errors == {"priority": [P1_MESSAGE]}
    db.session.rollback()
    assert db.session.get(Ticket, ticket.id).priority == 2

    ticket = db.session.get(Ticket, ticket.id)
    ticket.answers = json.dumps({"business_impact": "Trading stopped."})
    tickets.change_priority(ticket, agent, 1, "The whole floor is down.")
    assert ticket.priority == 1
