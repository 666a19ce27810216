"""Handing outbox messages to RQ.

After a transaction commits, the messages it wrote are enqueued at once (``dispatch_after_commit``).
If Redis is down the request still succeeds: the rows stay pending and the periodic
``drain_outbox_job`` (or the next worker start) delivers them once Redis is back. A message may
reach RQ twice (enqueued, then the "dispatched" mark lost); jobs are idempotent for that reason,
and the RQ job id is derived from the message id.
"""
import json
import logging
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.database import begin_write_transaction
from app.extensions import db
from app.models import OutboxMessage, utcnow
from app.redis_client import get_redis
from app.workers import JOBS

log = logging.getLogger(__name__)
_PENDING_KEY = "deskflow_outbox_ids"


def _enqueue(message: OutboxMessage) -> None:
    queue_name, path = JOBS[message.job]
    kwargs = json.loads(message.payload) | {"outbox_id": message.id}
    Queue(queue_name, connection=get_redis()).enqueue_call(
        func=path, kwargs=kwargs, job_id=f"outbox-{message.id}",
        retry=Retry(max=3, interval=[5, 30, 120]), failure_ttl=7 * 24 * 3600)


def _deliver(session: Session, messages: list[OutboxMessage]) -> int:
    """Enqueue ``messages`` in order; stop at the first Redis error. Returns how many went."""
    sent = 0
    for message in messages:
        message.attempts += 1
        try:
            _enqueue(message)
        except RedisError as exc:
            message.last_error = f"Redis unavailable: {exc}"[:500]
            log.warning("outbox %s not dispatched, will retry: %s", message.id, exc)
            break
        message.dispatched_at, message.last_error = utcnow(), None
        sent += 1
    return sent


def dispatch_pending(older_than_seconds: float = 0, session: Session | None = None, limit: int = 500) -> int:
    """Deliver pending messages (oldest first). Rows are locked with SKIP LOCKED on PostgreSQL
    so that two drainers never pick the same row."""
    session = session or db.session
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None), OutboxMessage.created_at <= cutoff)
        .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)).all()
    return _deliver(session, list(messages))


def _dispatch_ids(ids: list[int]) -> None:
    with Session(db.engine) as session:
        begin_write_transaction(session)
        messages = session.scalars(select(OutboxMessage).where(
            OutboxMessage.id.in_(ids), OutboxMessage.dispatched_at.is_(None))
            .order_by(OutboxMessage.id)).all()
        _deliver(session, list(messages))
        session.commit()


def init_outbox_dispatch(app) -> None:
    """Remember the outbox rows each flush writes; enqueue them once the commit succeeded."""

    @event.listens_for(Session, "after_flush")
    def remember(session, _flush_context):
        ids = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
        if ids:
            session.info.setdefault(_PENDING_KEY, []).extend(ids)

    @event.listens_for(Session, "after_commit")
    def dispatch(session):
        if session.get_nested_transaction() is not None:
            return  # a savepoint was released: the real commit is still to come
        ids = session.info.pop(_PENDING_KEY, None)
        if ids and current_app.config["OUTBOX_DRAIN_ON_COMMIT"]:
            try:
                _dispatch_ids(ids)
            except Exception:  # never fail a request that has committed
                log.exception("outbox dispatch failed; the drain job will retry")

    @event.listens_for(Session, "after_soft_rollback")
    def forget(session, previous_transaction):
        # A rolled-back savepoint's rows are gone and simply not found at dispatch time.
        if not previous_transaction.nested:
            session.info.pop(_PENDING_KEY, None)
