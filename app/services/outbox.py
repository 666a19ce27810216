"""The transactional outbox: jobs recorded with the change that needs them, and what admins
see and do about their delivery (the relay itself is app/outbox.py)."""
import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import OutboxMessage, Ticket, utcnow


def enqueue(job: str, **kwargs) -> OutboxMessage:
    """Record ``job`` to run with ``kwargs`` once the current transaction commits.

    The message id is passed to the job as ``outbox_id``: the job locks that row and marks it
    done with its effect, so a retried or re-delivered message changes nothing twice.
    """
    message = OutboxMessage(job=job, payload=json.dumps(kwargs, sort_keys=True, default=str))
    db.session.add(message)
    return message


@dataclass(frozen=True)
class DeliverySummary:
    waiting: int  # owed and not handed over yet (new, backing off, or Redis away)
    running: int  # handed over, lease not run out
    failed: int  # given up: waits for an admin
    done_today: int
    oldest_waiting_seconds: int | None  # how long the oldest owed message has been owed
    last_error: str | None  # of the most recent owed message that hit one


def delivery_summary() -> DeliverySummary:
    now = utcnow()
    owed = OutboxMessage.owed()
    waiting, running, oldest = db.session.execute(select(
        func.count().filter(OutboxMessage.due_at <= now),
        func.count().filter(OutboxMessage.due_at > now),
        func.min(OutboxMessage.created_at)).where(*owed)).one()
    failed = failed_count()
    done = db.session.scalar(select(func.count()).where(OutboxMessage.done_at >= now - timedelta(days=1)))
    last_error = db.session.scalar(select(OutboxMessage.last_error).where(
        *owed, OutboxMessage.last_error.is_not(None)).order_by(OutboxMessage.id.desc()).limit(1))
    age = int((now - oldest).total_seconds()) if oldest else None
    return DeliverySummary(waiting, running, failed, done, age, last_error)


def failed_messages(limit: int = 100) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))
                                   .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
                                   .limit(limit)))


def with_tickets(messages: list[OutboxMessage]) -> list[tuple[OutboxMessage, Ticket | None]]:
    """Each message with the ticket its payload names (one query for all of them)."""
    ids = {json.loads(m.payload).get("ticket_id") for m in messages} - {None}
    tickets = {t.id: t for t in db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)))} if ids else {}
    return [(m, tickets.get(json.loads(m.payload).get("ticket_id"))) for m in messages]


def failed_count() -> int:
    return db.session.scalar(select(func.count()).where(OutboxMessage.failed_at.is_not(None))) or 0


def retry_message(message: OutboxMessage) -> bool:
    """Give a failed message a fresh set of attempts; it is handed over after the commit.
    False (and nothing changed) for a message that has not failed: done, or still being tried."""
    if message.failed_at is None:
        return False
    message.failed_at = message.dispatched_at = None
    message.attempts = 0
    message.due_at = utcnow()
    return True


def retry_failed() -> int:
    """Retry every failed message; returns how many."""
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))).all()
    for message in messages:
        retry_message(message)
    return len(messages)


def prune_done(older_than: timedelta = timedelta(days=30)) -> int:
    """Forget messages done long ago (their effects live in their own tables); idempotent."""
    result = db.session.execute(delete(OutboxMessage).where(OutboxMessage.done_at < utcnow() - older_than))
    return result.rowcount or 0
