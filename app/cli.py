"""Command-line entry points: ``flask seed demo``, ``flask worker``, ``flask cron``, ``flask serve``."""
import os
import signal
import subprocess
import sys
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from app.extensions import db

seed = AppGroup("seed", help="Load data.")


@seed.command("demo")
@click.option("--tickets", default=300, show_default=True, help="How many tickets to create.")
@with_appcontext
def seed_demo_command(tickets: int):
    """Users for every role, teams, categories and realistic tickets with history."""
    from app.services.demo import DEMO_PASSWORD, seed_demo

    users = seed_demo(tickets=tickets)
    db.session.commit()
    click.echo(f"Demo data loaded: {tickets} tickets. Sign in with password {DEMO_PASSWORD!r} as:")
    for email, roles in users:
        click.echo(f"  {email:32} {roles}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker_command(burst: bool):
    """Run an RQ worker on every queue, in this process's app context (created once)."""
    from rq import Queue, SimpleWorker

    from app.redis_client import get_redis
    from app.workers import QUEUES
    from app.workers.dispatch import dispatch_pending

    dispatch_pending()  # hand over anything left while Redis or the worker was away
    db.session.commit()
    queues = [Queue(name, connection=get_redis()) for name in QUEUES]
    SimpleWorker(queues, connection=get_redis()).work(burst=burst, with_scheduler=False)


@click.command("cron")
@with_appcontext
def cron_command():
    """Run the periodic schedule (app/workers/schedule.py). Run exactly one."""
    from rq.cron import CronScheduler

    from app.redis_client import get_redis

    scheduler = CronScheduler(connection=get_redis())
    scheduler.load_config_from_file("app.workers.schedule")
    scheduler.start()


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
    procs = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", "2",
                          "--threads", "4", "--access-logfile", "-", "wsgi:app"], env=env),
        subprocess.Popen([*flask, "worker"], env=env),
        subprocess.Popen([*flask, "cron"], env=env),
    ]
    _print_welcome(host, port)
    _supervise(procs)


def _print_welcome(host: str, port: int) -> None:
    from app.services.demo import DEMO_PASSWORD, DEMO_USERS

    click.echo(f"\n  Deskflow is running at http://{host}:{port}/\n")
    click.echo(f"  Demo sign-ins (password {DEMO_PASSWORD!r}):")
    for email, _name, roles in DEMO_USERS:
        click.echo(f"    {email:32} {', '.join(roles)}")
    click.echo("\n  Press Ctrl-C to stop web, worker and cron.\n")


def _supervise(procs: list[subprocess.Popen]) -> None:
    """Wait until one child exits or we are interrupted, then stop them all."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    try:
        while not stop and all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(worker_command)
    app.cli.add_command(cron_command)
    app.cli.add_command(serve_command)
