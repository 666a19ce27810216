"""Cheap "has anything changed?" stamps for live pages.

A live fragment carries the stamp it was rendered at; its poll sends it back, and when the
stamp is unchanged the server answers 204 with no body (htmx then swaps nothing). Each stamp is
one indexed lookup, never a re-query of the list it guards.
"""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification, Ticket, User


# Built once: the live polls run it on every tick of every open queue.
_NEWEST_TICKET_CHANGE = select(func.max(Ticket.updated_at))


def _stamp(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or 0)


def tickets_stamp(connection=None) -> str:
    """Changes anywhere in the non-draft tickets (queues, dashboards). ``connection``: read
    there instead of the session (an unchanged poll's, outside any transaction)."""
    return _stamp((connection or db.session).scalar(_NEWEST_TICKET_CHANGE))


def requester_stamp(user: User) -> str:
    """Changes to one person's own tickets ("My tickets")."""
    return _stamp(db.session.scalar(
        select(func.max(Ticket.updated_at)).where(Ticket.requester_id == user.id)))


def ticket_stamp(ticket_id: int) -> str:
    """Changes to one ticket: its version moves with every update, replies included."""
    return _stamp(db.session.scalar(select(Ticket.version).where(Ticket.id == ticket_id)))


def bell_stamp(user: User) -> str:
    newest = db.session.scalar(select(func.max(Notification.id)).where(Notification.user_id == user.id))
    return _stamp(newest)


def approvals_stamp(user: User) -> str:
    """Changes to the approval steps ``user`` is named on (asked, decided, withdrawn) or to
    their own decisions: the approvals inbox."""
    from app.models import ApprovalAssignment, ApprovalDecision, ApprovalStep

    asked, decided = db.session.execute(
        select(func.max(ApprovalStep.asked_at), func.max(ApprovalStep.decided_at))
        .join(ApprovalAssignment).where(ApprovalAssignment.user_id == user.id)).one()
    mine = db.session.scalar(select(func.max(ApprovalDecision.id)).where(
        ApprovalDecision.approver_id == user.id))
    return "|".join(_stamp(v) for v in (asked, decided, mine))


def unchanged(sent: str | None, current: str) -> bool:
    return bool(sent) and sent == current


