"""Domain events: what happened to a ticket, published by the service that changed it.

``EVENTS`` is the catalogue: every event's name, what it carries besides the ticket, and when
it is published. Who listens is declared one layer up, in app/subscriptions.py, with real
imports: a listener may import the services that publish (approvals listens to the
lifecycle's status changes, and the lifecycle publishes them), so a registry that imported its
listeners would close that loop. Two kinds of listener:

- in-transaction handlers: domain consequences that commit or roll back with the change itself
  (an approval step closing when its ticket is cancelled);
- after-commit jobs (names from app/job_catalog.py): written to the outbox in the same
  transaction and run on a worker after commit (notifications, anything slow or external).
"""
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from app.job_catalog import JOBS
from app.models import Ticket
from app.services.outbox import enqueue


class EventSpec(NamedTuple):
    payload: str  # what ``publish`` passes besides the ticket
    when: str


EVENTS: dict[str, EventSpec] = {
    "ticket.queued": EventSpec("team_id", "a submitted or approved ticket entered a team's queue, or "
                                          "was transferred to another team's (tickets, assignment)"),
    "ticket.status_changed": EventSpec("old, new: the statuses' values",
                                       "every status move (lifecycle.transition_ticket)"),
    "approval.requested": EventSpec("step_id", "an approval step was asked of its approvers (approvals)"),
    "approval.completed": EventSpec("nothing besides the ticket",
                                    "its last approval step was approved and it is Open (approvals)"),
}

Handler = Callable[..., None]
_handlers: dict[str, tuple[Handler, ...]] = {}
_jobs: dict[str, tuple[str, ...]] = {}


def subscribe(handlers: Mapping[str, Sequence[Handler]], jobs: Mapping[str, Sequence[str]]) -> None:
    """Install who listens to what (app/subscriptions.py, when the app is built), in place of
    what was there: building the app twice doubles nothing. An event not in the catalogue or a
    job the outbox does not know is refused here, at start-up, not when it would first fire."""
    unknown = sorted((set(handlers) | set(jobs)) - set(EVENTS))
    missing = sorted({job for names in jobs.values() for job in names} - set(JOBS))
    if unknown or missing:
        raise ValueError(f"subscriptions name unknown events {unknown} or jobs {missing}")
    _handlers.clear()
    _handlers.update({name: tuple(listeners) for name, listeners in handlers.items()})
    _jobs.clear()
    _jobs.update({name: tuple(names) for name, names in jobs.items()})


def publish(name: str, ticket: Ticket, **data) -> None:
    """Run ``name``'s handlers now and write its jobs to the outbox, in the caller's
    transaction."""
    if name not in EVENTS:
        raise ValueError(f"{name!r} is not in the event catalogue (app/services/events.py)")
    for handler in _handlers.get(name, ()):
        handler(ticket, **data)
    for job in _jobs.get(name, ()):
        enqueue(job, ticket_id=ticket.id, **data)
