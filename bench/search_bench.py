"""Ticket search latency at 100,000 (or --tickets) tickets: in-process and over HTTP (gunicorn).

Seeds as bench/queue_bench.py does (its people and ticket rows), but every ticket gets its own
title and description drawn from a Zipf-like vocabulary, and a third of them a reply or an
internal note, so that searches meet realistic selectivity: words in a few tickets, words in
tens of thousands. On PostgreSQL the index trigger is switched off while the rows are bulk
inserted and the index is then built in one statement, as the migration's backfill does.

Prints a table (median and p95 per kind of query, in-process through the service and over HTTP
with gunicorn: --workers processes, --clients concurrent clients) and, as its last line, one
JSON object with the figures. Goals: p95 < 50 ms at 100k on SQLite, < 100 ms at 1M on PostgreSQL.

Seeding a million tickets takes minutes (13 on a loaded machine), so on PostgreSQL
``--keep-db NAME`` seeds into a database of that name and leaves it, and ``--reuse-db NAME``
runs the queries against it again without seeding (its schema brought up to date first).
"""
import argparse
import importlib.util
import random
import statistics
import sys
import time
import urllib.parse
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import Comment, Ticket, TicketCounter, TicketType, User, utcnow  # noqa: E402
from app.services.ticket_search import search_tickets  # noqa: E402

_spec = importlib.util.spec_from_file_location("queue_bench", ROOT / "bench" / "queue_bench.py")
queue_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(queue_bench)
pg_seed = queue_bench.pg_seed
http_load = queue_bench.http_load

WORDS = ("printer laptop vpn password email outlook monitor docking keyboard mouse badge wifi network "
         "teams excel license onboarding offboarding screen battery charger headset camera meeting room "
         "projector scanner toner tray driver update crash freeze slow login account locked reset share "
         "drive folder permission access sap invoice payroll phone mobile sim contract vendor server "
         "backup restore database certificate expired firewall proxy browser chrome edge plugin macro").split()
RARE = ["zephyrine", "quokka", "marmalade", "tessellate", "oxbow"]  # each in about 0.01% of tickets
# (label, who searches, typed): kinds of query a technician or an employee types.
QUERIES = [
    ("one common word", "agent", "printer"), ("two words", "agent", "printer toner"),
    ("rare word", "agent", "zephyrine"), ("as one types", "agent", "pri"),
    ("words from a reply", "agent", "restart still fails"), ("requester name", "agent", None),
    ("employee, own tickets", "employee", "printer"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100, help="timed searches per kind of query")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server URL (a fresh database is made)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument("--keep-db", metavar="NAME", help="with --postgres: seed a new database NAME and leave it")
    kept.add_argument("--reuse-db", metavar="NAME", help="with --postgres: query the kept database NAME, no seeding")
    args = parser.parse_args()
    if (args.keep_db or args.reuse_db) and not args.postgres:
        parser.error("--keep-db and --reuse-db need --postgres")
    return args


# --- seeding -----------------------------------------------------------------------------

def text_for(rng: random.Random, n_words: int) -> str:
    words = [WORDS[min(int(rng.paretovariate(1.1)) - 1, len(WORDS) - 1)] if rng.random() < 0.7
             else rng.choice(WORDS) for _ in range(n_words)]
    if rng.random() < 0.0001 * len(RARE):
        words.append(rng.choice(RARE))
    return " ".join(words)


def rows(rng, n, world):
    for row in queue_bench.ticket_rows(rng, n, world, utcnow()):
        row["title"] = text_for(rng, 5).capitalize()
        row["description"] = text_for(rng, 30) + ". " + queue_bench.DESCRIPTION
        yield row


def words_sql(count: int) -> str:
    """``count`` words drawn as text_for draws them (70% Zipf-like, else uniform), per row: the
    subquery names the outer row's ``i`` so that PostgreSQL evaluates it for every row."""
    vocabulary = "ARRAY[" + ", ".join(f"'{w}'" for w in WORDS) + "]"
    pick = (f"({vocabulary})[CASE WHEN random() < 0.7 THEN least(floor(power(1 - random(), -1 / 1.1))::int, "
            f"{len(WORDS)}) ELSE 1 + floor(random() * {len(WORDS)})::int END]")
    return f"(SELECT string_agg({pick}, ' ') FROM generate_series(1, {count} + 0 * i))"


def rare_sql() -> str:
    rare = "ARRAY[" + ", ".join(f"'{w}'" for w in RARE) + "]"
    return (f"CASE WHEN random() < {0.0001 * len(RARE)} THEN ' ' || ({rare})[1 + floor(random() * "
            f"{len(RARE)})::int] ELSE '' END")


def seed_postgres(conn, n: int, world: dict) -> None:
    """Set-based (bench/pg_seed.py): the tickets with words in title and description, a
    reply or note on a third of them, then the search index in one statement."""
    description = f"{words_sql(30)} || {rare_sql()} || '. ' || {pg_seed._lit(queue_bench.DESCRIPTION)}"
    pg_seed.seed_tickets(conn, queue_bench, world, n, utcnow(), title_sql=words_sql(5),
                         description_sql=description)
    conn.exec_driver_sql("SET session_replication_role = replica")
    conn.execute(text(
        "INSERT INTO comments (ticket_id, author_id, created_at, body, is_internal) "
        "SELECT id, :agent, created_at, 'Asked the user to restart; it still fails. ' || "
        + words_sql(12).replace("0 * i", "0 * id") + ", random() < 0.5 FROM tickets WHERE random() < 0.33"),
        {"agent": world["agent"]})
    conn.exec_driver_sql("SET session_replication_role = DEFAULT")
    pg_seed.build_search_index(conn)


def seed(app, n: int) -> None:
    rng = random.Random(7)
    with app.app_context():
        t0 = time.perf_counter()
        queue_bench.upgrade()
        world = queue_bench.seed_people(rng)
        db.session.remove()
        postgres = db.engine.dialect.name == "postgresql"
        with db.engine.begin() as conn:
            if postgres:
                seed_postgres(conn, n, world)
            else:
                seed_rows(conn, rng, n, world)
        if postgres:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        print(f"Seeding {n:,} tickets with their index took {time.perf_counter() - t0:.0f} s", flush=True)
        db.session.remove()


def reuse(app) -> int:
    """A kept database brought up to date (a migration added since it was seeded); its tickets."""
    with app.app_context():
        queue_bench.upgrade()
        n = db.session.scalar(select(func.count()).select_from(Ticket))
        db.session.remove()
    if not n:
        raise SystemExit("The kept database has no tickets: its seeding did not finish; seed it again.")
    print(f"Reusing {n:,} seeded tickets", flush=True)
    return n


def searchers(app) -> tuple[dict, str]:
    """The technician and the employee who search (seed_people's first agent and requester,
    found by e-mail so that a kept database serves as well), and the employee's name."""
    with app.app_context():
        agent, employee = (db.session.scalar(select(User).where(User.email == email))
                           for email in ("agent0@example.com", "employee0@example.com"))
        return {"agent": agent.id, "employee": employee.id}, employee.name


def seed_rows(conn, rng, n, world) -> None:
    per_type, ticket_id = {t: 0 for t in TicketType}, 0
    source = rows(rng, n, world)
    while batch := list(islice(source, 5000)):
        for row in batch:
            per_type[row["ticket_type"]] += 1
        conn.execute(insert(Ticket.__table__), batch)
        notes = [{"ticket_id": ticket_id + i + 1, "author_id": world["agent"], "created_at": row["created_at"],
                  "body": "Asked the user to restart; it still fails. " + text_for(rng, 12),
                  "is_internal": rng.random() < 0.5}
                 for i, row in enumerate(batch) if rng.random() < 0.33]
        ticket_id += len(batch)
        if notes:
            conn.execute(insert(Comment.__table__), notes)
    conn.execute(insert(TicketCounter.__table__), [{"ticket_type": t, "last_value": c} for t, c in per_type.items()])


# --- measuring ---------------------------------------------------------------------------

def figures(durations: list[float]) -> dict:
    return {"median_ms": round(statistics.median(durations) * 1000, 1),
            "p95_ms": round(queue_bench.p95(durations) * 1000, 1)}


def in_process(app, people: dict, queries: list, n: int) -> dict:
    results = {}
    with app.app_context():
        for label, who, typed in queries:
            user = db.session.get(User, people[who])
            durations, total = [], 0
            for i in range(n + 5):
                started = time.perf_counter()
                found = search_tickets(user, typed, page=1 + i % 3)
                if i >= 5:
                    durations.append(time.perf_counter() - started)
                total = found.total
                db.session.rollback()
            results[label] = {**figures(durations), "matches": total}
    return results


def over_http(app, base: str, people: dict, queries: list, n: int, clients: int) -> dict:
    cookies = {who: http_load.session_cookie(app, uid) for who, uid in people.items()}
    results = {}
    for label, who, typed in queries:
        url = f"{base}/search?" + urllib.parse.urlencode({"q": typed})
        results[label] = http_load.hammer(url, n, clients, {"Cookie": cookies[who]})
        print(f"  http {label}: {results[label]}", flush=True)
    return results


def print_table(backend: str, n: int, local: dict, http: dict | None, goal_ms: float) -> None:
    print(f"\n{'query':<24}{'matches':>9}{'median':>9}{'p95':>9}"
          + (f"{'http med':>10}{'http p95':>10}{'server p95':>11}{'req/s':>8}" if http else ""))
    for label, f in local.items():
        line = f"{label:<24}{f['matches']:>9,}{f['median_ms']:>8.1f} {f['p95_ms']:>8.1f}"
        if http:
            h = http[label]
            line += (f"{h['median_ms'] or 0:>9.1f} {h['p95_ms'] or 0:>9.1f} {h['server_p95_ms'] or 0:>10.1f}"
                     f" {h['per_s']:>7.1f}")
        print(line + " ms")
    worst = max(f["p95_ms"] for f in local.values())
    print(f"\nWorst in-process p95 {worst:.1f} ms at {n:,} tickets on {backend}: "
          f"{'PASS' if worst < goal_ms else 'FAIL'} (goal < {goal_ms:.0f} ms)")


def run(args, tmp: Path, url: str) -> dict:
    app = queue_bench.make_app(tmp, url)
    backend = make_url(url).get_backend_name()
    try:
        if args.reuse_db:
            args.tickets = reuse(app)
        else:
            seed(app, args.tickets)
        people, employee_name = searchers(app)
        queries = [(label, who, typed or employee_name) for label, who, typed in QUERIES]
        local = in_process(app, people, queries, args.requests)
        print_table(backend, args.tickets, local, None, 50.0 if backend == "sqlite" else 100.0)
        http = None
        if not args.no_http:
            process, base = http_load.start_gunicorn(app, url, tmp, args.workers)
            try:
                http = over_http(app, base, people, queries, args.requests, args.clients)
            finally:
                http_load.stop(process)
        goal_ms = 50.0 if backend == "sqlite" else 100.0
        print_table(backend, args.tickets, local, http, goal_ms)
        return {"backend": backend, "tickets": args.tickets, "in_process": local, "http": http,
                "http_workers": args.workers, "http_clients": args.clients, "goal_p95_ms": goal_ms,
                "database_size": queue_bench.database_size(app, tmp)}
    finally:
        queue_bench.close_app(app)


def kept_database(args) -> str:
    """The URL of the database --keep-db makes (it must not exist yet) or --reuse-db names;
    unlike queue_bench.database, neither is dropped afterwards."""
    name = args.keep_db or args.reuse_db
    if args.keep_db:
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
    return make_url(args.postgres).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    args = parse_args()
    kept = args.keep_db or args.reuse_db
    heading = f"Deskflow search benchmark: database {kept}" if kept else f"Deskflow search benchmark: {args.tickets:,} tickets"
    queue_bench.run_standalone("deskflow-search-bench-", heading, run, args, kept_database(args) if kept else None)


if __name__ == "__main__":
    main()
