"""Job functions: thin wrappers that run one service call as one unit of work."""
import functools
import logging

from flask import current_app, has_app_context

from app.database import begin_write_transaction
from app.extensions import db

log = logging.getLogger(__name__)
_app = None


def unit_of_work(func):
    """Run ``func`` in an app context (creating the app once per process if the worker did
    not push one) and commit once; any failure rolls the whole job back for RQ to retry."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        global _app
        if not has_app_context():
            from app import create_app

            _app = _app or create_app()
            with _app.app_context():
                return wrapper(*args, **kwargs)
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


@unit_of_work
def notify_team_ticket_queued_job(ticket_id: int, team_id: int, outbox_id: int) -> int:
    from app.services.notifications import notify_team_ticket_queued

    count = notify_team_ticket_queued(ticket_id, team_id, outbox_id)
    log.info("ticket %s queued for team %s: %s members notified", ticket_id, team_id, count)
    return count


@unit_of_work
def notify_approvers_job(ticket_id: int, step_id: int, outbox_id: int) -> int:
    from app.services.notifications import notify_approvers

    return notify_approvers(ticket_id, step_id, outbox_id)


@unit_of_work
def drain_outbox_job() -> int:
    """Periodic safety net: hand RQ whatever the after-commit dispatch could not (Redis down)."""
    from app.workers.dispatch import dispatch_pending

    return dispatch_pending(older_than_seconds=current_app.config.get("OUTBOX_RETRY_AFTER", 5))
