"""search index: each ticket's requester as a token, so an employee's search narrows in the index

An employee searches only their own tickets. With the requester known only to ``tickets``, FTS5
found every match of a common word in everyone's tickets and SQLite then dropped the others'
(450 ms median at 100k tickets). A ``requester`` column holding ``r<id>`` lets the MATCH itself
intersect the words with that person's few tickets. Ranking gives the column no weight and
staff searches leave it out, so what anyone finds and its order are unchanged.

SQLite only: PostgreSQL's requester searches read ``public_doc`` of the requester's own rows,
found through the tickets' requester index, and were already fast.

The view, the FTS5 table and the triggers are those of 7a0000000002 with the one more column
(rebuilt from its definitions, so the two cannot drift apart), and the index is rebuilt.

Revision ID: 7a0000000007
Revises: 7a0000000006
Create Date: 2026-12-01 18:10:00

"""
import importlib.util
from pathlib import Path

from alembic import op


revision = '7a0000000007'
down_revision = '7a0000000006'
branch_labels = None
depends_on = None

_spec = importlib.util.spec_from_file_location(
    "search_index_7a0000000002", Path(__file__).with_name("7a0000000002_ticket_fulltext_search.py"))
previous = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(previous)

COLUMNS = previous.SQLITE_COLUMNS + ", requester"
SOURCE = previous.SQLITE_SOURCE.replace(
    "\nFROM tickets AS t", ",\n       'r' || t.requester_id AS requester\nFROM tickets AS t", 1)
TRIGGERS = {name: body.replace(previous.SQLITE_COLUMNS, COLUMNS)
            for name, body in previous.SQLITE_TRIGGERS.items()}


def _create_with_requester():
    op.execute(SOURCE)
    op.execute(f"CREATE VIRTUAL TABLE ticket_fts USING fts5({COLUMNS}, "
               "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(f"INSERT INTO ticket_fts (rowid, {COLUMNS}) SELECT ticket_id, {COLUMNS} FROM ticket_fts_source")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        previous._sqlite_downgrade()
        _create_with_requester()


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        previous._sqlite_downgrade()
        previous._sqlite_upgrade()
