"""Over HTTP: gunicorn serving bench/bench_wsgi.py, and concurrent clients timing it.

``hammer`` runs ``n`` GETs from ``clients`` threads and returns, per URL: the client's latency
(median, p95), the server's own time from the Server-Timing header (median, p95), its CPU time in the worker (median, p95), throughput (requests per second over
the whole burst) and the status codes. A request that times out is
counted as failed rather than ending the run.
"""
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from app.extensions import db
from app.models import User
from app.sessions import session_values

ROOT = Path(__file__).resolve().parent.parent
TIMING = re.compile(r"app;dur=([0-9.]+)")
CPU = re.compile(r"cpu;dur=([0-9.]+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(app, url: str, tmp: Path, workers: int):
    """gunicorn on a free port with the bench app (the app's config from the environment,
    as in production); returns the process and the base URL once it answers."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": app.config["REDIS_URL"],
           "SECRET_KEY": app.config["SECRET_KEY"], "DESKFLOW_INSTANCE": str(tmp / "instance"),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)])}
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b",
                                f"127.0.0.1:{port}", "--log-level", "warning", "bench_wsgi:app"],
                               cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{base}/_bench/constant", timeout=1)
            return process, base
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError("gunicorn did not start")


def stop(process) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def session_cookie(app, user_id: int) -> str:
    """A signed-in session cookie for ``user_id``, as the browser would hold it."""
    client = app.test_client()
    with app.app_context(), client.session_transaction() as session:
        session.update(session_values(db.session.get(User, user_id)))
    name = app.config["SESSION_COOKIE_NAME"]
    return f"{name}={client.get_cookie(name).value}"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def hammer(url: str, n: int, clients: int, headers: dict | None = None, warmup: int = 10) -> dict:
    """``n`` GETs of ``url`` from ``clients`` concurrent threads (after ``warmup`` untimed)."""
    for _ in range(warmup):
        _get(url, headers or {})
    latency, server, cpu, statuses, lock = [], [], [], Counter(), threading.Lock()

    def client(count):
        for _ in range(count):
            started = time.perf_counter()
            status, timing = _get(url, headers or {})
            with lock:
                statuses[status] += 1
                if status != "failed":
                    latency.append(time.perf_counter() - started)
                    if timing is not None:
                        server.append(timing[0] / 1000)
                        cpu.append(timing[1] / 1000)

    per_client = max(1, n // clients)
    threads = [threading.Thread(target=client, args=(per_client,), daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    def ms(values, fn):
        return round(fn(values) * 1000, 2) if values else None

    return {"median_ms": ms(latency, statistics.median), "p95_ms": ms(latency, _p95),
            "server_median_ms": ms(server, statistics.median), "server_p95_ms": ms(server, _p95),
            "server_cpu_median_ms": ms(cpu, statistics.median), "server_cpu_p95_ms": ms(cpu, _p95),
            "per_s": round(sum(v for k, v in statuses.items() if k != "failed") / elapsed, 1),
            "statuses": {str(k): v for k, v in statuses.items()}}


def _get(url: str, headers: dict):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            status, header = response.status, response.headers.get("Server-Timing", "")
    except urllib.error.HTTPError as error:
        status, header = error.code, error.headers.get("Server-Timing", "")
    except OSError:
        return "failed", None
    wall, cpu = TIMING.search(header or ""), CPU.search(header or "")
    return status, (float(wall.group(1)), float(cpu.group(1))) if wall and cpu else None
