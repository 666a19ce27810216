"""When each technician last looked at each ticket: what the queue's "New reply" marker compares
the requester's latest public reply with."""
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class TicketRead(db.Model):
    """One row per (user, ticket) they have opened, moved forward on every later visit (an
    upsert, ``services.ticket_reads.mark_seen``). No row: never opened."""

    __tablename__ = "ticket_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
