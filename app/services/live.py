"""Cheap "has anything changed?" stamps for live pages.

A live fragment carries the stamp it was rendered at; its poll sends it back, and when the
stamp is unchanged the server answers 204 with no body (htmx then swaps nothing). Each stamp is
one indexed lookup, never a re-query of the list it guards.

The queue's stamps are ``Stamp`` objects: their values are columns, so an unchanged poll reads
them in the same statement as its session check (``sessions.answer_unchanged_polls``).
"""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification, Ticket, User


def stamp_value(value) -> str:
    """A time or a number as a stamp's text (SQLite may hand back a time as text)."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value or 0)


class Stamp:
    """A stamp made of ``columns`` (scalar subqueries), which ``text`` turns into what a page
    carries. Built once: the live polls read it on every tick of every open queue."""

    def __init__(self, text, *columns):
        self.text, self.columns = text, columns
        self._statement = select(*columns)

    def read(self, connection=None) -> str:
        """The stamp now; ``connection``: read there instead of the session."""
        return self.text(*(connection or db.session).execute(self._statement).one())

    def __or__(self, other: "Stamp") -> "Stamp":
        """Both stamps as one, "mine|theirs": for a page that shows what each guards."""
        split = len(self.columns)
        return Stamp(lambda *values: f"{self.text(*values[:split])}|{other.text(*values[split:])}",
                     *self.columns, *other.columns)


# Changes anywhere in the non-draft tickets (queues, dashboards).
TICKETS = Stamp(stamp_value, select(func.max(Ticket.updated_at)).scalar_subquery())


def tickets_stamp() -> str:
    return TICKETS.read()


def requester_stamp(user: User) -> str:
    """Changes to one person's own tickets ("My tickets")."""
    return stamp_value(db.session.scalar(
        select(func.max(Ticket.updated_at)).where(Ticket.requester_id == user.id)))


def ticket_stamp(ticket_id: int) -> str:
    """Changes to one ticket: its version moves with every update, replies included."""
    return stamp_value(db.session.scalar(select(Ticket.version).where(Ticket.id == ticket_id)))


def bell_stamp(user: User) -> str:
    newest = db.session.scalar(select(func.max(Notification.id)).where(Notification.user_id == user.id))
    return stamp_value(newest)


def approvals_stamp(user: User) -> str:
    """Changes to the approval steps ``user`` is named on (asked, decided, withdrawn) or to
    their own decisions: the approvals inbox."""
    from app.models import ApprovalAssignment, ApprovalDecision, ApprovalStep

    asked, decided = db.session.execute(
        select(func.max(ApprovalStep.asked_at), func.max(ApprovalStep.decided_at))
        .join(ApprovalAssignment).where(ApprovalAssignment.user_id == user.id)).one()
    mine = db.session.scalar(select(func.max(ApprovalDecision.id)).where(
        ApprovalDecision.approver_id == user.id))
    return "|".join(stamp_value(v) for v in (asked, decided, mine))


def unchanged(sent: str | None, current: str) -> bool:
    return bool(sent) and sent == current


