"""Reading the audit trail."""
from sqlalchemy import select

from app.extensions import db
from app.models import Ticket, TicketEvent


def ticket_history(ticket: Ticket) -> list[TicketEvent]:
    return list(db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.created_at, TicketEvent.id)
    ))


def last_actor_name(ticket: Ticket) -> str:
    event = db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id.desc()).limit(1)
    ).first()
    return event.actor_name if event else "someone"
