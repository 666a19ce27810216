"""Side effects waiting to leave (the outbox) and in-app notifications."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow
from app.models.ticket import Ticket


class OutboxMessage(db.Model):
    """A job to run, written in the transaction that made it necessary.

    The row, not Redis, is the truth about delivery: the relay hands it to RQ when ``due_at``
    has come, the job marks it done in the same transaction as its effect, and a row handed
    over but not done when its lease runs out (worker killed, Redis lost its data) is handed
    over again. A failing job is retried with backoff until ``failed_at`` (then an admin
    decides). See app/outbox.py for the rules.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # What the relay scans: rows still owed, by when they are due.
        Index("ix_outbox_due", "due_at", sqlite_where=text("done_at IS NULL AND failed_at IS NULL"),
              postgresql_where=text("done_at IS NULL AND failed_at IS NULL")),
        Index("ix_outbox_failed", "failed_at", sqlite_where=text("failed_at IS NOT NULL"),
              postgresql_where=text("failed_at IS NOT NULL")),
        # Effects dedupe on the id: SQLite must never hand out a pruned row's id again.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(80))  # a name from app.workers.JOBS
    payload: Mapped[str] = mapped_column(Text)  # JSON keyword arguments
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the relay should (re)send it if it is still not done: now for a new row, the end of
    # the lease once handed over, the backoff after a failure.
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]  # last hand-over to RQ
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # hand-overs to RQ so far
    done_at: Mapped[datetime | None]  # the job committed its effect
    failed_at: Mapped[datetime | None]  # gave up after the last attempt; an admin may retry
    last_error: Mapped[str | None] = mapped_column(String(500))

    @classmethod
    def owed(cls) -> tuple:
        """The condition of a message whose effect is still to come (and not given up)."""
        return cls.done_at.is_(None), cls.failed_at.is_(None)


class Notification(db.Model):
    """An in-app notification. ``dedupe_key`` makes the job that writes it idempotent."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(300))
    dedupe_key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    ticket: Mapped[Ticket | None] = relationship(lazy="joined")
