"""The transactional outbox: jobs recorded with the change that needs them."""
import json

from app.extensions import db
from app.models import OutboxMessage


def enqueue(job: str, **kwargs) -> OutboxMessage:
    """Record ``job`` to run with ``kwargs`` once the current transaction commits.

    The message id is passed to the job as ``outbox_id`` so that the job can make its effect
    idempotent (a retried or re-delivered message changes nothing twice).
    """
    message = OutboxMessage(job=job, payload=json.dumps(kwargs, sort_keys=True, default=str))
    db.session.add(message)
    return message
