"""Which tickets a technician has not seen since the requester last wrote.

Opening the ticket page records the visit (one upsert); the queue asks, for the rows of the
page it shows, which have a public requester reply newer than that visit (one query, however
many rows). A ticket never opened counts as unseen only once its requester has replied: a new
ticket's description is what the queue row already shows.
"""
from collections.abc import Iterable

from sqlalchemy import and_, or_, select

from app.database import upsert
from app.extensions import db
from app.models import Comment, Ticket, TicketRead, User, utcnow


def mark_seen(user_id: int, ticket_id: int) -> None:
    """Record that the user has seen the ticket as it is now: insert or move ``seen_at``.
    Takes ids: the caller may have ended the transaction its objects were loaded in."""
    now = utcnow()
    db.session.execute(
        upsert(TicketRead).values(user_id=user_id, ticket_id=ticket_id, seen_at=now)
        .on_conflict_do_update(index_elements=["user_id", "ticket_id"], set_={"seen_at": now}))


def unseen_replies(user: User, ticket_ids: Iterable[int]) -> set[int]:
    """The ids among ``ticket_ids`` with a public reply by their requester that ``user`` has
    not seen (newer than their last visit, or never visited)."""
    ids = list(ticket_ids)
    if not ids:
        return set()
    read = and_(TicketRead.ticket_id == Comment.ticket_id, TicketRead.user_id == user.id)
    return set(db.session.scalars(
        select(Comment.ticket_id).distinct()
        .join(Ticket, and_(Ticket.id == Comment.ticket_id, Ticket.requester_id == Comment.author_id))
        .outerjoin(TicketRead, read)
        .where(Comment.ticket_id.in_(ids), Comment.is_internal.is_(False),
               or_(TicketRead.seen_at.is_(None), Comment.created_at > TicketRead.seen_at))))
