"""The outbox relay: from rows in the database to jobs on RQ, and back to "done".

The guarantee: **every outbox message is delivered to a worker at least once, and its effect is
committed exactly once**, whatever dies in between (the web process, a worker killed mid-job,
Redis restarted without its data). The row, never Redis, holds the truth:

- Hand-over. Right after the transaction that wrote a message commits, it is handed to RQ
  (``init_outbox_dispatch``); the relay (``relay_due``, run by the cron's drain job every 15 s and
  when a worker starts) hands over every other message that is due. Handing over sets a lease:
  ``due_at`` moves to now + ``OUTBOX_LEASE_SECONDS``. Redis being away costs nothing but time:
  the row stays due and the next relay tries again.
- Run. A job opens with ``claim_message``: it locks the row (``FOR UPDATE`` on PostgreSQL; the
  write transaction already serialises writers on SQLite) and skips a message that is already
  done, so a second copy of the same job (a re-send, an RQ duplicate) changes nothing. The job
  marks the row done in the same transaction as its effect (``mark_done``).
- Failure. A job that raises is rolled back whole; ``record_failure`` then notes the error in a
  transaction of its own and makes the row due again after a backoff (10 s, 30 s, 90 s, ...
  capped at an hour). After ``OUTBOX_MAX_ATTEMPTS`` hand-overs it is marked failed: it waits for
  an admin (Admin → Background jobs, or ``flask jobs retry``), and an error is logged.
- Lost work. A message handed over whose lease runs out without "done" (the worker died, Redis
  lost the job) is simply due again, and the relay hands it over again.

RQ's own retries are deliberately not used: they live in Redis (lost with it) and need RQ's
scheduler. Backoff and give-up are columns on the row instead.
"""
import json
import logging
from collections.abc import Iterable
from datetime import timedelta

from flask import Flask, current_app
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.database import begin_write_transaction
from app.extensions import db
from app.models import OutboxMessage, utcnow
from app.redis_client import get_redis
from app.job_catalog import JOBS, QUEUES

log = logging.getLogger(__name__)
_PENDING_KEY = "deskflow_outbox_ids"


def _config(name: str) -> int:
    return int(current_app.config[name])


# --- Hand-over ------------------------------------------------------------------------------

def _enqueue(message: OutboxMessage) -> None:
    queue_name, path, _label = JOBS[message.job]
    kwargs = json.loads(message.payload) | {"outbox_id": message.id}
    Queue(queue_name, connection=get_redis()).enqueue_call(
        func=path, kwargs=kwargs, job_id=f"outbox-{message.id}",
        timeout=_config("OUTBOX_JOB_TIMEOUT_SECONDS"), failure_ttl=24 * 3600, result_ttl=3600)


def _hand_over(messages: Iterable[OutboxMessage]) -> int:
    """Enqueue ``messages`` in order, each with a fresh lease; stop at the first Redis error
    (the rest stay due). A message out of attempts, or one that cannot be enqueued at all (a
    job name or payload this version does not know), is marked failed instead, so that it
    never holds up the ones behind it. Returns how many went to RQ."""
    sent = 0
    for message in messages:
        try:
            sent += _hand_over_one(message)
        except RedisError as exc:
            message.last_error = f"Redis unavailable: {exc}"[:500]
            log.warning("outbox %s not handed over, will retry: %s", message.id, exc)
            break
        except (KeyError, ValueError, TypeError) as exc:
            _give_up(message, f"cannot be enqueued: {type(exc).__name__}: {exc}")
    return sent


def _hand_over_one(message: OutboxMessage) -> int:
    now = utcnow()
    lease = timedelta(seconds=_config("OUTBOX_LEASE_SECONDS"))
    if message.dispatched_at is not None and _still_queued(message):
        message.due_at = now + lease  # waiting its turn behind a backlog: not lost, not an attempt
        return 0
    if message.attempts >= _config("OUTBOX_MAX_ATTEMPTS"):
        _give_up(message, message.last_error or "not completed after its last hand-over "
                                                "(the worker stopped or the queue lost it)")
        return 0
    _enqueue(message)
    message.attempts += 1
    message.dispatched_at, message.due_at = now, now + lease
    return 1


def _still_queued(message: OutboxMessage) -> bool:
    """Whether the message's job still waits in its RQ queue (a backlog longer than the
    lease): its id is in the queue's list. Anything else (started and not finished within the
    lease, whose job timeout is well below it; popped by a worker that died; gone with Redis's
    data) is taken as lost."""
    queue_name = JOBS[message.job].queue
    return Queue(queue_name, connection=get_redis()).get_job_position(f"outbox-{message.id}") is not None


def queue_lengths() -> dict[str, int] | None:
    """How many jobs wait in each queue, in the order workers take them; None while Redis is
    away (the jobs then wait in the database, as "waiting")."""
    try:
        return {name: Queue(name, connection=get_redis()).count for name in QUEUES}
    except RedisError:
        return None


def relay_due(session: Session | None = None, limit: int = 500) -> int:
    """Hand over the messages that are due (oldest first). Messages younger than the grace
    period are left to the after-commit hand-over, which is already on its way. Rows are locked
    with SKIP LOCKED on PostgreSQL, so two relays never pick the same row."""
    session = session or db.session
    cutoff = utcnow() - timedelta(seconds=_config("OUTBOX_GRACE_SECONDS"))
    messages = session.scalars(
        select(OutboxMessage).where(*OutboxMessage.owed(), OutboxMessage.due_at <= cutoff)
        .order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)
        .with_for_update(skip_locked=True)).all()
    return _hand_over(messages)


def _hand_over_ids(ids: list[int]) -> None:
    with Session(db.engine) as session:
        begin_write_transaction(session)
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids), *OutboxMessage.owed(),
                                        OutboxMessage.dispatched_at.is_(None))
            .order_by(OutboxMessage.id).with_for_update(skip_locked=True)).all()
        _hand_over(messages)
        session.commit()


def _remember(session, _flush_context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
    ids += [obj.id for obj in session.dirty if isinstance(obj, OutboxMessage) and _sent_back(obj)]
    if ids:
        session.info.setdefault(_PENDING_KEY, []).extend(ids)


def _dispatch(session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the real commit is still to come
    ids = session.info.pop(_PENDING_KEY, None)
    if ids and current_app.config["OUTBOX_DRAIN_ON_COMMIT"]:
        try:
            _hand_over_ids(sorted(set(ids)))
        except Exception:  # never fail a request that has committed
            log.exception("outbox hand-over failed; the relay will retry")


def _forget(session, previous_transaction) -> None:
    # A rolled-back savepoint's rows are gone and simply not found at hand-over time.
    if not previous_transaction.nested:
        session.info.pop(_PENDING_KEY, None)


_LISTENERS = (("after_flush", _remember), ("after_commit", _dispatch), ("after_soft_rollback", _forget))


def init_outbox_dispatch(_app: Flask) -> None:
    """Remember the messages a transaction makes owed and not yet handed over (new ones, and
    ones an admin sent back); hand them to RQ once the commit succeeded. The listeners are
    process-wide (every Session), so they are registered once however many apps are built."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _sent_back(message: OutboxMessage) -> bool:
    """An admin's retry clears the hand-over time of a message that had one; a relay that
    could not reach Redis leaves it as it was (and must not set off another hand-over)."""
    cleared = inspect(message).attrs.dispatched_at.history
    return message.dispatched_at is None and any(value is not None for value in cleared.deleted)


# --- Running a message's job ---------------------------------------------------------------

def claim_message(outbox_id: int) -> OutboxMessage | None:
    """Lock the message for the running job; None when there is nothing (left) to do, because
    another copy of this job already committed its effect or the message is gone."""
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == outbox_id)
                                .with_for_update())
    return message if message is not None and message.done_at is None else None


def mark_done(message: OutboxMessage) -> None:
    """In the job's own transaction: the effect and "done" commit together."""
    message.done_at = utcnow()
    message.failed_at = None


def record_failure(outbox_id: int, error: BaseException) -> None:
    """After the job's transaction rolled back: note the error and when to try again (or give
    up), in a transaction of its own. If even this fails, the lease brings the message back."""
    text = f"{type(error).__name__}: {error}"[:500]
    with Session(db.engine) as session:
        begin_write_transaction(session)
        message = session.get(OutboxMessage, outbox_id, with_for_update=True)
        if message is None or message.done_at is not None:
            return
        if message.attempts >= _config("OUTBOX_MAX_ATTEMPTS"):
            _give_up(message, text)
        else:
            message.last_error = text
            message.due_at = utcnow() + backoff(message.attempts)
            log.warning("outbox %s (%s) failed on attempt %s, next try at %s: %s",
                        message.id, message.job, message.attempts, message.due_at, text)
        session.commit()


def backoff(attempts: int) -> timedelta:
    """10 s after the first failure, then three times longer each time, at most an hour."""
    base = _config("OUTBOX_BACKOFF_SECONDS")
    return timedelta(seconds=min(3600, base * 3 ** max(attempts - 1, 0)))


def _give_up(message: OutboxMessage, error: str) -> None:
    message.failed_at, message.last_error = utcnow(), error[:500]
    log.error("outbox %s (%s) failed for good after %s attempts: %s; retry it from "
              "Admin > Background jobs or with `flask jobs retry %s`",
              message.id, message.job, message.attempts, error, message.id)

