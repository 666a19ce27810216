"""The ticket and its human-number counters."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import str_enum, utcnow
from app.models.catalog import CatalogItem, Category, FormVersion
from app.models.enums import OPEN_STATUSES, Channel, Level, Status, TicketType
from app.models.user import Team, User

# What the queue filters test besides status (services/queues.py), carried in its status index.
QUEUE_FILTER_COLUMNS = ["id", "requester_id", "assignee_id", "team_id", "category_id", "channel", "ticket_type"]


class TicketCounter(db.Model):
    """One row per ticket type; bumped in the transaction that inserts the ticket, so numbers
    are unique and never reused (a rolled-back insert rolls the bump back too)."""

    __tablename__ = "ticket_counters"

    ticket_type: Mapped[TicketType] = mapped_column(str_enum(TicketType, "ticket_type"), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        CheckConstraint("status = 'draft' OR number IS NOT NULL", name="number_once_submitted"),
        # The queues walk these per status in priority order, and on PostgreSQL each carries the
        # ticket id (INCLUDE), so a walk reads its index alone (migration 7a0000000009).
        # A team's open work; the "unassigned in my teams" tab reads only unassigned rows.
        Index("ix_tickets_team_queue", "team_id", "status", "priority", "created_at", postgresql_include=["id"]),
        Index("ix_tickets_team_unassigned", "team_id", "status", "priority", "created_at", postgresql_include=["id"],
              sqlite_where=text("assignee_id IS NULL"), postgresql_where=text("assignee_id IS NULL")),
        # "Assigned to me"; and a queue sorted by a joined name walks the names, each one's
        # tickets from (name, status, priority, created_at): team, assignee, category, requester.
        Index("ix_tickets_assignee_status", "assignee_id", "status", "priority", "created_at",
              postgresql_include=["id"]),
        Index("ix_tickets_category_status", "category_id", "status", "priority", "created_at",
              postgresql_include=["id"]),
        Index("ix_tickets_requester_status", "requester_id", "status", "priority", "created_at",
              postgresql_include=["id"]),
        # "All open" by priority and age. On PostgreSQL it also holds the columns the queue
        # filters test, so a filtered walk or a bounded count reads the index alone.
        Index("ix_tickets_status_priority", "status", "priority", "created_at",
              postgresql_include=QUEUE_FILTER_COLUMNS),
        # A type filter ("changes from email") walks its own type's tickets, not every one's
        # (migration 7a0000000010).
        Index("ix_tickets_type_status", "ticket_type", "status", "priority", "created_at",
              postgresql_include=[c for c in QUEUE_FILTER_COLUMNS if c != "ticket_type"]),
        # "My tickets", newest change first.
        Index("ix_tickets_requester_updated", "requester_id", "updated_at"),
        Index("ix_tickets_updated_at", "updated_at"),
        # Queues and saved views sorted by last update within a status ("recently closed"),
        # by creation time ("newest first") or by title, walked once per status and merged.
        Index("ix_tickets_status_updated", "status", "updated_at"),
        Index("ix_tickets_status_created", "status", "created_at"),
        Index("ix_tickets_status_title", "status", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # INC000123 and so on; NULL while a draft, so abandoned drafts burn no numbers.
    number: Mapped[str | None] = mapped_column(String(16), unique=True)
    ticket_type: Mapped[TicketType] = mapped_column(str_enum(TicketType, "ticket_type"))
    status: Mapped[Status] = mapped_column(str_enum(Status, "status"), default=Status.DRAFT)
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"), default=Channel.PORTAL)

    # None for proactive/maintenance tickets that have no outside requester.
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The agent who filed it on someone's behalf; equals requester_id for self-service.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contact_phone: Mapped[str | None] = mapped_column(String(40))

    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    impact: Mapped[Level | None] = mapped_column(str_enum(Level, "impact"))
    urgency: Mapped[Level | None] = mapped_column(str_enum(Level, "urgency"))
    priority: Mapped[int] = mapped_column(Integer, default=3)  # 1 Critical .. 5 Planning
    # Set when an agent overrode the matrix; the reason is also in the audit trail.
    priority_reason: Mapped[str | None] = mapped_column(String(500))

    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    resolution: Mapped[str | None] = mapped_column(Text)

    # Filed from the catalog: the item, the exact form it was filed with, and the answers
    # (JSON object keyed by field key). Later edits of the item's form change none of these.
    catalog_item_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_items.id"))
    form_version_id: Mapped[int | None] = mapped_column(ForeignKey("form_versions.id"))
    answers: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When each status was last entered; the audit trail holds every entry.
    new_at: Mapped[datetime | None]
    open_at: Mapped[datetime | None]
    in_progress_at: Mapped[datetime | None]
    on_hold_at: Mapped[datetime | None]
    pending_at: Mapped[datetime | None]
    under_review_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    draft_at: Mapped[datetime | None]

    # Optimistic concurrency: every UPDATE checks and bumps it, so a stale save fails loudly.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    team: Mapped[Team | None] = relationship()
    category: Mapped[Category | None] = relationship()
    catalog_item: Mapped[CatalogItem | None] = relationship()
    form_version: Mapped[FormVersion | None] = relationship()

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def reference(self) -> str:
        """What to call it in the UI: its number, or "Draft" before it has one."""
        return self.number or "Draft"

    def __repr__(self) -> str:
        return f"<Ticket {self.number or self.id} {self.status}>"


