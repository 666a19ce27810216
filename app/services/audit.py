"""Writing the audit trail. Every ticket change calls this in the same transaction."""
from datetime import datetime

from app.extensions import db
from app.models import Ticket, TicketEvent, User, utcnow


def _text(value) -> str | None:
    if value is None:
        return None
    return getattr(value, "value", None) or str(value)


def record_event(ticket: Ticket, actor: User | None, action: str, *, field: str | None = None,
                 old=None, new=None, note: str | None = None, actor_label: str | None = None,
                 at: datetime | None = None) -> TicketEvent:
    """``at``: when it happened (default now, when this is called rather than when the row is
    flushed): a status change passes the instant its ticket and status period also carry."""
    event = TicketEvent(ticket_id=ticket.id, actor_id=actor.id if actor else None,
                        actor_label=actor_label, action=action, field=field,
                        old_value=_text(old), new_value=_text(new), note=note, created_at=at or utcnow())
    db.session.add(event)
    return event
