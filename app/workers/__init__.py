"""Background work: queues named by purpose, and the jobs the outbox may name.

Workers are started with ``flask worker`` (and the schedule with ``flask cron``); each process
creates the app once. Jobs take ids, reload what they need and are idempotent.
"""
QUEUES = ("notify", "default")

# Outbox job name -> (queue, dotted path of the job function).
JOBS = {
    "notify_team_ticket_queued": ("notify", "app.workers.jobs.notify_team_ticket_queued_job"),
    "notify_approvers": ("notify", "app.workers.jobs.notify_approvers_job"),
}

# What each job does, in words, for the admin's Background jobs page.
JOB_LABELS = {
    "notify_team_ticket_queued": "Tell a team a ticket is in its queue",
    "notify_approvers": "Ask approvers for their decision",
}
