"""Human ticket numbers: INC000001, REQ000001, CHG000001.

The counter row is bumped with ``UPDATE … RETURNING`` in the same transaction as the insert,
so concurrent creators queue on the row lock (PostgreSQL) or the write lock (SQLite) and never
get the same number; a rolled-back insert rolls its bump back, so numbers have no gaps either.
"""
from sqlalchemy import update

from app.database import upsert
from app.extensions import db
from app.models import TicketCounter, TicketType


def next_number(ticket_type: TicketType) -> str:
    bump = (update(TicketCounter).where(TicketCounter.ticket_type == ticket_type)
            .values(last_value=TicketCounter.last_value + 1).returning(TicketCounter.last_value))
    value = db.session.execute(bump).scalar()
    if value is None:  # first ticket of this type: create the row, then bump it
        db.session.execute(upsert(TicketCounter).values(ticket_type=ticket_type, last_value=0)
                           .on_conflict_do_nothing())
        value = db.session.execute(bump).scalar()
    return f"{ticket_type.prefix}{value:06d}"
