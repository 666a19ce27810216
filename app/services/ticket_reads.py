"""Which tickets a technician has not seen since the requester last wrote.

Opening the ticket page records the visit (one upsert); the queue reads, with the rows of the
page it shows, which have a public requester reply newer than that visit (``has_unseen_reply``,
a column of the rows' own statement). A ticket never opened counts as unseen only once its requester has replied: a new
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


def has_unseen_reply(user_id):
    """Whether the statement's ticket (``Ticket``, correlated) has a public reply by its
    requester that user ``user_id`` (a value or a bind parameter) has not seen: newer than
    their last visit, or never visited. An EXISTS, so a queue reads the mark with its rows."""
    seen = and_(TicketRead.ticket_id == Comment.ticket_id, TicketRead.user_id == user_id)
    return (select(Comment.id).outerjoin(TicketRead, seen)
            .where(Comment.ticket_id == Ticket.id, Comment.author_id == Ticket.requester_id,
                   Comment.is_internal.is_(False),
                   or_(TicketRead.seen_at.is_(None), Comment.created_at > TicketRead.seen_at))
            .exists())


def unseen_replies(user: User, ticket_ids: Iterable[int]) -> set[int]:
    """The ids among ``ticket_ids`` with a requester reply ``user`` has not seen."""
    ids = list(ticket_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(Ticket.id).where(Ticket.id.in_(ids), has_unseen_reply(user.id))))
