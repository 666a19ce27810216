"""The long-running worker and cron loops, which outlive Redis outages.

RQ's worker quits on most Redis errors outside its dequeue call, and RQ's cron scheduler dies
on the first one; either way the backlog would never drain. These loops log the reason, wait
with a capped exponential backoff, and carry on with the same process (and app context), so a
Redis restart is a pause, not an outage. SIGTERM/SIGINT still stop them promptly.
"""
import logging
import signal
import time

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker, get_current_job
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from app.redis_client import get_redis
from app.job_catalog import QUEUES
from app.workers.jobs import drain_outbox_job

log = logging.getLogger(__name__)


class JobIdFilter(logging.Filter):
    """Put the running RQ job's id on every log record (``%(job_id)s``), so a job's lines can
    be told apart from another's."""

    def filter(self, record: logging.LogRecord) -> bool:
        job = get_current_job()
        record.job_id = job.id if job else "-"
        return True


def configure_logging() -> None:
    handler = logging.StreamHandler()
    handler.addFilter(JobIdFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(job_id)s] %(name)s: %(message)s"))
    app_log = logging.getLogger("app")
    app_log.addHandler(handler)
    app_log.setLevel(logging.INFO)
    app_log.propagate = False


class Backoff:
    """1 s, 2 s, 4 s ... at most ``cap``; back to 1 s once things work again."""

    def __init__(self, cap: float = 30.0):
        self.cap, self.delay = cap, 1.0

    def reset(self) -> None:
        self.delay = 1.0

    def wait(self, stop: "StopFlag") -> None:
        stop.sleep(self.delay)
        self.delay = min(self.delay * 2, self.cap)


class StopFlag:
    """SIGTERM/SIGINT while we wait between attempts (RQ installs its own handlers while it
    runs, and they raise StopRequested, caught below)."""

    def __init__(self):
        self.stopped = False

    def listen(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._set)

    def _set(self, *_args) -> None:
        self.stopped = True

    def sleep(self, seconds: float) -> None:
        self.listen()
        deadline = time.monotonic() + seconds
        while not self.stopped and time.monotonic() < deadline:
            time.sleep(0.1)


def run_worker(burst: bool = False) -> None:
    """Work every queue until stopped, or with ``burst`` until they are empty."""

    def work_once() -> bool:
        _drain_first()
        worker = SimpleWorker([Queue(name, connection=get_redis()) for name in QUEUES],
                              connection=get_redis())
        worker.work(burst=burst, logging_level=current_app.config["RQ_LOG_LEVEL"])
        # RQ keeps "a stop was asked for" in these two attributes (rq is pinned for that).
        return worker._shutdown_requested_date is not None or worker._stop_requested

    if burst:
        work_once()  # a one-off run (scripts, tests): a Redis error is the caller's to see
    else:
        _keep_running("worker", work_once)


def _drain_first() -> None:
    """Hand over what was left while Redis or the worker was away, before taking work. A
    failure here (the database briefly away) must not keep the worker from working: the
    cron's relay tries again in 15 s."""
    try:
        drain_outbox_job()
    except RedisError:
        raise
    except Exception:
        log.exception("worker: the start-up relay failed; the cron's relay will retry")


def run_cron() -> None:
    """Run the schedule until stopped."""
    scheduler = CronScheduler(connection=get_redis(), logging_level=current_app.config["RQ_LOG_LEVEL"])
    scheduler.load_config_from_file("app.workers.schedule")

    def start() -> bool:
        scheduler.start()  # returns only when a signal stopped it
        return True

    _keep_running("cron", start)


def _keep_running(name: str, attempt) -> None:
    """Call ``attempt`` until it reports it is finished; a Redis error (or RQ's loop giving
    up, which it does on Redis errors) means wait and go again."""
    stop, backoff = StopFlag(), Backoff()
    while not stop.stopped:
        started = time.monotonic()
        try:
            if attempt():
                return
            reason = "the RQ loop ended"
        except StopRequested:
            return
        except RedisError as exc:
            reason = str(exc) or type(exc).__name__
        if time.monotonic() - started > 60:
            backoff.reset()  # it had been working: this is a new outage
        log.warning("%s: Redis unavailable (%s); reconnecting in %.0f s", name, reason, backoff.delay)
        backoff.wait(stop)
