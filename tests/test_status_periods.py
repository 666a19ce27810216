"""Status history as periods: the lifecycle writes one period per status a ticket enters, each
ending where the next begins, and the migration's backfill builds the same periods from the
audit trail for tickets that moved before the table existed."""
import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text

from app.extensions import db
from app.models import Role, Status, StatusPeriod, Ticket, utcnow
from app.models.base import travel_to
from app.services import assignment, lifecycle, tickets
from app.services.errors import IllegalTransition

MIGRATION = Path(__file__).resolve().parent.parent / "migrations/versions/7a0000000011_ticket_status_periods.py"


@pytest.fixture
def desk(make_team, make_category, make_user):
    team = make_team("Service Desk")
    return make_category("Hardware", team=team), make_user("tom", roles=[Role.AGENT], teams=[team])


def walk(ticket: Ticket, agent, start):
    """New → In Progress (claim) → On Hold → In Progress → Resolved → Closed, an hour apart."""
    moves = [(Status.ON_HOLD, None), (Status.IN_PROGRESS, None), (Status.RESOLVED, "Replaced the cable"),
             (Status.CLOSED, None)]
    with travel_to(start + timedelta(hours=1)):
        assignment.claim_ticket(ticket, agent)
    for hours, (status, reason) in enumerate(moves, start=2):
        with travel_to(start + timedelta(hours=hours)):
            lifecycle.transition_ticket(ticket, status, agent, reason=reason)
    db.session.commit()


def shape(periods) -> list[tuple]:
    return [(p.status, p.entered_at, p.left_at) for p in periods]


def test_every_move_ends_one_period_and_begins_the_next(desk, make_user, make_ticket):
    category, tom = desk
    start = utcnow().replace(microsecond=0) - timedelta(days=1)
    with travel_to(start):
        ticket = make_ticket(make_user("ann"), category)
    walk(ticket, tom, start)
    periods = lifecycle.status_periods(ticket)
    assert [p.status for p in periods] == [Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD, Status.IN_PROGRESS,
                                           Status.RESOLVED, Status.CLOSED]
    assert [p.entered_at for p in periods] == [start + timedelta(hours=h) for h in range(6)]
    assert [p.left_at for p in periods[:-1]] == [p.entered_at for p in periods[1:]]
    assert periods[-1].left_at is None  # still Closed


def test_a_draft_has_no_period_until_it_is_submitted(desk, make_user, ticket_input):
    category, _ = desk
    ann = make_user("ann")
    draft = tickets.save_draft(ann, tickets.TicketInput(title="Printer jam"))
    db.session.commit()
    assert lifecycle.status_periods(draft) == []
    data = ticket_input(category)
    tickets.save_draft(ann, data, draft)
    tickets.submit_ticket(draft, ann)
    db.session.commit()
    assert [(p.status, p.left_at) for p in lifecycle.status_periods(draft)] == [(Status.NEW, None)]


def test_a_refused_move_leaves_the_periods_as_they_were(desk, make_user, make_ticket):
    category, tom = desk
    ticket = make_ticket(make_user("ann"), category)
    before = shape(lifecycle.status_periods(ticket))
    with pytest.raises(IllegalTransition):
        lifecycle.transition_ticket(ticket, Status.CLOSED, tom)
    with pytest.raises(IllegalTransition):
        lifecycle.transition_ticket(ticket, Status.RESOLVED, tom, reason="  ")  # a reason is needed
    db.session.rollback()
    assert shape(lifecycle.status_periods(ticket)) == before


def test_a_ticket_has_one_open_period_at_most(desk, make_user, make_ticket):
    category, tom = desk
    start = utcnow() - timedelta(days=2)
    for _ in range(3):
        with travel_to(start):
            ticket = make_ticket(make_user(), category)
        walk(ticket, tom, start)
    open_per_ticket = db.session.execute(select(StatusPeriod.ticket_id, func.count())
                                         .where(StatusPeriod.left_at.is_(None))
                                         .group_by(StatusPeriod.ticket_id)).all()
    assert len(open_per_ticket) == 3 and {n for _, n in open_per_ticket} == {1}


def test_the_backfill_builds_from_the_audit_trail_the_periods_the_lifecycle_writes(desk, make_user, make_ticket):
    category, tom = desk
    start = utcnow().replace(microsecond=0) - timedelta(days=3)
    with travel_to(start):
        walked, fresh = make_ticket(make_user("ann"), category), make_ticket(make_user("bob"), category)
    walk(walked, tom, start)
    written = {t.id: shape(lifecycle.status_periods(t)) for t in (walked, fresh)}

    db.session.execute(delete(StatusPeriod))  # as before the migration: the audit trail only
    db.session.execute(text(_migration().BACKFILL))
    db.session.commit()
    assert {t.id: shape(lifecycle.status_periods(t)) for t in (walked, fresh)} == written


def _migration():
    spec = importlib.util.spec_from_file_location("periods_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
