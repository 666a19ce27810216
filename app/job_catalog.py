"""The queues, named by purpose, and the jobs the outbox may name.

Plain data at the bottom of the house: the relay (app/outbox.py) looks jobs up here to hand
them to RQ, the workers (app/workers/) listen on these queues, and the admin's Background jobs
page names each job in words.
"""
from typing import NamedTuple

# A worker takes work in this order: a new ticket from mail or monitoring is filed before its
# routing, routing before SLA clocks and notices, and the rest after. Each later capability
# puts its jobs on its own queue, so a backlog of one (a mail storm) is seen and drained by name.
QUEUE_PURPOSES = {
    "intake": "tickets arriving by email and from monitoring",
    "routing": "routing rules and automatic assignment",
    "sla": "SLA clocks, warnings, breaches and escalations",
    "notify": "notifications: in-app, email, webhooks",
    "default": "everything else (the outbox relay, housekeeping)",
}
QUEUES = tuple(QUEUE_PURPOSES)


class JobSpec(NamedTuple):
    queue: str
    path: str  # dotted path of the job function, which RQ imports in the worker
    label: str  # what it does, in words


JOBS = {
    "notify_team_ticket_queued": JobSpec("notify", "app.workers.jobs.notify_team_ticket_queued_job",
                                         "Tell a team a ticket is in its queue"),
    "notify_approvers": JobSpec("notify", "app.workers.jobs.notify_approvers_job",
                                "Ask approvers for their decision"),
    "notify_comment_added": JobSpec("notify", "app.workers.jobs.notify_comment_added_job",
                                    "Tell the requester or the assignee about a reply"),
    "notify_status_changed": JobSpec("notify", "app.workers.jobs.notify_status_changed_job",
                                     "Tell the requester their ticket waits for them, is resolved, or was "
                                     "approved or rejected"),
    "notify_assigned": JobSpec("notify", "app.workers.jobs.notify_assigned_job",
                               "Tell a technician a ticket was assigned to them"),
}
