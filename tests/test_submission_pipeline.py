"""The submission pipeline for catalog requests: answers checked against the item's form,
a snapshot kept, validation rules applied, approvals started, queued only once approved."""
import json

import pytest

from app.extensions import db
from app.models import (
    ApprovalPolicy, ApprovalStepDef, CatalogItem, Decision, FieldType, FormField, OutboxMessage,
    Role, RuleKind, Status, StepMode, StepState, Ticket, TicketEvent, TicketType, ValidationRule,
)
from app.services import approvals, tickets
from app.services.catalog_forms import answer_rows, specs_from_json
from app.services.errors import ValidationFailed


@pytest.fixture
def laptop(make_category, make_team, make_user):
    team = make_team("Desktop Support")
    boss = make_user("boss", roles=[Role.EMPLOYEE])
    lead = make_user("lead", roles=[Role.AGENT], teams=[team], lead=True)
    policy = ApprovalPolicy(name="Manager, then IT lead", steps=[
        ApprovalStepDef(position=1, name="Manager", mode=StepMode.ANY, approvers='[{"kind": "manager"}]'),
        ApprovalStepDef(position=2, name="IT lead", mode=StepMode.ANY,
                        approvers=json.dumps([{"kind": "team_lead", "team_id": team.id}])),
    ])
    item = CatalogItem(name="New laptop", category=make_category("Hardware", team=team),
                       approval_policy=policy, fields=[
        FormField(key="spec", label="Spec", field_type=FieldType.CHOICE, required=True,
                  choices='["Standard", "Above standard"]', position=1),
        FormField(key="justification", label="Justification", field_type=FieldType.LONG_TEXT,
                  required=True, show_if_key="spec", show_if_value="Above standard", position=2),
    ])
    db.session.add(item)
    db.session.commit()
    return item, boss, lead


def _draft(requester, item, answers):
    ticket = Ticket(status=Status.DRAFT, requester=requester, created_by=requester,
                    ticket_type=item.ticket_type, title=item.name, category=item.category,
                    impact=item.impact, urgency=item.urgency, catalog_item=item,
                    answers=json.dumps(answers))
    db.session.add(ticket)
    db.session.flush()
    return ticket


def test_conditional_field_is_required_only_when_shown(laptop, make_user):
    item, boss, _ = laptop
    ann = make_user("ann", manager_id=boss.id)
    draft = _draft(ann, item, {"spec": "Above standard", "justification": ""})
    with pytest.raises(ValidationFailed) as err:
        tickets.submit_ticket(draft, ann)
    assert err.value.field_errors == {"q_justification": ["Justification is required."]}
    assert draft.status == Status.DRAFT and draft.number is None
    assert db.session.query(OutboxMessage).count() == 0  # the savepoint left nothing behind


def test_approval_flow_two_steps_then_queue(laptop, make_user):
    item, boss, lead = laptop
    ann = make_user("ann", manager_id=boss.id)
    draft = _draft(ann, item, {"spec": "Standard", "justification": "ignored while hidden"})
    tickets.submit_ticket(draft, ann)
    db.session.commit()
    assert draft.status == Status.UNDER_REVIEW and draft.team is None
    assert json.loads(draft.answers) == {"spec": "Standard"}
    steps = approvals.ticket_steps(draft)
    assert [s.state for s in steps] == [StepState.PENDING, StepState.WAITING]
    assert [s.ticket.number for s in approvals.inbox(boss)] == [draft.number]
    assert approvals.inbox(lead) == []
    approvals.decide(steps[0].id, boss, Decision.APPROVED)
    db.session.commit()
    assert [s.number for s in (x.ticket for x in approvals.inbox(lead))] == [draft.number]
    approvals.decide(steps[1].id, lead, Decision.APPROVED, "ok")
    db.session.commit()
    assert draft.status == Status.OPEN and draft.team.name == "Desktop Support"
    jobs = [m.job for m in db.session.query(OutboxMessage)]
    assert jobs.count("notify_approvers") == 2 and jobs.count("notify_team_ticket_queued") == 1


def test_rejection_cancels_with_reason(laptop, make_user):
    item, boss, _ = laptop
    ann = make_user("ann", manager_id=boss.id)
    draft = _draft(ann, item, {"spec": "Standard"})
    tickets.submit_ticket(draft, ann)
    step = approvals.ticket_steps(draft)[0]
    with pytest.raises(ValidationFailed):
        approvals.decide(step.id, boss, Decision.REJECTED, "")
    approvals.decide(step.id, boss, Decision.REJECTED, "Budget frozen until Q3")
    db.session.commit()
    assert draft.status == Status.CANCELLED
    notes = [e.note for e in db.session.query(TicketEvent).filter_by(ticket_id=draft.id, action="status_changed")]
    assert "Rejected by Boss: Budget frozen until Q3" in notes
    assert [s.state for s in approvals.ticket_steps(draft)] == [StepState.REJECTED, StepState.CANCELLED]


def test_no_manager_refuses_submission_with_a_message(laptop, make_user):
    item, _, _ = laptop
    ann = make_user("ann")
    draft = _draft(ann, item, {"spec": "Standard"})
    with pytest.raises(ValidationFailed, match="nobody can approve"):
        tickets.submit_ticket(draft, ann)
    assert draft.number is None


def test_snapshot_survives_form_edits(laptop, make_user):
    item, boss, _ = laptop
    ann = make_user("ann", manager_id=boss.id)
    draft = _draft(ann, item, {"spec": "Standard"})
    tickets.submit_ticket(draft, ann)
    db.session.commit()
    item.fields[0].label = "Laptop model"
    db.session.commit()
    rows = answer_rows(specs_from_json(draft.form_version.fields_json), json.loads(draft.answers))
    assert rows == [("Spec", "Standard")]


def test_refuse_and_require_rules_apply_on_every_channel(make_user, make_ticket, make_category, ticket_input):
    db.session.add(ValidationRule(name="No P1 by phone", kind=RuleKind.REFUSE, message="Call the hotline",
                                  conditions='[{"field": "priority", "op": "eq", "value": "1"}]'))
    db.session.add(ValidationRule(name="Changes describe rollback", kind=RuleKind.REQUIRE,
                                  ticket_type=TicketType.CHANGE, message="Say how to roll back",
                                  required_fields='["contact_phone"]'))
    db.session.commit()
    ann = make_user("ann")
    cat = make_category()
    with pytest.raises(ValidationFailed) as err:
        tickets.create_ticket(ticket_input(cat, impact="high", urgency="high"), requester=ann,
                              created_by=ann, channel="phone")
    assert err.value.field_errors == {"__all__": ["Call the hotline"]}
    with pytest.raises(ValidationFailed) as err:
        tickets.create_ticket(ticket_input(cat, ticket_type=TicketType.CHANGE, contact_phone=""),
                              requester=ann, created_by=ann, channel="phone")
    assert err.value.field_errors == {"contact_phone": ["Say how to roll back"]}


def test_managers_without_the_approver_role_find_their_inbox(client, login, laptop, make_user):
    item, boss, _ = laptop
    ann = make_user("ann", manager_id=boss.id)
    tickets.submit_ticket(_draft(ann, item, {"spec": "Standard"}), ann)
    db.session.commit()
    login(boss)
    link = client.get("/approvals/nav", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "/approvals/" in link and ">1<" in link
    login(ann)
    assert "Approvals" not in client.get("/approvals/nav", headers={"HX-Request": "true"}).get_data(as_text=True)


def test_inbox_queries_do_not_grow_with_entries(client, login, laptop, make_user, count_queries):
    """The inbox loads every entry's requester history in one query, not one per entry."""
    item, boss, _ = laptop

    def inbox_with(n):
        for i in range(n):
            requester = make_user(f"req{i}_{n}", manager_id=boss.id)
            tickets.submit_ticket(_draft(requester, item, {"spec": "Standard"}), requester)
        db.session.commit()
        login(boss)
        return count_queries(lambda: client.get("/approvals/"))

    assert inbox_with(1) == inbox_with(3)
