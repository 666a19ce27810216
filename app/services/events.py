"""Domain events: what happened to a ticket, published by the service that changed it.

``EVENTS`` is the catalogue: every event's name, what it carries besides the ticket, and when
it is published. Who listens is declared one layer up, in app/subscriptions.py, with real
imports: a listener may import the services that publish (approvals listens to the
lifecycle's status changes, and the lifecycle publishes them), so a registry that imported its
listeners would close that loop. Two kinds of listener:

- in-transaction handlers: domain consequences that commit or roll back with the change itself
  (an approval step closing when its ticket is cancelled);
- after-commit jobs (names from app/job_catalog.py): written to the outbox in the same
  transaction and run on a worker after commit (notifications, anything slow or external). A
  job may come with a test of the event (``OnlyWhen``): it is written only when the test
  holds, so a status move that tells nobody writes no job.
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
    "ticket.status_changed": EventSpec("old, new: the statuses' values; actor_id: who moved it (None: "
                                       "the system)", "every status move (lifecycle.transition_ticket)"),
    "ticket.assigned": EventSpec("assignee_id, actor_id", "someone gave the ticket to a person "
                                                          "(assignment.assign_ticket; a claim is not one)"),
    "comment.added": EventSpec("comment_id, internal, author_id",
                               "a reply or an internal note was added (comments.add_comment)"),
    "approval.requested": EventSpec("step_id", "an approval step was asked of its approvers (approvals)"),
    "approval.completed": EventSpec("nothing besides the ticket",
                                    "its last approval step was approved and it is Open (approvals)"),
}

Handler = Callable[..., None]


class OnlyWhen(NamedTuple):
    """A job written for an event only when ``test(ticket, **payload)`` holds."""
    job: str
    test: Callable[..., bool]


_handlers: dict[str, tuple[Handler, ...]] = {}
_jobs: dict[str, tuple[OnlyWhen, ...]] = {}


def _always(*_args, **_kwargs) -> bool:
    return True


def subscribe(handlers: Mapping[str, Sequence[Handler]], jobs: Mapping[str, Sequence[str | OnlyWhen]]) -> None:
    """Install who listens to what (app/subscriptions.py, when the app is built), in place of
    what was there: building the app twice doubles nothing. An event not in the catalogue or a
    job the outbox does not know is refused here, at start-up, not when it would first fire."""
    wanted = {name: tuple(job if isinstance(job, OnlyWhen) else OnlyWhen(job, _always) for job in names)
              for name, names in jobs.items()}
    unknown = sorted((set(handlers) | set(jobs)) - set(EVENTS))
    missing = sorted({job.job for names in wanted.values() for job in names} - set(JOBS))
    if unknown or missing:
        raise ValueError(f"subscriptions name unknown events {unknown} or jobs {missing}")
    _handlers.clear()
    _handlers.update({name: tuple(listeners) for name, listeners in handlers.items()})
    _jobs.clear()
    _jobs.update(wanted)


def publish(name: str, ticket: Ticket, **data) -> None:
    """Run ``name``'s handlers now and write its jobs to the outbox, in the caller's
    transaction."""
    if name not in EVENTS:
        raise ValueError(f"{name!r} is not in the event catalogue (app/services/events.py)")
    for handler in _handlers.get(name, ()):
        handler(ticket, **data)
    for job, test in _jobs.get(name, ()):
        if test(ticket, **data):
            enqueue(job, ticket_id=ticket.id, **data)
