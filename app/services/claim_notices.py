"""Who took the tickets that left a technician's queue while they watched it, so the live
refresh can say so ("INC000123 was claimed by Sam Lee") instead of rows silently vanishing."""
from collections.abc import Iterable

from sqlalchemy import select

from app.extensions import db
from app.models import Ticket, User


def claimed_by_others(me: User, ticket_ids: Iterable[int]) -> list[tuple[str, str]]:
    """(number, name of the assignee) for each of ``ticket_ids`` now assigned to someone other
    than ``me``, by number; one query, none for no ids."""
    ids = list(ticket_ids)
    if not ids:
        return []
    return [tuple(row) for row in db.session.execute(
        select(Ticket.number, User.name).join(User, User.id == Ticket.assignee_id)
        .where(Ticket.id.in_(ids), Ticket.assignee_id != me.id).order_by(Ticket.number))]
