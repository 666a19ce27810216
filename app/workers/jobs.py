"""Job functions: thin wrappers that run one service call as one unit of work.

Workers push the app context once per process (``flask worker``); tests call these functions
directly inside theirs.
"""
import functools
import logging


from app import outbox
from app.database import begin_write_transaction
from app.extensions import db

log = logging.getLogger(__name__)


def unit_of_work(func):
    """Run ``func`` as one write transaction and commit once; any failure rolls the whole job
    back."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            begin_write_transaction()
            result = func(*args, **kwargs)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()

    return wrapper


def outbox_job(func):
    """A job that delivers one outbox message: its effect and the message's "done" mark commit
    together, a copy of a message already done does nothing, and a failure is recorded on the
    message for the relay to retry with backoff (see app/outbox.py)."""

    @functools.wraps(func)
    def wrapper(*, outbox_id: int, **kwargs):
        try:
            return _deliver(outbox_id, **kwargs)
        except Exception as exc:
            outbox.record_failure(outbox_id, exc)
            raise

    @unit_of_work
    def _deliver(outbox_id: int, **kwargs):
        message = outbox.claim_message(outbox_id)
        if message is None:
            log.info("outbox %s already done: nothing to do", outbox_id)
            return None
        result = func(outbox_id=outbox_id, **kwargs)
        outbox.mark_done(message)
        return result

    return wrapper


@outbox_job
def notify_team_ticket_queued_job(ticket_id: int, team_id: int, outbox_id: int) -> int:
    from app.services.notifications import notify_team_ticket_queued

    count = notify_team_ticket_queued(ticket_id, team_id, outbox_id)
    log.info("ticket %s queued for team %s: %s members notified", ticket_id, team_id, count)
    return count


@outbox_job
def notify_approvers_job(ticket_id: int, step_id: int, outbox_id: int) -> int:
    from app.services.notifications import notify_approvers

    return notify_approvers(ticket_id, step_id, outbox_id)


@outbox_job
def notify_comment_added_job(ticket_id: int, comment_id: int, internal: bool, author_id: int,
                             outbox_id: int) -> int:
    from app.services.notifications import notify_comment_added

    return notify_comment_added(ticket_id, comment_id, internal, author_id, outbox_id)


@outbox_job
def notify_status_changed_job(ticket_id: int, old: str, new: str, actor_id: int | None, outbox_id: int) -> int:
    from app.services.notifications import notify_status_changed

    return notify_status_changed(ticket_id, old, new, actor_id, outbox_id)


@outbox_job
def notify_assigned_job(ticket_id: int, assignee_id: int, actor_id: int, outbox_id: int) -> int:
    from app.services.notifications import notify_assigned

    return notify_assigned(ticket_id, assignee_id, actor_id, outbox_id)


@unit_of_work
def drain_outbox_job() -> int:
    """Every 15 s: hand RQ every message that is due (never handed over because Redis was away,
    backing off after a failure, or handed over but never finished)."""
    return outbox.relay_due()


@unit_of_work
def prune_outbox_job() -> int:
    """Daily: forget messages done more than 30 days ago."""
    from app.services.outbox import prune_done

    return prune_done()
