"""What happens on a ticket: the audit trail, its statuses as periods, conversation, files and links."""
import enum
from datetime import datetime

from sqlalchemy import (
    Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import str_enum, utcnow
from app.models.enums import Status
from app.models.ticket import Ticket
from app.models.user import User


class TicketEvent(db.Model):
    """Append-only audit trail; a ticket's History tab is this table.

    Rows are never updated or deleted (guarded below); ``actor_id`` is NULL when a rule or job
    acted, and ``actor_label`` then names it.
    """

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_created", "ticket_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))  # created, status_changed, claimed, ...
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)  # a reason, or a short human summary
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")

    @property
    def actor_name(self) -> str:
        return self.actor.name if self.actor else (self.actor_label or "System")


@event.listens_for(TicketEvent, "before_update")
@event.listens_for(TicketEvent, "before_delete")
def _audit_is_append_only(_mapper, _connection, target):
    raise RuntimeError(f"TicketEvent {target.id} is append-only")


class StatusPeriod(db.Model):
    """A status a ticket was in, from ``entered_at`` until ``left_at`` (None: it still is).

    Written by the lifecycle with every move (``services.lifecycle.transition_ticket``), from
    the submission on: a draft is private and starts no clock. SLA pause time, time in status
    and recomputing a clock after a policy change read these rather than re-walking the audit
    trail. One open period per ticket (a partial unique index). No check that a period ends
    after it begins: hosts whose clocks differ by a moment must not have a move refused."""

    __tablename__ = "ticket_status_periods"
    __table_args__ = (
        Index("ix_ticket_status_periods_ticket", "ticket_id", "entered_at"),
        Index("uq_ticket_status_periods_open", "ticket_id", unique=True,
              sqlite_where=text("left_at IS NULL"), postgresql_where=text("left_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    status: Mapped[Status] = mapped_column(str_enum(Status, "period_status"))
    entered_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_ticket_created", "ticket_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)  # Markdown source; rendered sanitised
    # Internal notes are for IT only; the requester never sees them.
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="comment", lazy="selectin")


class Attachment(db.Model):
    """A file on a ticket. The bytes live under instance/attachments by SHA-256, never at a
    path derived from the uploader's file name; ``filename`` is only shown and offered."""

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size >= 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment | None] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User | None] = relationship()


class LinkType(enum.StrEnum):
    RELATED = "related"
    DUPLICATE_OF = "duplicate_of"
    PARENT_OF = "parent_of"
    CAUSED_BY = "caused_by"

    @property
    def label(self) -> str:
        return {"related": "Related to", "duplicate_of": "Duplicate of", "parent_of": "Parent of",
                "caused_by": "Caused by"}[self.value]

    @property
    def inverse_label(self) -> str:
        return {"related": "Related to", "duplicate_of": "Has duplicate", "parent_of": "Child of",
                "caused_by": "Causes"}[self.value]


class TicketLink(db.Model):
    __tablename__ = "ticket_links"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "link_type", name="uq_ticket_links_pair"),
        CheckConstraint("source_id <> target_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    link_type: Mapped[LinkType] = mapped_column(str_enum(LinkType, "link_type"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    source: Mapped[Ticket] = relationship(foreign_keys=[source_id])
    target: Mapped[Ticket] = relationship(foreign_keys=[target_id])
