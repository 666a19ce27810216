"""Command-line entry points: ``flask seed demo``, ``flask worker``, ``flask cron``, ``flask serve``,
``flask jobs status|retry``."""
import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from app.extensions import db
from app.supervisor import Child, supervise

seed = AppGroup("seed", help="Load data.")


@seed.command("demo")
@click.option("--tickets", default=300, show_default=True, help="How many tickets to create.")
@with_appcontext
def seed_demo_command(tickets: int):
    """Users for every role, teams, categories and realistic tickets with history."""
    from app.demo.data import DEMO_PASSWORD
    from app.demo.seed import seed_demo

    users = seed_demo(tickets=tickets)
    db.session.commit()
    click.echo(f"Demo data loaded: {tickets} tickets. Sign in with password {DEMO_PASSWORD!r} as:")
    for email, roles in users:
        click.echo(f"  {email:32} {roles}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker_command(burst: bool):
    """Run an RQ worker on every queue, in this process's app context (created once).
    Survives Redis outages: it reconnects with backoff."""
    from app.workers.runtime import configure_logging, run_worker

    configure_logging()
    run_worker(burst=burst)


@click.command("cron")
@with_appcontext
def cron_command():
    """Run the periodic schedule (app/workers/schedule.py). Run exactly one."""
    from app.workers.runtime import configure_logging, run_cron

    configure_logging()
    run_cron()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--demo/--no-demo", default=True, show_default=True,
              help="Load demo data into an empty database.")
@with_appcontext
def serve_command(host: str, port: int, demo: bool):
    """Everything in one command: schema, demo data, web (gunicorn), worker and cron."""
    from flask_migrate import upgrade

    from app.models import User

    upgrade()
    if demo and not db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Loading demo data (first run)…")
        click.get_current_context().invoke(seed_demo_command)
    db.session.remove()
    env = os.environ | {"REDIS_URL": current_app.config["REDIS_URL"],
                        "DATABASE_URL": current_app.config["SQLALCHEMY_DATABASE_URI"]}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    children = [
        Child("web", [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", "2",
                      "--threads", "4", "--access-logfile", "-", "wsgi:app"]),
        Child("worker", [*flask, "worker"]),
        Child("cron", [*flask, "cron"]),
    ]
    _print_welcome(host, port)
    supervise(children, env)


def _print_welcome(host: str, port: int) -> None:
    from app.demo.data import DEMO_PASSWORD, DEMO_USERS

    click.echo(f"\n  Deskflow is running at http://{host}:{port}/\n")
    click.echo(f"  Demo sign-ins (password {DEMO_PASSWORD!r}):")
    for email, _name, roles in DEMO_USERS:
        click.echo(f"    {email:32} {', '.join(roles)}")
    click.echo("\n  Press Ctrl-C to stop web, worker and cron.\n")


jobs = AppGroup("jobs", help="Background jobs: what is owed, and retrying what failed.")


@jobs.command("status")
@with_appcontext
def jobs_status_command():
    """Print how many jobs wait, run and failed, how many each queue holds, then the failed ones."""
    from app.outbox import queue_lengths
    from app.services.outbox import delivery_summary, failed_messages

    summary = delivery_summary()
    click.echo(f"waiting {summary.waiting}  running {summary.running}  failed {summary.failed}  "
               f"done in 24 h {summary.done_today}")
    lengths = queue_lengths()
    click.echo("queued  " + ("  ".join(f"{name} {count}" for name, count in lengths.items()) if lengths is not None
                             else "unknown: Redis cannot be reached (the jobs wait in the database)"))
    for message in failed_messages():
        click.echo(f"  failed #{message.id} {message.job} after {message.attempts} attempts: {message.last_error}")


@jobs.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "retry_all", is_flag=True, help="Retry every failed job.")
@with_appcontext
def jobs_retry_command(ids: tuple[int, ...], retry_all: bool):
    """Give failed jobs a fresh set of attempts (by id, or --all)."""
    from app.database import begin_write_transaction
    from app.models import OutboxMessage
    from app.services.outbox import retry_failed, retry_message

    if not ids and not retry_all:
        raise click.UsageError("Name the failed jobs to retry, or pass --all.")
    begin_write_transaction()
    count = retry_failed() if retry_all else 0
    for outbox_id in ids:
        message = db.session.get(OutboxMessage, outbox_id)
        if message is None or not retry_message(message):
            raise click.ClickException(f"#{outbox_id} is not a failed job.")
        count += 1
    db.session.commit()
    click.echo(f"{count} job(s) sent back to the queue.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(worker_command)
    app.cli.add_command(cron_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(jobs)
