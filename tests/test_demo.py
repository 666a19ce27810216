"""Demo data: loads through the services, looks lived-in, and every demo login works."""
import json

import pytest
from sqlalchemy import func, select

from app.demo.data import DEMO_PASSWORD, DEMO_USERS, DIRECTOR, ITEMS
from app.demo.seed import seed_demo
from app.extensions import db
from app.models import (
    ApprovalDecision, ApprovalPolicy, CatalogItem, Comment, Decision, Notification, OutboxMessage,
    RuleKind, Status, StepMode, StepState, Ticket, TicketEvent, User, ValidationRule, utcnow,
)
from app.models.base import travel_to
from app.services.approvals import inbox, ticket_steps
from app.services.errors import ValidationFailed
from app.services.users import authenticate


@pytest.fixture
def seeded(app):
    users = seed_demo(tickets=30)
    db.session.commit()
    return users


def test_every_demo_login_authenticates_with_its_roles(seeded):
    assert [email for email, _roles in seeded] == [email for email, _n, _r in DEMO_USERS]
    for email, _name, roles in DEMO_USERS:
        user = authenticate(email, DEMO_PASSWORD)
        assert user is not None, email
        assert {r.value for r in user.roles} == set(roles)
    assert authenticate("agent@example.com", "wrong password") is None


def test_agent_is_on_the_service_desk_and_admin_can_work_tickets(seeded):
    agent = db.session.scalar(select(User).where(User.email == "agent@example.com"))
    admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
    assert [m.team.name for m in agent.memberships] == ["Service Desk"]
    assert admin.is_agent


def test_tickets_are_numbered_in_order_and_have_history(seeded):
    tickets = db.session.scalars(select(Ticket).where(Ticket.status != Status.DRAFT)
                                 .order_by(Ticket.created_at)).all()
    assert len(tickets) == 30
    for ticket_type in {t.ticket_type for t in tickets}:
        numbers = [t.number for t in tickets if t.ticket_type == ticket_type]
        assert numbers == sorted(numbers)
    events_per_ticket = db.session.scalars(select(func.count()).select_from(TicketEvent)
                                           .group_by(TicketEvent.ticket_id)).all()
    assert len(events_per_ticket) == 30 and min(events_per_ticket) >= 2  # created + submitted


def test_history_is_backdated_and_never_in_the_future(seeded):
    now = utcnow()
    oldest = db.session.scalar(select(func.min(Ticket.created_at)))
    assert (now - oldest).days >= 7
    for model in (Ticket, TicketEvent, Comment):
        assert db.session.scalar(select(func.max(model.created_at))) <= now
    for ticket in db.session.scalars(select(Ticket).where(Ticket.status != Status.DRAFT)):
        times = db.session.scalars(select(TicketEvent.created_at)
                                   .where(TicketEvent.ticket_id == ticket.id)
                                   .order_by(TicketEvent.id)).all()
        assert times == sorted(times), ticket.number
        assert times[0] == ticket.created_at


def test_mixed_statuses_and_drafts_for_the_demo_employee(seeded):
    statuses = set(db.session.scalars(select(Ticket.status)))
    assert Status.CLOSED in statuses and len(statuses & {Status.NEW, Status.IN_PROGRESS,
                                                         Status.ON_HOLD, Status.PENDING}) >= 2
    employee = db.session.scalar(select(User).where(User.email == "employee@example.com"))
    drafts = db.session.scalars(select(Ticket).where(Ticket.status == Status.DRAFT)).all()
    assert len(drafts) == 4 and {d.created_by_id for d in drafts} == {employee.id}
    assert [d.catalog_item.name for d in drafts if d.catalog_item] == ["VPN access"]
    assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.is_internal))


def test_outbox_is_settled_and_only_recent_tickets_ring_the_bell(seeded):
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.done_at.is_(None))) == 0
    oldest_note = db.session.scalar(select(func.min(Notification.created_at)))
    if oldest_note is not None:
        assert (utcnow() - oldest_note).days < 3
    # Requesters and assignees find their recent news too, not only the teams and approvers.
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert len(kinds & {"replied", "waiting_for_you", "resolved", "approved", "rejected"}) >= 2


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_catalog_items_have_their_forms(seeded):
    items = {i.name: i for i in db.session.scalars(select(CatalogItem))}
    assert set(items) == {item.name for item in ITEMS}
    assert all(item.fields and item.active for item in items.values())
    laptop = {f.key: f for f in items["New laptop"].fields}
    assert json.loads(laptop["spec"].choices) == ["Standard", "Above standard spec"]
    assert (laptop["justification"].show_if_key, laptop["justification"].show_if_value) == (
        "spec", "Above standard spec")
    assert items["New laptop"].approval_policy.name == "Manager, then IT lead"
    assert items["Password reset"].approval_policy is None
    assert items["Report an outage"].ticket_type.value == "incident"


def test_policies_have_steps_and_rules_apply_them(seeded):
    policies = {p.name: p for p in db.session.scalars(select(ApprovalPolicy))}
    assert [s.name for s in policies["Manager, then IT lead"].steps] == ["Line manager", "IT lead"]
    cab = policies["Change Advisory Board"].steps
    assert len(cab) == 1 and cab[0].mode == StepMode.ALL and len(json.loads(cab[0].approvers)) == 2
    rules = {r.name: r for r in db.session.scalars(select(ValidationRule))}
    assert rules["Changes need CAB approval"].approval_policy.name == "Change Advisory Board"
    assert rules["P1 needs a business-impact statement"].kind == RuleKind.REQUIRE


def test_everyone_but_the_director_has_a_manager_and_the_approver_manages_people(seeded):
    without = db.session.scalars(select(User.name).where(User.manager_id.is_(None))).all()
    assert without == [DIRECTOR[0]]
    approver = _user("approver@example.com")
    assert _user("employee@example.com").manager_id == approver.id


def test_catalog_requests_wait_in_the_approvers_inbox(seeded):
    approver = _user("approver@example.com")
    waiting = inbox(approver)
    assert len(waiting) >= 3
    assert all(s.ticket.status == Status.UNDER_REVIEW and s.ticket.catalog_item for s in waiting)
    assert all(s.ticket.requester_id != approver.id for s in waiting)
    assert [s.asked_at for s in waiting] == sorted(s.asked_at for s in waiting)
    half_way = [t for t in db.session.scalars(select(Ticket).where(Ticket.status == Status.UNDER_REVIEW))
                if [s.state for s in ticket_steps(t)] == [StepState.APPROVED, StepState.PENDING]]
    assert half_way, "a two-step request approved by the manager, waiting for the IT lead"


def test_the_demo_employee_has_a_rejected_request_with_its_reason(seeded):
    employee = _user("employee@example.com")
    rejected = db.session.scalars(
        select(ApprovalDecision).join(ApprovalDecision.step)
        .where(ApprovalDecision.decision == Decision.REJECTED)).all()
    mine = [d for d in rejected if d.step.ticket.requester_id == employee.id]
    assert mine and mine[0].comment and mine[0].step.state == StepState.REJECTED
    ticket = mine[0].step.ticket
    assert ticket.status == Status.CANCELLED and ticket.form_version is not None
    notes = db.session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id)).all()
    assert any(mine[0].comment in (note or "") for note in notes)


def test_seeding_is_deterministic(app):
    first = _fingerprint(seed_demo(tickets=10))
    db.session.rollback()
    assert _fingerprint(seed_demo(tickets=10)) == first


def _fingerprint(_users):
    db.session.flush()
    return db.session.execute(select(Ticket.number, Ticket.title, Ticket.status)
                              .order_by(Ticket.id)).all()


def test_seeding_twice_is_refused(seeded):
    with pytest.raises(ValidationFailed):
        seed_demo(tickets=1)


def test_travel_to_only_moves_the_clock_inside_the_block():
    moment = utcnow().replace(year=2020)
    with travel_to(moment):
        assert utcnow() == moment
    assert utcnow().year > 2020
