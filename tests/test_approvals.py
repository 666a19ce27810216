"""Approvals: the decide service (any/all, steps in order, rejection, who may decide) and the
approver's pages (inbox, step page, decisions over htmx and plain posts)."""
import json
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    ApprovalPolicy, ApprovalStepDef, CatalogItem, Decision, FieldType, FormField, OutboxMessage,
    Role, Status, StepMode, StepState, Ticket, TicketEvent,
)
from app.services import approvals, tickets
from app.services.errors import Conflict, PermissionDenied, ValidationFailed


def _policy(name, *steps):
    """steps: (name, mode, [approver specs])."""
    return ApprovalPolicy(name=name, steps=[
        ApprovalStepDef(position=i + 1, name=n, mode=mode, approvers=json.dumps(specs))
        for i, (n, mode, specs) in enumerate(steps)])


@pytest.fixture
def world(make_category, make_team, make_user):
    team = make_team("Desktop Support")
    boss = make_user("boss", department="Finance")
    ann = make_user("ann", manager_id=boss.id, department="Finance")
    amy = make_user("amy", roles=[Role.APPROVER])
    bob = make_user("bob", roles=[Role.APPROVER])
    lead = make_user("lead", roles=[Role.AGENT], teams=[team], lead=True)
    category = make_category("Hardware", team=team)

    def item(name, policy):
        entry = CatalogItem(name=name, category=category, approval_policy=policy, fields=[
            FormField(key="model", label="Model", field_type=FieldType.TEXT, required=True, position=1)])
        db.session.add(entry)
        db.session.commit()
        return entry

    return SimpleNamespace(team=team, boss=boss, ann=ann, amy=amy, bob=bob, lead=lead, item=item,
                           category=category)


def submit(world, item, requester=None, model="X1 Carbon"):
    requester = requester or world.ann
    ticket = Ticket(status=Status.DRAFT, requester=requester, created_by=requester,
                    ticket_type=item.ticket_type, title=item.name, category=item.category,
                    impact=item.impact, urgency=item.urgency, catalog_item=item,
                    answers=json.dumps({"model": model}))
    db.session.add(ticket)
    db.session.flush()
    tickets.submit_ticket(ticket, requester)
    db.session.commit()
    return ticket


@pytest.fixture
def any_of(world):
    return world.item("Monitor", _policy("Approvers", ("Approver", StepMode.ANY, [{"kind": "role", "role": "approver"}])))


@pytest.fixture
def all_of(world):
    return world.item("Laptop", _policy("Both approvers", (
        "Both", StepMode.ALL, [{"kind": "user", "user_id": world.amy.id}, {"kind": "user", "user_id": world.bob.id}])))


@pytest.fixture
def two_steps(world):
    return world.item("Software", _policy("Manager, then lead", (
        "Manager approval", StepMode.ANY, [{"kind": "manager"}]), (
        "IT lead", StepMode.ANY, [{"kind": "team_lead", "team_id": world.team.id}])))


def _events(ticket, action):
    return db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                        TicketEvent.action == action)).all()


# --- The service ------------------------------------------------------------------------------

def test_any_of_completes_on_one_approval_and_queues(world, any_of):
    ticket = submit(world, any_of)
    step = approvals.ticket_steps(ticket)[0]
    assert {a.user_id for a in step.assignments} == {world.amy.id, world.bob.id}
    approvals.decide(step.id, world.amy, Decision.APPROVED)
    db.session.commit()
    assert step.state == StepState.APPROVED and ticket.status == Status.OPEN
    assert ticket.team == world.team
    assert [m.job for m in db.session.scalars(select(OutboxMessage))].count("notify_team_ticket_queued") == 1
    assert approvals.inbox(world.bob) == []  # the other approver's entry is gone


def test_full_approval_publishes_ticket_queued(world, any_of, monkeypatch):
    published = []
    from app.services import events

    real = events.publish
    monkeypatch.setattr(events, "publish", lambda name, t, **d: (published.append(name), real(name, t, **d)))
    ticket = submit(world, any_of)
    approvals.decide(approvals.ticket_steps(ticket)[0].id, world.bob, Decision.APPROVED)
    assert published.count("ticket.queued") == 1


def test_all_of_needs_every_approver(world, all_of):
    ticket = submit(world, all_of)
    step = approvals.ticket_steps(ticket)[0]
    approvals.decide(step.id, world.amy, Decision.APPROVED, "fine by me")
    db.session.commit()
    assert step.state == StepState.PENDING and ticket.status == Status.UNDER_REVIEW
    approvals.decide(step.id, world.bob, Decision.APPROVED)
    db.session.commit()
    assert step.state == StepState.APPROVED and ticket.status == Status.OPEN


def test_two_steps_in_order(world, two_steps):
    ticket = submit(world, two_steps)
    first, second = approvals.ticket_steps(ticket)
    assert (first.state, second.state) == (StepState.PENDING, StepState.WAITING)
    assert approvals.inbox(world.lead) == []
    with pytest.raises(Conflict, match="not asked yet"):
        approvals.decide(second.id, world.lead, Decision.APPROVED)
    with pytest.raises(PermissionDenied):
        approvals.decide(first.id, world.lead, Decision.APPROVED)
    approvals.decide(first.id, world.boss, Decision.APPROVED)
    db.session.commit()
    assert second.state == StepState.PENDING and second.asked_at is not None
    assert [s.id for s in approvals.inbox(world.lead)] == [second.id]
    approvals.decide(second.id, world.lead, Decision.APPROVED)
    db.session.commit()
    assert ticket.status == Status.OPEN


def test_reject_needs_a_reason_and_cancels_with_it(world, two_steps):
    ticket = submit(world, two_steps)
    first, second = approvals.ticket_steps(ticket)
    with pytest.raises(ValidationFailed) as err:
        approvals.decide(first.id, world.boss, Decision.REJECTED, "   ")
    assert "comment" in err.value.field_errors
    approvals.decide(first.id, world.boss, Decision.REJECTED, "Budget frozen until Q3")
    db.session.commit()
    assert ticket.status == Status.CANCELLED
    assert "Budget frozen until Q3" in ticket.resolution
    assert (first.state, second.state) == (StepState.REJECTED, StepState.CANCELLED)
    change = _events(ticket, "status_changed")[-1]
    assert change.new_value == "cancelled" and "Budget frozen until Q3" in change.note


def test_nobody_approves_twice(world, all_of):
    ticket = submit(world, all_of)
    step = approvals.ticket_steps(ticket)[0]
    approvals.decide(step.id, world.amy, Decision.APPROVED)
    db.session.commit()
    with pytest.raises(Conflict, match="already decided"):
        approvals.decide(step.id, world.amy, Decision.APPROVED)


def test_requester_is_never_their_own_approver(world):
    item = world.item("Desk", _policy("Self", ("Self", StepMode.ANY, [
        {"kind": "user", "user_id": world.ann.id}, {"kind": "user", "user_id": world.amy.id}])))
    ticket = submit(world, item)
    step = approvals.ticket_steps(ticket)[0]
    assert [a.user_id for a in step.assignments] == [world.amy.id]
    with pytest.raises(PermissionDenied, match="your own request"):
        approvals.decide(step.id, world.ann, Decision.APPROVED)


def test_unassigned_user_is_refused(world, any_of, make_user):
    ticket = submit(world, any_of)
    step = approvals.ticket_steps(ticket)[0]
    with pytest.raises(PermissionDenied, match="not yours"):
        approvals.decide(step.id, world.lead, Decision.APPROVED)
    approvals.decide(step.id, world.amy, Decision.APPROVED)
    db.session.commit()
    with pytest.raises(PermissionDenied):  # still not theirs once decided
        approvals.decide(step.id, world.lead, Decision.APPROVED)
    with pytest.raises(Conflict, match="already approved"):
        approvals.decide(step.id, world.bob, Decision.APPROVED)


def test_withdrawal_closes_pending_steps(world, two_steps):
    ticket = submit(world, two_steps)
    assert len(approvals.inbox(world.boss)) == 1
    from app.services.lifecycle import transition_ticket

    transition_ticket(ticket, Status.CANCELLED, world.ann, reason="Not needed any more")
    db.session.commit()
    assert [s.state for s in approvals.ticket_steps(ticket)] == [StepState.CANCELLED] * 2
    assert approvals.inbox(world.boss) == []


def test_every_decision_is_audited(world, all_of):
    ticket = submit(world, all_of)
    step = approvals.ticket_steps(ticket)[0]
    approvals.decide(step.id, world.amy, Decision.APPROVED, "ok")
    approvals.decide(step.id, world.bob, Decision.APPROVED)
    db.session.commit()
    audited = _events(ticket, "approval_approved")
    assert sorted(e.actor_id for e in audited) == sorted([world.amy.id, world.bob.id])
    assert audited[0].note == "ok"


def test_manager_step_without_manager_refuses_submission(world, two_steps, make_user):
    orphan = make_user("orphan")
    with pytest.raises(ValidationFailed, match="no manager"):
        submit(world, two_steps, requester=orphan)


# --- HTTP -------------------------------------------------------------------------------------

HX = {"HX-Request": "true"}


@pytest.fixture
def login_as(login):
    """Switch the signed-in user between requests (Flask-Login caches the user on ``g``)."""
    from flask import g

    def do(user):
        g.pop("_login_user", None)
        return login(user)

    return do


def test_inbox_lists_oldest_first_with_answers_and_history(client, login, world, any_of):
    older = submit(world, any_of, model="Older")
    newer = submit(world, any_of, model="Newer")
    login(world.amy)
    page = client.get("/approvals/").get_data(as_text=True)
    assert page.index(older.number) < page.index(newer.number)
    assert "2 requests waiting for you" in page
    assert "Step 1 of 1: Approver — any one of" in page
    assert "Finance" in page and "Older" in page  # requester's department, the answers
    assert page.count(newer.number) >= 2  # as an entry and in the older entry's history
    assert re.search(r'name="csrf_token" value="[^"]+"', page)
    assert f'id="approval-{approvals.ticket_steps(older)[0].id}"' in page


def test_inbox_poll_answers_204_until_something_changes(client, login, world, any_of):
    login(world.amy)
    body = client.get("/approvals/", headers=HX).get_data(as_text=True)
    stamp = re.search(r'since=([^"]+)"', body).group(1).replace("&amp;", "&")
    assert client.get(f"/approvals/?since={stamp}", headers=HX).status_code == 204
    submit(world, any_of)
    response = client.get(f"/approvals/?since={stamp}", headers=HX)
    assert response.status_code == 200 and 'id="approval-inbox"' in response.get_data(as_text=True)


def test_non_approver_sees_an_empty_inbox(client, login, world, any_of):
    submit(world, any_of)
    login(world.lead)
    page = client.get("/approvals/").get_data(as_text=True)
    assert "Nothing waits for your approval" in page


def test_htmx_approve_replaces_the_entry_and_updates_the_count(client, login, world, any_of):
    ticket, other = submit(world, any_of), submit(world, any_of)
    step = approvals.ticket_steps(ticket)[0]
    login(world.amy)
    response = client.post(f"/approvals/steps/{step.id}/decide", headers=HX,
                           data={"decision": "approved", "comment": "", "origin": "inbox"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<article class="card approval-entry approval-done approval-done-approved" id="approval-{step.id}"')
    assert 'id="inbox-count" hx-swap-oob="true">1 request waiting for you' in body
    db.session.rollback()
    assert db.session.get(Ticket, ticket.id).status == Status.OPEN
    assert other.number not in body


def test_own_decision_moves_the_inbox_stamp_so_its_confirmation_stays(client, login, world, any_of):
    """The decision answer carries the inbox's refresh with the stamp after the decision: the
    next refresh is a 204 and does not re-render the inbox over the "Approved" confirmation."""
    ticket = submit(world, any_of)
    submit(world, any_of)
    step = approvals.ticket_steps(ticket)[0]
    login(world.amy)
    inbox = client.get("/approvals/").get_data(as_text=True)
    assert 'hx-sync="#approval-inbox-poll:replace"' in inbox
    body = client.post(f"/approvals/steps/{step.id}/decide", headers=HX,
                       data={"decision": "approved", "comment": "", "origin": "inbox"}).get_data(as_text=True)
    poller = re.search(r'<div id="approval-inbox-poll"[^>]*hx-get="([^"]+)"[^>]*hx-swap-oob="true"', body)
    assert poller, body
    assert client.get(poller.group(1).replace("&amp;", "&"), headers=HX).status_code == 204


def test_plain_reject_redirects_with_a_flash(client, login, world, any_of):
    ticket = submit(world, any_of)
    step = approvals.ticket_steps(ticket)[0]
    login(world.amy)
    response = client.post(f"/approvals/steps/{step.id}/decide",
                           data={"decision": "rejected", "comment": "Not in budget", "origin": "inbox"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/approvals/")
    assert "Rejected" in client.get("/approvals/").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Ticket, ticket.id).status == Status.CANCELLED


def test_reject_without_reason_is_422_next_to_the_field(client, login, world, any_of):
    ticket = submit(world, any_of)
    step = approvals.ticket_steps(ticket)[0]
    login(world.amy)
    response = client.post(f"/approvals/steps/{step.id}/decide", headers=HX,
                           data={"decision": "rejected", "comment": "", "origin": "inbox"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="comment-rejected-{step.id}-err"' in body and "Say why" in body
    plain = client.post(f"/approvals/steps/{step.id}/decide", data={"decision": "rejected", "origin": "step"})
    assert plain.status_code == 422 and "Say why" in plain.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Ticket, ticket.id).status == Status.UNDER_REVIEW


def test_unknown_decision_is_422(client, login, world, any_of):
    step = approvals.ticket_steps(submit(world, any_of))[0]
    login(world.amy)
    response = client.post(f"/approvals/steps/{step.id}/decide", data={"decision": "maybe"})
    assert response.status_code == 422 and "Approve or reject" in response.get_data(as_text=True)


def test_not_yours_is_403_and_already_decided_is_409(client, login_as, world, any_of):
    step = approvals.ticket_steps(submit(world, any_of))[0]
    login_as(world.lead)
    response = client.post(f"/approvals/steps/{step.id}/decide", headers=HX, data={"decision": "approved"})
    assert response.status_code == 403 and "not yours" in response.get_data(as_text=True)
    login_as(world.ann)
    response = client.post(f"/approvals/steps/{step.id}/decide", headers=HX, data={"decision": "approved"})
    assert response.status_code == 403 and "your own request" in response.get_data(as_text=True)
    login_as(world.amy)
    assert client.post(f"/approvals/steps/{step.id}/decide", headers=HX, data={"decision": "approved"}).status_code == 200
    login_as(world.bob)
    response = client.post(f"/approvals/steps/{step.id}/decide", headers=HX, data={"decision": "approved"})
    assert response.status_code == 409 and "already approved" in response.get_data(as_text=True)
    assert client.post("/approvals/steps/99999/decide", data={"decision": "approved"}).status_code == 404


def test_step_page_for_its_approvers_only(client, login_as, world, two_steps):
    ticket = submit(world, two_steps)
    first, second = approvals.ticket_steps(ticket)
    login_as(world.boss)
    page = client.get(f"/approvals/steps/{first.id}").get_data(as_text=True)
    assert ticket.number in page and 'id="approval-panel"' in page and "Reason for rejecting" in page
    assert client.get(f"/approvals/steps/{second.id}").status_code == 404
    login_as(world.lead)  # named on step 2: may read it, not decide yet
    page = client.get(f"/approvals/steps/{second.id}").get_data(as_text=True)
    assert "Nothing to decide: this step is waiting" in page and "Reason for rejecting" not in page


def test_requester_sees_the_rejection_reason_on_the_panel(app, world, two_steps):
    ticket = submit(world, two_steps)
    first = approvals.ticket_steps(ticket)[0]
    approvals.decide(first.id, world.boss, Decision.REJECTED, "Use the spare laptop in stock")
    db.session.commit()
    from flask import render_template

    with app.test_request_context():
        html = render_template("tickets/_approvals.html", steps=approvals.ticket_steps(ticket))
    assert "Rejected by Boss" in html and "Use the spare laptop in stock" in html
    assert html.count("step-state-cancelled") == 1


def test_a_submission_is_told_in_order_and_its_first_step_asked_once_under_review(world, two_steps):
    """Plan (may refuse), number, created, New, Under Review, then the first step asked."""
    ticket = submit(world, two_steps)
    trail = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                               .order_by(TicketEvent.created_at, TicketEvent.id)).all()
    assert [(e.action, e.new_value) for e in trail] == [
        ("created", None), ("status_changed", "new"), ("status_changed", "under_review")]
    first, second = approvals.ticket_steps(ticket)
    assert first.asked_at >= ticket.under_review_at and second.asked_at is None
    assert [m.job for m in db.session.scalars(select(OutboxMessage))] == ["notify_approvers"]


def test_a_refused_plan_spends_no_number(world, two_steps, make_user):
    orphan = make_user("nomanager")  # no manager: the first step has nobody to ask
    with pytest.raises(ValidationFailed, match="nobody can approve it for you yet"):
        submit(world, two_steps, requester=orphan)
    db.session.rollback()
    assert db.session.scalar(select(Ticket.number).where(Ticket.number.is_not(None))) is None
