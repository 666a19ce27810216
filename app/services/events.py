"""Domain events and who listens to them.

A service publishes an event after it changes a ticket. Listeners come in two kinds, both
declared here so that one page shows what every event sets off:
- in-transaction handlers (``HANDLERS``): domain consequences that must commit or roll back with
  the change itself (an approval step closing when its ticket is cancelled);
- jobs (``SUBSCRIBERS``): written to the outbox in the same transaction and run on a worker
  after commit (notifications and anything slow or external).
"""
import importlib

from app.models import Ticket
from app.services.outbox import enqueue

HANDLERS: dict[str, list[str]] = {
    "ticket.status_changed": ["app.services.approvals:on_status_changed"],
}

SUBSCRIBERS: dict[str, list[str]] = {
    # A ticket entered a team's queue: tell the team (in-app bell).
    "ticket.queued": ["notify_team_ticket_queued"],
    # An approval step was asked: tell its approvers.
    "approval.requested": ["notify_approvers"],
    "ticket.status_changed": [],
}


def _handler(path: str):
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def publish(name: str, ticket: Ticket, **data) -> None:
    for path in HANDLERS.get(name, []):
        _handler(path)(ticket, **data)
    for job in SUBSCRIBERS.get(name, []):
        enqueue(job, ticket_id=ticket.id, **data)
