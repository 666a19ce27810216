"""The benchmark's generated tickets must be ones the app could have made, or its figures would
measure a queue no one has: numbers per type without gaps, statuses each type can reach, the
matrix priority, and times in order and never in the future."""
import importlib.util
import random
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from app.models import OPEN_STATUSES, Status, TicketType
from app.services.lifecycle import TRANSITIONS
from app.services.priority import derive_priority

BENCH = Path(__file__).resolve().parent.parent / "bench" / "queue_bench.py"
NOW = datetime(2026, 6, 1, 12, 0)


@pytest.fixture(autouse=True)
def _process_globals_kept():
    """The benches build apps of their own in this process, and two things are one per process:
    Flask-Limiter's extension (each create_app points it at that app's Redis, which the bench
    then stops, so later tests' sign-ins would be counted in memory and refused with 429) and
    the instance folder the bench sets in the environment. Both are put back afterwards."""
    import os

    from app.extensions import limiter

    saved, instance = dict(limiter.__dict__), os.environ.get("DESKFLOW_INSTANCE")
    yield
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)
    if instance is None:
        os.environ.pop("DESKFLOW_INSTANCE", None)
    else:
        os.environ["DESKFLOW_INSTANCE"] = instance


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("queue_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows(bench):
    world = {"teams": [10, 11, 12, 13, 14], "tiers": [1, 2, 2, 2, 3],
             "categories": [(100 + i, team) for i, (_, team) in enumerate(bench.CATEGORIES)],
             "requesters": list(range(1000, 1050)), "members": {t: [500 + t, 600 + t] for t in range(5)},
             "agent": 500}
    return list(bench.ticket_rows(random.Random(1), 3000, world, NOW))


def test_numbers_run_per_type_without_gaps(rows):
    counts = Counter(row["ticket_type"] for row in rows)
    for ticket_type, count in counts.items():
        numbers = [row["number"] for row in rows if row["ticket_type"] == ticket_type]
        assert numbers == [f"{ticket_type.prefix}{i:06d}" for i in range(1, count + 1)]


def test_every_status_is_reachable_for_its_type(rows):
    for row in rows:
        reachable = {t.target for t in TRANSITIONS[row["ticket_type"]]}
        assert row["status"] in reachable, row


def test_priority_follows_the_matrix(rows):
    assert all(row["priority"] == derive_priority(row["impact"], row["urgency"]) for row in rows)


def test_times_are_ordered_and_never_in_the_future(rows):
    for row in rows:
        stamps = [row[s.timestamp_field] for s in Status if row[s.timestamp_field] is not None]
        assert row["created_at"] <= min(stamps) and max(stamps) <= row["updated_at"] <= NOW


def test_most_tickets_are_done_and_new_ones_are_unassigned(rows):
    open_share = sum(row["status"] in OPEN_STATUSES for row in rows) / len(rows)
    assert 0.01 < open_share < 0.15
    assert all(row["assignee_id"] is None for row in rows if row["status"] == Status.NEW)
    assert {row["ticket_type"] for row in rows} == set(TicketType)


def test_p95_is_the_nearest_rank(bench):
    assert bench.p95([float(i) for i in range(1, 101)]) == 95.0
    assert bench.p95([3.0]) == 3.0


# --- The benches run end to end at tiny sizes (the big runs are by flag; see bench/README.md) ----

def _last_json(out: str) -> dict:
    import json

    return json.loads(out.strip().splitlines()[-1])


def test_the_queue_bench_runs_and_ends_with_its_figures(bench, capsys):
    bench.main(["--tickets", "300", "--requests", "2", "--live-requests", "3", "--create", "2",
                "--http-requests", "16", "--clients", "4"])
    figures = _last_json(capsys.readouterr().out)
    assert figures["tickets"] == 300 and figures["unchanged → 204"]["statuses"] == {"204": 3}
    pages = figures["http"]["pages"]
    assert {"constant route", "bare Flask page, 50 rows", "unchanged poll → 204"} <= set(pages)
    assert pages["unchanged poll → 204"]["statuses"] == {"204": 16}
    assert all(set(p["statuses"]) == {"200"} for name, p in pages.items() if "poll" not in name)
    assert figures["http"]["poll_vs_constant"] > 0 and pages["view=open"]["server_p95_ms"] is not None


def test_the_search_bench_runs_and_ends_with_its_figures(capsys, monkeypatch):
    spec = importlib.util.spec_from_file_location("search_bench", BENCH.parent / "search_bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr("sys.argv", ["search_bench.py", "--tickets", "300", "--requests", "2", "--no-http"])
    module.main()
    figures = _last_json(capsys.readouterr().out)
    assert figures["tickets"] == 300 and set(figures["in_process"]) == {q[0] for q in module.QUERIES}


@pytest.fixture
def fresh_postgres():
    """A database of its own on the PostgreSQL server of TEST_DATABASE_URL (pg_seed drops and
    rebuilds the tickets' indexes, which the shared test database must keep)."""
    import os

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("set-based seeding is PostgreSQL's; runs with TEST_DATABASE_URL=postgresql…")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"deskflow_bench_seedcheck_{os.getpid()}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def test_set_based_rows_follow_the_same_rules(bench, fresh_postgres, tmp_path):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Ticket

    app = bench.make_app(tmp_path, fresh_postgres)
    try:
        with app.app_context():
            bench.upgrade()
            world = bench.seed_people(random.Random(3))
            db.session.remove()
            with db.engine.begin() as conn:
                bench.pg_seed.seed_tickets(conn, bench, world, 3000, NOW)
            columns = [c for c in Ticket.__table__.columns]
            found = [dict(r._mapping) for r in db.session.execute(select(*columns).order_by(Ticket.id))]
            db.session.remove()
            db.engine.dispose()
    finally:
        bench.stop_redis(app)
    assert len(found) == 3000
    for check in (test_numbers_run_per_type_without_gaps, test_every_status_is_reachable_for_its_type,
                  test_priority_follows_the_matrix, test_times_are_ordered_and_never_in_the_future,
                  test_most_tickets_are_done_and_new_ones_are_unassigned):
        check(found)
    assert {r["team_id"] for r in found} == set(world["teams"])
    assert all(r["assignee_id"] in world["members"][world["teams"].index(r["team_id"])]
               for r in found if r["assignee_id"] is not None)
