"""The outbox and RQ: real Redis, real workers. Every message is delivered at least once and
its effect committed exactly once (app/outbox.py): hand-over after commit, the relay's
re-sends after a lease or a backoff, failure records, giving up, and an admin's retry."""
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from app.extensions import db
from app.models import Category, Notification, OutboxMessage, Role, User, utcnow
from app.models.base import travel_to
from app.outbox import relay_due
from app.job_catalog import JOBS, QUEUES
from app.workers.jobs import drain_outbox_job, notify_team_ticket_queued_job
from tests.concurrency import run_together
from tests.redis_server import redis_server, stoppable_redis  # noqa: F401 (fixtures)

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


def notification_count() -> int:
    db.session.rollback()  # a fresh snapshot: see what other connections committed
    return db.session.scalar(select(func.count()).select_from(Notification))


def the_message() -> OutboxMessage:
    db.session.rollback()
    return db.session.scalars(select(OutboxMessage)).one()


def relay(at=None) -> int:
    """One relay pass (as the drain job runs it), at ``at`` on the product's clock."""
    with travel_to(at or utcnow()):
        sent = relay_due()
    db.session.commit()
    return sent


def test_ticket_creation_writes_the_message_and_hands_it_over_after_commit(app, desk, make_ticket, make_user):
    team, category, _ = desk
    ticket = make_ticket(make_user("ann"), category)
    message = the_message()
    assert message.job == "notify_team_ticket_queued"
    assert json.loads(message.payload) == {"team_id": team.id, "ticket_id": ticket.id}
    assert message.attempts == 1 and message.done_at is None
    lease = timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"])
    assert message.due_at - message.dispatched_at == lease  # handed over again only if not done by then
    assert Queue("notify", connection=app.extensions["redis"]).job_ids == [f"outbox-{message.id}"]


def test_the_effect_and_done_commit_together_and_a_copy_changes_nothing(app, desk, make_ticket, make_user):
    _, category, agents = desk
    ticket = make_ticket(make_user("ann"), category)
    message = the_message()
    kwargs = {"ticket_id": ticket.id, "team_id": ticket.team_id, "outbox_id": message.id}
    assert notify_team_ticket_queued_job(**kwargs) == len(agents)
    assert notify_team_ticket_queued_job(**kwargs) is None  # a re-send: already done
    assert notification_count() == len(agents)
    assert the_message().done_at is not None


def test_two_copies_running_at_once_commit_the_effect_once(app, desk, make_ticket, make_user):
    _, category, agents = desk
    ticket = make_ticket(make_user("ann"), category)
    kwargs = {"ticket_id": ticket.id, "team_id": ticket.team_id, "outbox_id": the_message().id}

    def copy(barrier):
        with app.app_context():
            barrier.wait()
            return notify_team_ticket_queued_job(**kwargs)

    results = run_together(copy, copy)
    assert sorted(results, key=str) == sorted([len(agents), None], key=str)
    assert notification_count() == len(agents)


def test_a_real_worker_process_runs_the_job(app, desk, make_ticket, make_user, tmp_path):
    """A separate `flask worker --burst` process, as the run command starts it."""
    _, category, agents = desk
    make_ticket(make_user("ann"), category)
    env = os.environ | {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                        "REDIS_URL": app.config["REDIS_URL"], "DESKFLOW_INSTANCE": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    db.session.expire_all()
    counts = {a.name: db.session.query(Notification).filter_by(user_id=a.id).count() for a in agents}
    assert counts == {"Tom": 1, "Sue": 1}
    assert the_message().done_at is not None


def test_redis_outage_loses_nothing(app, client, login, desk, make_user, stoppable_redis):  # noqa: F811
    """With Redis stopped, filing a ticket still succeeds; once Redis is back the relay hands
    the message over and the worker runs it, once."""
    _, category, agents = desk
    login(make_user("ann"))
    stoppable_redis.stop()
    response = client.post("/new", data={
        "action": "submit", "ticket_type": "incident", "title": "Laptop screen flickers",
        "description": "Since this morning.", "category_id": category.id, "impact": "low",
        "urgency": "medium"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    message = the_message()
    assert message.dispatched_at is None and "Redis unavailable" in message.last_error
    assert message.attempts == 0  # an outage does not use up attempts

    stoppable_redis.start()
    grace = timedelta(seconds=app.config["OUTBOX_GRACE_SECONDS"] + 1)
    with travel_to(utcnow() + grace):
        assert drain_outbox_job() == 1
    run_worker_burst(app)
    assert notification_count() == len(agents)
    assert the_message().done_at is not None


def test_the_relay_leaves_fresh_messages_to_the_after_commit_hand_over(app, desk, make_ticket, make_user):
    _, category, _ = desk
    app.config["OUTBOX_DRAIN_ON_COMMIT"] = False
    try:
        make_ticket(make_user("ann"), category)
    finally:
        app.config["OUTBOX_DRAIN_ON_COMMIT"] = True
    assert relay() == 0
    assert relay(utcnow() + timedelta(seconds=app.config["OUTBOX_GRACE_SECONDS"] + 1)) == 1
    assert the_message().dispatched_at is not None


def test_a_job_lost_by_redis_is_handed_over_again_after_its_lease(app, desk, make_ticket, make_user):
    """Redis restarted without its data (no persistence, a failover): the message is still
    owed in the database, and comes back when its lease runs out."""
    _, category, agents = desk
    make_ticket(make_user("ann"), category)
    app.extensions["redis"].flushdb()
    assert relay() == 0  # still within its lease: a worker may be running it
    after_lease = the_message().due_at + timedelta(seconds=app.config["OUTBOX_GRACE_SECONDS"] + 1)
    assert relay(after_lease) == 1
    run_worker_burst(app)
    assert notification_count() == len(agents)
    message = the_message()
    assert message.done_at is not None and message.attempts == 2
    assert relay(after_lease + timedelta(hours=1)) == 0  # done: never again


@pytest.fixture
def failing_notifications(monkeypatch):
    """The team notification fails (as a locked or unreachable database would make it) until
    the test says it is fixed."""
    from sqlalchemy.exc import OperationalError

    from app.services import notifications

    state = {"broken": True}
    real = notifications.notify_team_ticket_queued

    def flaky(*args, **kwargs):
        if state["broken"]:
            raise OperationalError("INSERT INTO notifications", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(notifications, "notify_team_ticket_queued", flaky)
    return state


def test_a_failing_job_is_retried_with_backoff_then_waits_for_an_admin(
        app, client, login, desk, make_ticket, make_user, failing_notifications, caplog):
    _, category, agents = desk
    make_ticket(make_user("ann"), category)
    max_attempts, grace = app.config["OUTBOX_MAX_ATTEMPTS"], app.config["OUTBOX_GRACE_SECONDS"]
    pauses = []
    for attempt in range(1, max_attempts + 1):
        run_worker_burst(app)
        message = the_message()
        assert message.attempts == attempt and "database is locked" in message.last_error
        if attempt == max_attempts:
            break
        pauses.append(round((message.due_at - utcnow()).total_seconds()))
        assert relay() == 0  # not before its backoff has passed
        assert relay(message.due_at + timedelta(seconds=grace + 1)) == 1
    # The backoff triples from 10 s up to an hour (measured a moment after each failure).
    assert all(b - 3 <= p <= b for p, b in zip(pauses, [10, 30, 90, 270, 810, 2430, 3600], strict=True))
    assert message.failed_at is not None
    assert "failed for good after 8 attempts" in caplog.text
    assert relay(utcnow() + timedelta(days=1)) == 0  # given up: not handed over again
    assert notification_count() == 0

    admin_id = make_user("root", roles=[Role.ADMIN]).id
    login(db.session.get(User, admin_id))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Tell a team a ticket is in its queue" in page and "database is locked" in page
    assert 'data-testid="jobs-failed">1<' in page
    assert 'stat-alert' in client.get("/admin/").get_data(as_text=True)

    failing_notifications["broken"] = False
    response = client.post(f"/admin/jobs/{message.id}/retry")
    assert response.status_code == 303
    run_worker_burst(app)
    assert notification_count() == len(agents)
    message = the_message()
    assert message.done_at is not None and message.failed_at is None
    login(db.session.get(User, admin_id))  # the worker ended the unit of work that loaded them
    assert 'data-testid="jobs-failed">0<' in client.get("/admin/jobs").get_data(as_text=True)


def test_retrying_a_job_that_has_not_failed_changes_nothing(app, client, login, desk, make_ticket, make_user):
    _, category, _ = desk
    make_ticket(make_user("ann"), category)
    login(make_user("root", roles=[Role.ADMIN]))
    message_id = the_message().id
    response = client.post(f"/admin/jobs/{message_id}/retry", follow_redirects=True)
    assert "is not waiting for a retry" in response.get_data(as_text=True)
    assert the_message().attempts == 1
    assert client.post("/admin/jobs/999999/retry").status_code == 404
    assert client.post("/admin/jobs/retry-all", follow_redirects=True).status_code == 200


def test_job_pages_are_for_admins_only(client, login, make_user):
    login(make_user("tom", roles=[Role.AGENT]))
    assert client.get("/admin/jobs").status_code == 403
    assert client.post("/admin/jobs/retry-all").status_code == 403


def test_cli_shows_and_retries_failed_jobs(app, runner, desk, make_ticket, make_user, failing_notifications):
    _, category, _ = desk
    make_ticket(make_user("ann"), category)
    app.config["OUTBOX_MAX_ATTEMPTS"] = 1
    try:
        run_worker_burst(app)
    finally:
        app.config["OUTBOX_MAX_ATTEMPTS"] = 8
    message_id = the_message().id
    status = runner.invoke(args=["jobs", "status"])
    assert "failed 1" in status.output and f"failed #{message_id} notify_team_ticket_queued" in status.output
    assert runner.invoke(args=["jobs", "retry"]).exit_code == 2  # nothing named
    assert "is not a failed job" in runner.invoke(args=["jobs", "retry", "424242"]).output
    result = runner.invoke(args=["jobs", "retry", str(message_id)])
    assert result.exit_code == 0 and "1 job(s) sent back" in result.output
    assert the_message().failed_at is None


def test_every_job_named_exists():
    import importlib

    for queue, path, label in JOBS.values():
        module, name = path.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name))
        assert queue in QUEUES and label


def test_done_messages_are_pruned_after_thirty_days(app, desk, make_ticket, make_user):
    from app.workers.jobs import prune_outbox_job

    _, category, _ = desk
    category_id = category.id
    with travel_to(utcnow() - timedelta(days=31)):
        make_ticket(make_user("ann"), category)
        run_worker_burst(app)
    make_ticket(make_user("bob"), db.session.get(Category, category_id))
    assert prune_outbox_job() == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_cron_schedule_registers_the_relay_and_the_pruning():
    import importlib

    from rq import cron

    import app.workers.schedule as schedule

    cron._job_data_registry.clear()
    importlib.reload(schedule)
    names = [entry["func"].__name__ for entry in cron._job_data_registry]
    cron._job_data_registry.clear()
    assert names == ["drain_outbox_job", "prune_outbox_job"]


def test_an_id_never_comes_back_after_pruning(app, desk, make_ticket, make_user):
    """Effects dedupe on the outbox id, so a pruned id handed out again would silently swallow
    the new message's effect (SQLite reuses the highest ids without AUTOINCREMENT)."""
    from app.workers.jobs import prune_outbox_job

    _, category, agents = desk
    category_id = category.id
    with travel_to(utcnow() - timedelta(days=31)):
        make_ticket(make_user("ann"), category)
        run_worker_burst(app)
    old_id = db.session.scalar(select(func.max(OutboxMessage.id)))
    assert prune_outbox_job() == 1
    make_ticket(make_user("bob"), db.session.get(Category, category_id))
    run_worker_burst(app)
    assert the_message().id > old_id
    assert notification_count() == 2 * len(agents)


def test_a_message_that_cannot_be_enqueued_fails_alone(app, desk, make_ticket, make_user):
    """A job name or payload this version does not know (renamed job, hand-edited row) is
    marked failed and never holds up the messages behind it."""
    _, category, agents = desk
    app.config["OUTBOX_DRAIN_ON_COMMIT"] = False
    try:
        db.session.add(OutboxMessage(job="a_job_that_was_renamed", payload="{}"))
        db.session.add(OutboxMessage(job="notify_team_ticket_queued", payload="not json"))
        db.session.commit()
        make_ticket(make_user("ann"), category)
    finally:
        app.config["OUTBOX_DRAIN_ON_COMMIT"] = True
    assert relay(utcnow() + timedelta(seconds=app.config["OUTBOX_GRACE_SECONDS"] + 1)) == 1
    run_worker_burst(app)
    assert notification_count() == len(agents)
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))).all()
    assert sorted(m.last_error.split(":")[0] for m in failed) == ["cannot be enqueued"] * 2


def test_a_job_still_waiting_in_a_long_queue_is_not_sent_twice(app, desk, make_ticket, make_user):
    """A backlog longer than the lease: the job is still queued in RQ, so the relay extends the
    lease instead of sending a copy or using up an attempt."""
    _, category, agents = desk
    make_ticket(make_user("ann"), category)
    after_lease = the_message().due_at + timedelta(seconds=app.config["OUTBOX_GRACE_SECONDS"] + 1)
    assert relay(after_lease) == 0
    message = the_message()
    assert message.attempts == 1 and message.due_at > after_lease
    assert Queue("notify", connection=app.extensions["redis"]).count == 1
    run_worker_burst(app)
    assert notification_count() == len(agents)


def test_status_names_what_each_queue_holds(app, runner, client, login, desk, make_ticket, make_user):
    _, category, _ = desk
    assert QUEUES == ("intake", "routing", "sla", "notify", "default")  # the order workers take them
    make_ticket(make_user("ann"), category)  # its notice is handed to the notify queue on commit
    status = runner.invoke(args=["jobs", "status"])
    assert status.exit_code == 0
    assert status.output.splitlines()[1] == "queued  intake 0  routing 0  sla 0  notify 1  default 0"
    login(make_user("root", roles=[Role.ADMIN]))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert '<span title="notifications: in-app, email, webhooks">notify 1</span>' in page


def test_status_says_when_the_queues_cannot_be_reached(app, runner, client, login, make_user, stoppable_redis):  # noqa: F811
    admin_id = make_user("root", roles=[Role.ADMIN]).id
    stoppable_redis.stop()
    try:
        status = runner.invoke(args=["jobs", "status"])
        assert status.exit_code == 0
        assert status.output.splitlines()[1] == ("queued  unknown: Redis cannot be reached "
                                                 "(the jobs wait in the database)")
        login(db.session.get(User, admin_id))
        response = client.get("/admin/jobs")
        assert response.status_code == 200
        assert "The queues (Redis) cannot be reached" in response.get_data(as_text=True)
    finally:
        stoppable_redis.start()
