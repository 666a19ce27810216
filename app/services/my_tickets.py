"""An employee's own tickets ("My tickets"): the open/closed split, a status filter and a plain
search over number and title (the full-text search of every ticket is at /search)."""
from sqlalchemy import or_, select

from app.extensions import db
from app.models import FINAL_STATUSES, ApprovalStep, Status, StepState, Ticket, User
from app.services.search import contains

# "Open" is everything still going on for the requester, resolved included: it waits for them
# to confirm or reopen. "Closed" is what has ended.
STATES = {"open": frozenset(s for s in Status if s not in FINAL_STATUSES and s != Status.DRAFT),
          "closed": FINAL_STATUSES}


def my_tickets_query(user: User, text: str | None = None, state: str | None = None,
                     status: Status | None = None):
    """The select of ``user``'s submitted tickets, newest activity first, narrowed as asked."""
    query = select(Ticket).where(Ticket.requester_id == user.id, Ticket.status != Status.DRAFT)
    if state in STATES:
        query = query.where(Ticket.status.in_(sorted(STATES[state])))
    if status is not None:
        query = query.where(Ticket.status == status)
    if text:
        query = query.where(or_(contains(Ticket.number, text), contains(Ticket.title, text)))
    return query.order_by(Ticket.updated_at.desc(), Ticket.id.desc())


def rejected_ids(tickets: list[Ticket]) -> set[int]:
    """Which of these cancelled tickets ended because an approver rejected them (a rejected
    approval step; see services.approvals.decide), in one query, so the list says "Rejected"."""
    cancelled = [t.id for t in tickets if t.status == Status.CANCELLED]
    if not cancelled:
        return set()
    return set(db.session.scalars(select(ApprovalStep.ticket_id).where(
        ApprovalStep.ticket_id.in_(cancelled), ApprovalStep.state == StepState.REJECTED)))
