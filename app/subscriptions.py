"""Who listens to which domain event: the whole wiring on one page (the catalogue of events,
with their payloads, is app/services/events.py).

Above the services, so it imports its listeners plainly: a handler's module may itself publish
through the services that publish to it, and nothing below this page imports it back. Installed
by ``create_app``; ``events.subscribe`` refuses an unknown event or job at start-up.
"""
from flask import Flask

from app.services import approvals, events, notifications, tickets
from app.services.events import OnlyWhen

# Run in the publishing transaction: they commit or roll back with the change.
IN_TRANSACTION = {
    # A ticket leaving Under Review other than by its approvals closes its open steps.
    "ticket.status_changed": [approvals.on_status_changed],
    # Fully approved: on to its team's queue (the routing of a later issue takes over here).
    "approval.completed": [tickets.queue_ticket],
}

# Written to the outbox with the change, run on a worker after commit (app/job_catalog.py).
AFTER_COMMIT = {
    # A ticket entered a team's queue: tell the team (in-app bell).
    "ticket.queued": ["notify_team_ticket_queued"],
    # An approval step was asked: tell its approvers.
    "approval.requested": ["notify_approvers"],
    # The requester hears of IT's public replies, the assignee of the requester's.
    "comment.added": [OnlyWhen("notify_comment_added", notifications.is_public_reply)],
    # The requester hears when IT waits for them, resolves, or the approvals decided.
    "ticket.status_changed": [OnlyWhen("notify_status_changed", notifications.tells_requester)],
    # A technician hears that a colleague gave them a ticket.
    "ticket.assigned": ["notify_assigned"],
}


def init_subscriptions(_app: Flask) -> None:
    events.subscribe(IN_TRANSACTION, AFTER_COMMIT)
