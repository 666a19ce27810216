"""The queues, named by purpose, and the jobs the outbox may name.

Plain data at the bottom of the house: the relay (app/outbox.py) looks jobs up here to hand
them to RQ, the workers (app/workers/) listen on these queues, and the admin's Background jobs
page names each job in words.
"""
from typing import NamedTuple

QUEUES = ("notify", "default")


class JobSpec(NamedTuple):
    queue: str
    path: str  # dotted path of the job function, which RQ imports in the worker
    label: str  # what it does, in words


JOBS = {
    "notify_team_ticket_queued": JobSpec("notify", "app.workers.jobs.notify_team_ticket_queued_job",
                                         "Tell a team a ticket is in its queue"),
    "notify_approvers": JobSpec("notify", "app.workers.jobs.notify_approvers_job",
                                "Ask approvers for their decision"),
}
