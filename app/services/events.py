"""Domain events and who listens to them.

A service publishes an event after it changes a ticket; each subscribed job is written to the
outbox in the same transaction and runs on a worker after commit. Later issues (SLA clocks,
notification rules, linked records) subscribe here rather than being called from the lifecycle.
"""
from app.models import Ticket
from app.services.outbox import enqueue

SUBSCRIBERS: dict[str, list[str]] = {
    # A ticket entered a team's queue: tell the team (in-app bell).
    "ticket.queued": ["notify_team_ticket_queued"],
    "ticket.status_changed": [],
}


def publish(name: str, ticket: Ticket, **data) -> None:
    for job in SUBSCRIBERS.get(name, []):
        enqueue(job, ticket_id=ticket.id, **data)
