"""Engine set-up that keeps SQLite honest under concurrency.

SQLite needs, on every connection: WAL (readers never block the writer), a busy timeout (a writer
waits instead of failing), foreign keys on. And write transactions must start with
``BEGIN IMMEDIATE``: a deferred transaction that reads and then writes fails at once with
"database is locked" when another writer got there first, whatever the timeout.

So a unit of work that writes (a POST/PUT/PATCH/DELETE request, a job, a CLI command) starts
its transaction with :func:`begin_write_transaction`; everything else (pages, live polls, lazy
loads after a commit) uses plain deferred transactions, which in WAL mode never wait for a writer.
"""
from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from app.extensions import db

WRITE_OPTION = "deskflow_write"


def on_postgresql() -> bool:
    """The session's database is PostgreSQL (else SQLite): the one test for the few places
    whose SQL differs (search, the queues' name walk, upserts)."""
    return db.session.get_bind().dialect.name == "postgresql"


def upsert(table):
    """The session's database's ``INSERT`` for ``table``, the one with ``on_conflict_do_…``
    (both dialects spell the upsert alike; core SQLAlchemy has none)."""
    return (postgresql_insert if on_postgresql() else sqlite_insert)(table)


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below emit BEGIN instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def begin_write_transaction(session=None) -> None:
    """Start the session's transaction as a write transaction (BEGIN IMMEDIATE on SQLite), so
    that it waits its turn up front instead of failing when it first writes."""
    session = session or db.session()
    if not session.in_transaction():
        session.connection(execution_options={WRITE_OPTION: True})


def init_write_requests(app: Flask) -> None:
    @app.before_request
    def start_write_transaction():
        from flask import request

        if request.method not in ("GET", "HEAD", "OPTIONS"):
            begin_write_transaction()
