"""The app as gunicorn serves it for the benchmarks, plus two yardsticks served by the same
processes in the same run, so a queue page's throughput reads as a share of what the stack
itself allows: ``/_bench/constant`` (a constant response through every hook of the app) and
``/_bench/rows`` (a bare Flask page of 50 ticket rows: one query, one small template, no
layout and no sign-in). Both exist only here, never in the product.

Every response carries ``Server-Timing: app;dur=<ms>, cpu;dur=<ms>``: the time from the WSGI
call to the response's start, and the worker's CPU time in it, so that the bench reports server
time apart from the client's queueing, and the Python cost apart from waiting for a core (on a
loaded machine the wall time measures the machine; the database's own work is in the wall
time only).

Run by bench/http_load.py as ``gunicorn bench_wsgi:app`` with bench/ on PYTHONPATH.
"""
import time

from flask import render_template_string
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Ticket

ROWS = """<!doctype html><title>Tickets</title><table>
{% for t in rows %}<tr><td>{{ t.number }}</td><td>{{ t.title }}</td><td>{{ t.status }}</td>
<td>{{ t.priority }}</td><td>{{ t.created_at }}</td></tr>{% endfor %}</table>"""


def constant():
    return "ok"


def rows():
    found = db.session.execute(select(Ticket.number, Ticket.title, Ticket.status, Ticket.priority,
                                      Ticket.created_at).order_by(Ticket.id.desc()).limit(50)).all()
    return render_template_string(ROWS, rows=found)


def server_timing(wsgi_app):
    def timed(environ, start_response):
        started, cpu = time.perf_counter(), time.thread_time()

        def start(status, headers, exc_info=None):
            headers.append(("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.2f}, "
                                             f"cpu;dur={(time.thread_time() - cpu) * 1000:.2f}"))
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start)

    return timed


def bench_app():
    app = create_app()
    app.add_url_rule("/_bench/constant", "bench_constant", constant)
    app.add_url_rule("/_bench/rows", "bench_rows", rows)
    app.wsgi_app = server_timing(app.wsgi_app)
    return app


app = bench_app()
