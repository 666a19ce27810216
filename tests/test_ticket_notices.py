"""Everyone involved kept informed, through a real worker: the requester hears of IT's public
replies, of IT waiting for their answer, of the resolution and of the approvals' outcome; the
assignee of the requester's replies and of a colleague giving them the ticket. Nobody hears of
their own action, an internal note tells nobody, and stale news is not sent."""
import json

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select

from app.extensions import db
from app.job_catalog import QUEUES
from app.models import (
    ApprovalPolicy, ApprovalStepDef, CatalogItem, Decision, FieldType, FormField, Notification, OutboxMessage,
    Role, Status, StepMode, Ticket,
)
from app.services import approvals, assignment, tickets
from app.services.comments import add_comment
from app.services.lifecycle import transition_ticket
from app.workers.jobs import notify_comment_added_job


@pytest.fixture
def desk(make_team, make_category, make_user):
    team = make_team("Service Desk")
    return type("Desk", (), dict(
        team=team, category=make_category("Hardware", team=team), ann=make_user("ann"),
        tom=make_user("tom", roles=[Role.AGENT], teams=[team]),
        sue=make_user("sue", roles=[Role.AGENT], teams=[team])))


def work(app) -> None:
    """What a worker does with everything handed over so far."""
    db.session.commit()
    queues = [Queue(name, connection=app.extensions["redis"]) for name in QUEUES]
    SimpleWorker(queues, connection=app.extensions["redis"]).work(burst=True)


def notices(user_id: int, kind: str | None = None) -> list[str]:
    db.session.rollback()  # a fresh snapshot: the worker committed on its own connection
    query = select(Notification.message).where(Notification.user_id == user_id)
    return list(db.session.scalars(query.where(Notification.kind == kind) if kind else query))


def claimed(desk, make_ticket) -> Ticket:
    ticket = make_ticket(desk.ann, desk.category)
    assignment.claim_ticket(ticket, desk.tom)
    db.session.commit()
    return ticket


def said(ticket: Ticket, text: str) -> str:
    """``text`` with the ticket's number and title ({n}, {t}), read before a worker detaches it."""
    return text.format(n=ticket.number, t=ticket.title)


def test_it_replies_and_the_requester_hears_of_it_but_not_of_an_internal_note(app, desk, make_ticket):
    ticket, ann_id, tom_id = claimed(desk, make_ticket), desk.ann.id, desk.tom.id
    expected = said(ticket, "IT replied on {n}: {t}")
    add_comment(ticket, desk.tom, "Could you restart it and tell me what you see?")
    add_comment(ticket, desk.tom, "Looks like the PSU.", internal=True)
    work(app)
    assert notices(ann_id, "replied") == [expected]
    assert notices(tom_id, "replied") == []  # not told of his own reply


def test_the_requester_replies_and_the_assignee_hears_of_it(app, desk, make_ticket):
    ticket, tom_id, ann_id = claimed(desk, make_ticket), desk.tom.id, desk.ann.id
    expected = said(ticket, "Ann replied on {n}: {t}")
    add_comment(ticket, desk.ann, "It beeps three times.")
    work(app)
    assert notices(tom_id, "requester_replied") == [expected]
    assert notices(ann_id) == []


def test_waiting_for_the_requester_and_the_resolution_tell_the_requester(app, desk, make_ticket):
    ticket, ann_id = claimed(desk, make_ticket), desk.ann.id
    ticket_id, waiting, resolved = ticket.id, said(ticket, "IT needs your answer on {n}: {t}"), said(
        ticket, "{n} was resolved: {t}")
    transition_ticket(ticket, Status.ON_HOLD, desk.tom)
    work(app)
    assert notices(ann_id, "waiting_for_you") == [waiting]
    ticket = db.session.get(Ticket, ticket_id)
    add_comment(ticket, ticket.requester, "Here it is.")  # back In Progress
    transition_ticket(ticket, Status.RESOLVED, ticket.assignee, reason="Replaced the PSU")
    work(app)
    assert notices(ann_id, "resolved") == [resolved]


def test_news_that_went_stale_before_the_worker_ran_is_not_sent(app, desk, make_ticket):
    ticket, ann_id = claimed(desk, make_ticket), desk.ann.id
    transition_ticket(ticket, Status.ON_HOLD, desk.tom)
    transition_ticket(ticket, Status.IN_PROGRESS, desk.tom)  # resumed before anyone was told
    work(app)
    assert notices(ann_id, "waiting_for_you") == []


def test_a_colleague_assigning_tells_the_assignee_and_a_claim_tells_nobody(app, desk, make_ticket):
    ticket, sue_id = make_ticket(desk.ann, desk.category), desk.sue.id
    expected = said(ticket, "Tom assigned {n} to you: {t}")
    other = make_ticket(desk.ann, desk.category)
    assignment.claim_ticket(other, desk.tom)
    other_id = other.id
    assignment.assign_ticket(ticket, desk.tom, desk.sue)
    work(app)
    assert notices(sue_id, "assigned") == [expected]
    assert "notify_assigned" not in [m.job for m in db.session.scalars(select(OutboxMessage))
                                     if json.loads(m.payload)["ticket_id"] == other_id]


def test_the_approvals_outcome_tells_the_requester(app, desk, make_user):
    amy = make_user("amy", roles=[Role.APPROVER])
    policy = ApprovalPolicy(name="Approvers", steps=[ApprovalStepDef(
        position=1, name="Approver", mode=StepMode.ANY, approvers=json.dumps([{"kind": "role", "role": "approver"}]))])
    item = CatalogItem(name="Monitor", category=desk.category, approval_policy=policy, fields=[
        FormField(key="model", label="Model", field_type=FieldType.TEXT, required=True, position=1)])
    db.session.add(item)
    db.session.commit()
    ann_id, amy_id, item_id, outcomes = desk.ann.id, amy.id, item.id, []
    for decision, comment in ((Decision.APPROVED, None), (Decision.REJECTED, "No budget this quarter")):
        ann, item = db.session.get(type(desk.ann), ann_id), db.session.get(CatalogItem, item_id)
        ticket = Ticket(status=Status.DRAFT, requester=ann, created_by=ann, ticket_type=item.ticket_type,
                        title=item.name, category=item.category, impact=item.impact, urgency=item.urgency,
                        catalog_item=item, answers=json.dumps({"model": "U2723"}))
        db.session.add(ticket)
        db.session.flush()
        tickets.submit_ticket(ticket, ann)
        db.session.commit()
        approvals.decide(approvals.ticket_steps(ticket)[0].id, db.session.get(type(amy), amy_id), decision, comment)
        outcomes.append(ticket.number)
        work(app)
    assert notices(ann_id, "approved") == [f"{outcomes[0]} was approved and is with IT: Monitor"]
    assert notices(ann_id, "rejected") == [f"{outcomes[1]} was not approved: Monitor"]


def test_a_notice_is_written_once_however_often_its_job_runs(app, desk, make_ticket):
    ticket, ann_id = claimed(desk, make_ticket), desk.ann.id
    comment = add_comment(ticket, desk.tom, "On it.")
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.job == "notify_comment_added")).one()
    kwargs = json.loads(message.payload) | {"outbox_id": message.id}
    assert kwargs["comment_id"] == comment.id
    notify_comment_added_job(**kwargs)
    notify_comment_added_job(**kwargs)  # a second copy finds the message done
    assert len(notices(ann_id, "replied")) == 1
