"""Background work: RQ job functions (jobs.py), the worker and cron loops (runtime.py) and the
cron schedule (schedule.py). The queues and the jobs the outbox may name are declared in
app/job_catalog.py.

Workers are started with ``flask worker`` (and the schedule with ``flask cron``); each process
creates the app once. Jobs take ids, reload what they need and are idempotent.
"""
