"""Bulk work on 100 tickets (--batch) out of 20,000 (--tickets): in-process and over HTTP (gunicorn).

Seeds as bench/queue_bench.py does (its people and ticket rows). Then, for the busiest team's
first 100 open tickets, --rounds times each:

- in-process: ``services.bulk.bulk_targets`` + ``apply_bulk`` + one commit, as the bulk view
  runs them: assign to a colleague (alternating between two, so no round is a no-op), and an
  internal note on each. Also the statements each round ran.
- over HTTP: ``POST /agent/bulk`` (CSRF on, signed in, htmx: the answer is the refreshed queue
  table and the summary) against gunicorn (--workers), one bulk post at a time, as one
  technician's clicks would come; client latency and the server's own time (Server-Timing).

Each round's versions are read just before it, so every ticket is fresh and done (the run
checks "Done: 100 of 100"). Prints a table and, as its last line, one JSON object of figures.
"""
import argparse
import importlib.util
import re
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import Status, Ticket, User  # noqa: E402
from app.services.bulk import BulkAction, BulkKind, apply_bulk, bulk_targets  # noqa: E402

_spec = importlib.util.spec_from_file_location("queue_bench", ROOT / "bench" / "queue_bench.py")
queue_bench = importlib.util.module_from_spec(_spec)
sys.modules["queue_bench"] = queue_bench  # its PostgreSQL seeding looks itself up there
_spec.loader.exec_module(queue_bench)
http_load = queue_bench.http_load

WORKABLE = (Status.NEW, Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD, Status.PENDING)
TIMING = re.compile(r"app;dur=([0-9.]+)")
GOAL_MS = 1000  # a bulk action on 100 tickets answers within a second


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20_000, help="tickets to seed")
    parser.add_argument("--batch", type=int, default=100, help="tickets per bulk action")
    parser.add_argument("--rounds", type=int, default=10, help="timed bulk actions per kind and path")
    parser.add_argument("--postgres", metavar="URL",
                        help="PostgreSQL server URL; a fresh database is created there and dropped")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    return parser.parse_args()


def pick_tickets(app, world: dict, batch: int) -> tuple[list[int], list[int]]:
    """The busiest team's first ``batch`` workable tickets, and two of its members to assign to."""
    team = world["teams"][0]
    with app.app_context():
        ids = list(db.session.scalars(select(Ticket.id).where(
            Ticket.team_id == team, Ticket.status.in_(WORKABLE)).order_by(Ticket.id).limit(batch)))
        db.session.remove()
    if len(ids) < batch:
        raise SystemExit(f"only {len(ids)} workable tickets in the busiest team; seed more (--tickets)")
    return ids, world["members"][0][:2]


def refs(ids: list[int]) -> list[tuple[int, int]]:
    """(id, version) as the queue rows would show them now."""
    versions = dict(db.session.execute(select(Ticket.id, Ticket.version).where(Ticket.id.in_(ids))).all())
    return [(i, versions[i]) for i in ids]


def figures(seconds: list[float], batch: int) -> dict:
    median = statistics.median(seconds)
    return {"median_ms": round(median * 1000, 1), "p95_ms": round(queue_bench.p95(seconds) * 1000, 1),
            "per_ticket_ms": round(median * 1000 / batch, 2), "tickets_per_s": round(batch / median, 1)}


def in_process(app, world: dict, ids: list[int], people: list[int], rounds: int) -> dict:
    results = {}
    with app.app_context():
        actor = db.session.get(User, world["agent"])
        kinds = {"assign (person)": lambda r: BulkAction(BulkKind.ASSIGN, assignee=db.session.get(User, people[r % 2])),
                 "internal note": lambda r: BulkAction(BulkKind.NOTE, text=f"Bulk note {r}")}
        for label, action_for in kinds.items():
            seconds, statements = [], []
            for r in range(rounds + 1):  # the first round warms up
                pairs, action = refs(ids), action_for(r)
                db.session.commit()
                count = []
                listener = lambda *_: count.append(1)  # noqa: E731
                event.listen(db.engine, "before_cursor_execute", listener)
                started = time.perf_counter()
                outcomes = apply_bulk(actor, action, bulk_targets(pairs))
                db.session.commit()
                elapsed = time.perf_counter() - started
                event.remove(db.engine, "before_cursor_execute", listener)
                assert all(o.done for o in outcomes), [o.line for o in outcomes if not o.done][:3]
                if r:
                    seconds.append(elapsed)
                    statements.append(len(count))
            results[label] = {**figures(seconds, len(ids)), "statements": int(statistics.median(statements))}
            print(f"  in-process {label}: {results[label]}", flush=True)
        db.session.remove()
    return results


class Browser:
    """A signed-in technician over HTTP: the session cookie follows Set-Cookie, as a browser's."""

    def __init__(self, base: str, cookie: str):
        self.base, self.cookie = base, cookie

    def request(self, path: str, data: list | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body,
                                         headers={"Cookie": self.cookie, **(headers or {})})
        try:
            response = urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        text = response.read().decode()
        fresh = response.headers.get("Set-Cookie")
        if fresh:
            self.cookie = fresh.split(";", 1)[0]
        timing = TIMING.search(response.headers.get("Server-Timing", "") or "")
        return response.status, text, float(timing.group(1)) / 1000 if timing else None


def over_http(app, base: str, world: dict, ids: list[int], people: list[int], rounds: int) -> dict:
    browser = Browser(base, http_load.session_cookie(app, world["agent"]))
    status, page, _ = browser.request("/agent/?view=team")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert status == 200 and token, f"queue page answered {status}"
    latency, server = [], []
    for r in range(rounds + 1):
        with app.app_context():
            pairs = refs(ids)
            db.session.remove()
        data = [("csrf_token", token.group(1)), ("action", "assign"), ("assign_to", f"user:{people[r % 2]}"),
                ("back", "/agent/?view=team")] + [("ticket", f"{i}:{v}") for i, v in pairs]
        started = time.perf_counter()
        status, text, server_s = browser.request("/agent/bulk", data, {"HX-Request": "true"})
        elapsed = time.perf_counter() - started
        assert status == 200 and f"Done: {len(ids)} of {len(ids)}." in text, (status, text[:300])
        if r:
            latency.append(elapsed)
            if server_s is not None:
                server.append(server_s)
    result = {**figures(latency, len(ids)),
              "server_median_ms": round(statistics.median(server) * 1000, 1) if server else None,
              "server_p95_ms": round(queue_bench.p95(server) * 1000, 1) if server else None}
    print(f"  http assign (person): {result}", flush=True)
    return result


def print_table(backend: str, n: int, batch: int, local: dict, http: dict | None) -> None:
    print(f"\nBulk actions on {batch} tickets, {n:,} tickets seeded, {backend}")
    print(f"{'path':<34}{'median':>9}{'p95':>9}{'per ticket':>12}{'tickets/s':>11}{'statements':>12}")
    rows = [(f"in-process {label}", f) for label, f in local.items()]
    if http:
        rows.append(("POST /agent/bulk (gunicorn, htmx)", http))
    for label, f in rows:
        print(f"{label:<34}{f['median_ms']:>8.1f} {f['p95_ms']:>8.1f}{f['per_ticket_ms']:>11.2f} "
              f"{f['tickets_per_s']:>10.1f}{f.get('statements', ''):>12}")
    if http and http.get("server_p95_ms") is not None:
        print(f"  server time of POST /agent/bulk: median {http['server_median_ms']} ms, p95 {http['server_p95_ms']} ms")
    worst = max([f["p95_ms"] for f in local.values()] + ([http["p95_ms"]] if http else []))
    print(f"Worst p95 {worst:.1f} ms: {'PASS' if worst < GOAL_MS else 'FAIL'} (goal < {GOAL_MS} ms for {batch} tickets)")


def run(args, tmp: Path, url: str) -> dict:
    app = queue_bench.make_app(tmp, url)
    backend = make_url(url).get_backend_name()
    try:
        world = queue_bench.seed(app, args.tickets)
        ids, people = pick_tickets(app, world, args.batch)
        local = in_process(app, world, ids, people, args.rounds)
        print_table(backend, args.tickets, args.batch, local, None)
        http = None
        if not args.no_http:
            process, base = http_load.start_gunicorn(app, url, tmp, args.workers)
            try:
                http = over_http(app, base, world, ids, people, args.rounds)
            finally:
                http_load.stop(process)
            print_table(backend, args.tickets, args.batch, local, http)
        return {"backend": backend, "tickets": args.tickets, "batch": args.batch, "rounds": args.rounds,
                "in_process": local, "http_assign": http, "http_workers": args.workers, "goal_p95_ms": GOAL_MS}
    finally:
        queue_bench.close_app(app)


def main() -> None:
    args = parse_args()
    queue_bench.run_standalone("deskflow-bulk-bench-", f"Deskflow bulk benchmark: {args.batch} of {args.tickets:,} tickets", run, args)


if __name__ == "__main__":
    main()
