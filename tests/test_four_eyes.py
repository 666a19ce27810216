"""Four eyes on approvals: nobody decides a step of a ticket they requested, filed or are
assigned to. Left off a step when it is planned; a step left with nobody refuses the
submission (what was typed is kept); refused (403, with the reason) if they gain a stake later;
never listed in their inbox nor offered the buttons."""
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    ApprovalPolicy, ApprovalStepDef, CatalogItem, Channel, Decision, FieldType, FormField, Level,
    Role, RuleKind, Status, StepMode, StepState, Ticket, TicketType, ValidationRule,
)
from app.services import approvals, assignment, permissions, tickets
from app.services.errors import Conflict, PermissionDenied, ValidationFailed

HX = {"HX-Request": "true"}
NOBODY_ELSE = "nobody else can approve it"


def _user_spec(*users):
    return [{"kind": "user", "user_id": u.id} for u in users]


def _policy(name, mode, *approvers):
    return ApprovalPolicy(name=name, steps=[ApprovalStepDef(
        position=1, name=name, mode=mode, approvers=json.dumps(_user_spec(*approvers)))])


@pytest.fixture
def org(make_team, make_category, make_user):
    """A service desk whose agent ``desk`` sits on the CAB with Olivia (every change needs both,
    the demo's "Changes need CAB approval"), another agent ``tom``, approvers amy and bob."""
    team = make_team("Service Desk")
    desk = make_user("desk", roles=[Role.AGENT], teams=[team])
    tom = make_user("tom", roles=[Role.AGENT], teams=[team])
    olivia = make_user("olivia", roles=[Role.EMPLOYEE, Role.APPROVER])
    amy = make_user("amy", roles=[Role.APPROVER])
    bob = make_user("bob", roles=[Role.APPROVER])
    ann = make_user("ann")
    category = make_category("Infrastructure", team=team)
    cab = _policy("Change Advisory Board", StepMode.ALL, olivia, desk)
    db.session.add(ValidationRule(name="Changes need CAB approval", ticket_type=TicketType.CHANGE,
                                  kind=RuleKind.APPROVE, approval_policy=cab,
                                  message="Every change is approved by the CAB."))
    db.session.commit()
    return SimpleNamespace(team=team, desk=desk, tom=tom, olivia=olivia, amy=amy, bob=bob, ann=ann,
                           category=category)


def change_input(org, **overrides):
    values = dict(ticket_type=TicketType.CHANGE, title="Firewall rule for the payroll SFTP",
                  description="Allow outbound SFTP to the provider.", category_id=org.category.id,
                  impact=Level.MEDIUM, urgency=Level.MEDIUM)
    values.update(overrides)
    return tickets.TicketInput(**values)


def file_change(org, requester, created_by, channel=Channel.PHONE):
    ticket = tickets.create_ticket(change_input(org), requester=requester, created_by=created_by,
                                   channel=channel)
    db.session.commit()
    return ticket


def item_with(org, policy):
    item = CatalogItem(name="Admin rights", category=org.category, approval_policy=policy, fields=[
        FormField(key="why", label="Why", field_type=FieldType.TEXT, required=True, position=1)])
    db.session.add(item)
    db.session.commit()
    return item


def submit_request(item, requester, created_by=None, assignee=None):
    """A catalog request as filed: a draft with its answers, submitted."""
    ticket = Ticket(status=Status.DRAFT, requester=requester, created_by=created_by or requester,
                    assignee=assignee, ticket_type=item.ticket_type, title=item.name,
                    category=item.category, impact=item.impact, urgency=item.urgency,
                    catalog_item=item, answers=json.dumps({"why": "Install drivers"}))
    db.session.add(ticket)
    db.session.flush()
    tickets.submit_ticket(ticket, created_by or requester or assignee)
    db.session.commit()
    return ticket


def only_step(ticket):
    [step] = approvals.ticket_steps(ticket)
    return step


def asked(step):
    return sorted(a.user_id for a in step.assignments)


# --- The service ------------------------------------------------------------------------------

def test_agent_filing_a_change_for_someone_is_not_asked_and_cannot_approve(org):
    ticket = file_change(org, requester=org.ann, created_by=org.desk)
    step = only_step(ticket)
    assert ticket.status == Status.UNDER_REVIEW and asked(step) == [org.olivia.id]
    assert approvals.inbox(org.desk) == [] and approvals.pending_count(org.desk) == 0
    assert not approvals.can_decide(org.desk, step)
    with pytest.raises(PermissionDenied, match="You filed this ticket"):
        approvals.decide(step.id, org.desk, Decision.APPROVED)
    approvals.decide(step.id, org.olivia, Decision.APPROVED)  # all-of: the one left completes it
    db.session.commit()
    assert step.state == StepState.APPROVED and ticket.status == Status.OPEN


def test_proactive_change_is_not_approved_by_whoever_raised_it(org):
    ticket = file_change(org, requester=None, created_by=org.desk, channel=Channel.AGENT)
    assert asked(only_step(ticket)) == [org.olivia.id]


@pytest.mark.parametrize("position", ["requester", "created_by", "assignee"])
def test_each_party_to_the_ticket_is_left_off_the_step(org, position):
    item = item_with(org, _policy("Sign-off", StepMode.ANY, org.desk, org.amy))
    party = {"requester": dict(requester=org.desk), "created_by": dict(requester=org.ann, created_by=org.desk),
             "assignee": dict(requester=org.ann, assignee=org.desk)}[position]
    step = only_step(submit_request(item, **party))
    assert asked(step) == [org.amy.id]
    with pytest.raises(PermissionDenied):
        approvals.decide(step.id, org.desk, Decision.APPROVED)


def test_all_of_step_without_the_excluded_one_completes_with_the_others(org):
    item = item_with(org, _policy("Everyone", StepMode.ALL, org.desk, org.amy, org.bob))
    ticket = submit_request(item, requester=org.ann, created_by=org.desk)
    step = only_step(ticket)
    assert asked(step) == sorted([org.amy.id, org.bob.id])
    approvals.decide(step.id, org.amy, Decision.APPROVED)
    db.session.commit()
    assert step.state == StepState.PENDING
    approvals.decide(step.id, org.bob, Decision.APPROVED)
    db.session.commit()
    assert step.state == StepState.APPROVED and ticket.status == Status.OPEN


def test_a_step_left_with_nobody_refuses_the_submission(org):
    with pytest.raises(ValidationFailed, match=NOBODY_ELSE) as refused:
        tickets.create_ticket(change_input(org), requester=org.olivia, created_by=org.desk,
                              channel=Channel.PHONE)
    assert "Change Advisory Board" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(Ticket)) is None  # nothing half-filed stays behind


def test_missing_manager_keeps_its_own_message(org, make_user):
    item = item_with(org, ApprovalPolicy(name="Manager", steps=[ApprovalStepDef(
        position=1, name="Line manager", mode=StepMode.ANY, approvers=json.dumps([{"kind": "manager"}]))]))
    with pytest.raises(ValidationFailed, match="no manager is set"):
        submit_request(item, requester=org.ann)


@pytest.fixture
def reassigned(org):
    """An all-of step for amy and bob, then bob assigned to the ticket. No service assigns a
    ticket Under Review (claims are refused), so the test sets it: the check must hold anyway."""
    item = item_with(org, _policy("Both", StepMode.ALL, org.amy, org.bob))
    ticket = submit_request(item, requester=org.ann)
    ticket.assignee = org.bob
    db.session.commit()
    return ticket


def test_an_approver_assigned_since_is_refused_and_not_waited_for(org, reassigned):
    step = only_step(reassigned)
    assert approvals.inbox(org.bob) == [] and approvals.pending_count(org.bob) == 0
    assert not approvals.can_decide(org.bob, step)
    with pytest.raises(PermissionDenied, match="You are assigned to this ticket"):
        approvals.decide(step.id, org.bob, Decision.APPROVED)
    approvals.decide(step.id, org.amy, Decision.APPROVED)
    db.session.commit()
    assert step.state == StepState.APPROVED and reassigned.status == Status.OPEN


def test_the_rule_is_one_predicate(org):
    ticket = Ticket(requester_id=org.ann.id, created_by_id=org.desk.id, assignee_id=org.tom.id)
    assert permissions.approval_conflict(org.ann.id, ticket) == "You cannot approve your own request."
    assert "filed" in permissions.approval_conflict(org.desk.id, ticket)
    assert "assigned" in permissions.approval_conflict(org.tom.id, ticket)
    assert permissions.may_decide_approvals(org.amy.id, ticket)


def test_a_ticket_under_review_cannot_be_claimed(org):
    ticket = file_change(org, requester=org.ann, created_by=org.tom)
    assert not permissions.can_claim_ticket(org.desk, ticket)
    with pytest.raises(Conflict, match="waits for approval"):
        assignment.claim_ticket(ticket, org.desk)
    assert ticket.assignee_id is None


# --- HTTP -------------------------------------------------------------------------------------

def _new_change(org, **overrides):
    data = {"ticket_type": "change", "title": "Firewall rule for the payroll SFTP",
            "description": "Allow outbound SFTP to the provider.", "category_id": str(org.category.id),
            "impact": "medium", "urgency": "medium", "channel": "phone", "q": "", "team_id": ""}
    data.update(overrides)
    return data


def test_agent_files_a_change_and_cannot_approve_it_over_http(client, login, org):
    login(org.desk)
    response = client.post("/agent/new", data=_new_change(org, requester_id=str(org.ann.id)))
    assert response.status_code == 303
    ticket = db.session.scalar(select(Ticket))
    step = only_step(ticket)
    assert "Nothing waits for your approval" in client.get("/approvals/").get_data(as_text=True)
    assert client.get("/approvals/nav").get_data(as_text=True).strip() == '<span id="approvals-nav" hidden></span>'
    refused = client.post(f"/approvals/steps/{step.id}/decide", headers=HX, data={"decision": "approved"})
    assert refused.status_code == 403 and "You filed this ticket" in refused.get_data(as_text=True)
    as_json = client.post(f"/approvals/steps/{step.id}/decide", headers={"Accept": "application/json"},
                          data={"decision": "approved"})
    assert as_json.status_code == 403 and "You filed this ticket" in as_json.get_json()["error"]
    assert client.get(f"/approvals/steps/{step.id}").status_code == 404  # not named on it
    login(org.olivia)
    assert ticket.number in client.get("/approvals/").get_data(as_text=True)
    assert client.post(f"/approvals/steps/{step.id}/decide", headers=HX,
                       data={"decision": "approved", "origin": "inbox"}).status_code == 200
    db.session.rollback()
    assert db.session.get(Ticket, ticket.id).status == Status.OPEN


def test_agent_form_refused_for_nobody_else_keeps_what_was_typed(client, login, org):
    login(org.desk)
    response = client.post("/agent/new", data=_new_change(
        org, requester_id=str(org.olivia.id), description="Allow **outbound** SFTP, ticket 4711."))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and NOBODY_ELSE in html
    assert "Firewall rule for the payroll SFTP" in html and "ticket 4711" in html
    assert f'value="{org.olivia.id}"' in html  # the picked requester too
    assert db.session.scalar(select(Ticket)) is None


def test_portal_request_refused_for_nobody_else_is_kept_as_a_draft(client, login, org):
    item = item_with(org, _policy("Self approval", StepMode.ANY, org.ann))
    login(org.ann)
    response = client.post(f"/catalog/{item.id}", data={"q_why": "Install the CAD drivers", "action": "submit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and NOBODY_ELSE in html and "Install the CAD drivers" in html
    db.session.rollback()
    draft = db.session.scalar(select(Ticket))
    assert draft.is_draft and draft.number is None
    assert json.loads(draft.answers) == {"why": "Install the CAD drivers"}


def test_approver_assigned_since_gets_no_buttons_and_a_403(client, login, org, reassigned):
    step = only_step(reassigned)
    login(org.bob)
    assert reassigned.number not in client.get("/approvals/").get_data(as_text=True)
    page = client.get(f"/approvals/steps/{step.id}").get_data(as_text=True)
    assert "You are assigned to this ticket" in page and "Reason for rejecting" not in page
    assert "Waiting for Amy." in page  # bob is no longer waited for
    refused = client.post(f"/approvals/steps/{step.id}/decide", headers=HX, data={"decision": "rejected",
                                                                                 "comment": "No"})
    assert refused.status_code == 403 and "You are assigned to this ticket" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Ticket, reassigned.id).status == Status.UNDER_REVIEW


def test_no_claim_button_while_under_review(client, login, org):
    ticket = file_change(org, requester=org.ann, created_by=org.tom)
    login(org.desk)
    page = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    assert "claim-form" not in page
    refused = client.post(f"/agent/tickets/{ticket.number}/claim", headers=HX)
    assert refused.status_code == 409 and "waits for approval" in refused.get_data(as_text=True)
