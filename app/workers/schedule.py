"""The cron schedule, loaded by ``flask cron`` (RQ's CronScheduler). Run exactly one: RQ cron
has no cross-process lock, and every periodic job is idempotent in case two ever run."""
from rq import cron

from app.workers.jobs import drain_outbox_job, prune_outbox_job

cron.register(drain_outbox_job, queue_name="default", interval=15)
cron.register(prune_outbox_job, queue_name="default", cron="17 3 * * *")
