"""Outages and crashes with the real processes, as operators run them.

Two layouts: the production one (gunicorn with 2 workers, ``flask worker``, ``flask cron``, each
its own process) and the README's run command (``flask serve``, which supervises the same
three). Each gets a real redis-server that the test stops and starts again empty (as a Redis
without persistence comes back), a worker killed with SIGKILL, and tickets filed over HTTP
before, during and after. Every expected effect (one bell notification per team member per
ticket) must exist exactly once at the end, and every process must still be up.
"""
import http.cookiejar
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rq import Queue
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import Notification, OutboxMessage, Role
from app.redis_client import connect
from tests.redis_server import free_port, redis_server  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
SETTLE_SECONDS = 90  # the relay runs every 15 s; leases are 3 s here


class Browser:
    """A person at a browser: cookies, CSRF tokens from the pages, form posts."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, form: dict, token_from: str | None = None) -> tuple[int, str]:
        _, page = self.get(token_from or path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(form | {"csrf_token": token}).encode()
        return self._open(urllib.request.Request(self.base + path, data=data))

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, email: str) -> None:
        status, page = self.post("/login", {"email": email, "password": PASSWORD})
        assert status == 200 and "Sign out" in page, page[:500]

    def file_ticket(self, category_id: int, title: str) -> None:
        status, page = self.post("/new", {
            "action": "submit", "ticket_type": "incident", "title": title,
            "description": "Filed by the resilience test.", "category_id": category_id,
            "impact": "low", "urgency": "medium"})
        assert status == 200 and title in page, page[:500]


@pytest.fixture
def desk(make_team, make_category, make_user):
    team = make_team("Service Desk")
    category = make_category("Hardware", team=team)
    agents = [make_user(n, roles=[Role.AGENT], teams=[team]) for n in ("tom", "sue")]
    make_user("ann")
    return category.id, [a.id for a in agents]


@pytest.fixture
def launch(app, redis_server, tmp_path):  # noqa: F811
    """launch(name, *argv) starts a product process with the test's database and Redis; its
    output goes to a log the test can read. All are stopped at the end."""
    env = os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": redis_server.url,
        "DESKFLOW_INSTANCE": str(tmp_path), "SECRET_KEY": "resilience-test",
        "OUTBOX_LEASE_SECONDS": "3", "OUTBOX_GRACE_SECONDS": "1", "LOGIN_RATE_LIMIT": "1000 per minute",
        "RQ_LOG_LEVEL": "INFO",  # every job in the logs, should a test fail
        "PYTHONUNBUFFERED": "1"}
    procs: dict[str, subprocess.Popen] = {}

    def start(name: str, *argv: str) -> subprocess.Popen:
        log = open(tmp_path / f"{name}.log", "ab")
        procs[name] = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        return procs[name]

    start.log = lambda name: (tmp_path / f"{name}.log").read_text(errors="replace")
    start.procs = procs
    yield start
    for proc in procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def serving(base: str) -> bool:
    try:
        return Browser(base).get("/login")[0] == 200
    except OSError:
        return False


def assert_every_effect_exactly_once(tickets: int, agent_ids: list[int], launch) -> None:
    """One notification per agent per ticket, no more, and every message done."""

    def settled() -> bool:
        db.session.rollback()
        owed = db.session.scalar(select(func.count()).where(OutboxMessage.done_at.is_(None)))
        return owed == 0 and db.session.scalar(select(func.count()).select_from(OutboxMessage)) == tickets

    try:
        wait_for(settled, SETTLE_SECONDS, "every job to take effect")
    except AssertionError:
        rows = db.session.execute(select(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.due_at,
                                         OutboxMessage.done_at, OutboxMessage.last_error)).all()
        logs = {name: launch.log(name)[-3000:] for name in launch.procs}
        raise AssertionError(f"not settled: {rows}\n{logs}") from None
    rows = db.session.execute(select(Notification.user_id, Notification.ticket_id, func.count())
                              .group_by(Notification.user_id, Notification.ticket_id)).all()
    assert sorted(uid for uid, _, _ in rows) == sorted(agent_ids * tickets)
    assert {count for _, _, count in rows} == {1}


NOTICED = re.compile(r"Redis unavailable|could not connect to Redis")


def outage(redis_server, launch, logs: list[str], meanwhile) -> None:  # noqa: F811
    """Stop Redis, do ``meanwhile``, wait until each named process has noticed (and said so),
    then start Redis again, empty."""
    redis_server.stop()
    meanwhile()
    for name in logs:
        wait_for(lambda: NOTICED.search(launch.log(name)), 40, f"{name} to notice the outage")
    redis_server.start()


class JobBlocker:
    """Holds the lock a job must take first, so that a worker is caught in the middle of it:
    the database's write lock on SQLite, the outbox row's lock on PostgreSQL."""

    def __init__(self, app):
        self.app, self.conn = app, None

    def hold(self, outbox_id: int) -> None:
        url = self.app.config["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("sqlite"):
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn = db.engine.connect()
            self.conn.begin()
            self.conn.execute(text("SELECT id FROM outbox WHERE id = :id FOR UPDATE"), {"id": outbox_id})

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


def freeze_while_idle(pid: int, connection) -> None:
    """SIGSTOP the worker at a moment it is between jobs (so it holds no database lock)."""
    from rq import Worker

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        os.kill(pid, signal.SIGSTOP)
        if all(w.get_state() == "idle" for w in Worker.all(connection=connection) if w.pid == pid):
            return
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.2)
    raise AssertionError("the worker was never idle")


def newest_outbox_id() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.max(OutboxMessage.id)))


def test_production_layout_survives_a_redis_outage_and_a_worker_killed_mid_job(app, desk, launch, redis_server):  # noqa: F811
    category_id, agent_ids = desk
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    launch("web", sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
           "--threads", "4", "wsgi:app")
    launch("worker", *flask("worker"))
    launch("cron", *flask("cron"))
    wait_for(lambda: serving(base), 60, "gunicorn to serve")

    ann = Browser(base)
    ann.sign_in("ann@example.com")
    for n in range(3):
        ann.file_ticket(category_id, f"Before the outage {n}")

    def meanwhile():
        walk_in = Browser(base)
        walk_in.sign_in("ann@example.com")  # signing in works while Redis is away
        for n in range(3):
            walk_in.file_ticket(category_id, f"During the outage {n}")
        assert walk_in.get("/my")[0] == 200

    outage(redis_server, launch, ["worker", "cron"], meanwhile)

    assert_every_effect_exactly_once(6, agent_ids, launch)

    # Catch a worker in the middle of a job and kill it: freeze it while idle, file a ticket,
    # take the lock the job needs first, let the worker go (it starts the job and waits), kill it.
    worker = launch.procs["worker"]
    freeze_while_idle(worker.pid, connect(redis_server.url))
    ann.file_ticket(category_id, "Its worker is killed mid-job")
    blocker = JobBlocker(app)
    blocker.hold(newest_outbox_id())
    os.kill(worker.pid, signal.SIGCONT)
    registry = StartedJobRegistry(queue=Queue("notify", connection=connect(redis_server.url)))
    wait_for(lambda: registry.get_job_ids(), 30, "the worker to start the job")
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)
    blocker.release()
    launch("worker", *flask("worker"))  # as systemd (or an operator) starts it again

    assert_every_effect_exactly_once(7, agent_ids, launch)
    assert all(p.poll() is None for p in launch.procs.values()), "a process died"
    assert serving(base)


def test_the_run_command_restarts_what_dies_and_the_site_stays_up(app, desk, launch, redis_server):  # noqa: F811
    category_id, agent_ids = desk
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = launch("serve", *flask("serve", "--no-demo", "--host", "127.0.0.1", "--port", str(port)))
    wait_for(lambda: serving(base), 60, "flask serve to serve")

    ann = Browser(base)
    ann.sign_in("ann@example.com")
    ann.file_ticket(category_id, "Before the outage")
    outage(redis_server, launch, ["serve"], lambda: ann.file_ticket(category_id, "During the outage"))

    worker = child_pid(serve.pid, "worker")
    os.kill(worker, signal.SIGKILL)
    wait_for(lambda: "worker was killed by SIGKILL; restarting" in launch.log("serve"), 20,
             "the supervisor to notice")
    assert serving(base)  # the site never went down with it
    ann.file_ticket(category_id, "After the worker was restarted")
    wait_for(lambda: child_pid(serve.pid, "worker") not in (None, worker), 20, "a new worker")

    assert_every_effect_exactly_once(3, agent_ids, launch)
    assert serve.poll() is None
    assert {"web", "worker", "cron"} <= {name for name in ("web", "worker", "cron") if child_pid(serve.pid, name)}


def child_pid(parent: int, role: str) -> int | None:
    """The pid of ``flask serve``'s child that runs ``role`` (web is gunicorn's master)."""
    marker = "gunicorn" if role == "web" else f"wsgi {role}"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and marker in cmdline:
            return int(entry.name)
    return None
