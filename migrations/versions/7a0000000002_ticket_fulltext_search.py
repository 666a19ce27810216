"""ticket full-text search

One search document per submitted ticket (drafts are not searchable: no number yet, and only
their author sees them), built by the database itself from the ticket, its requester, its catalog
answers and its comments, and kept current by triggers, so that no service has to remember it.

- SQLite: an FTS5 table ``ticket_fts`` (rowid = ticket id) with one column per source, so that
  ranking can weigh them and requesters' searches can leave the ``notes`` column out.
- PostgreSQL: a side table ``ticket_search`` with two tsvectors (``doc``: everything, for IT
  staff, behind a GIN index; ``public_doc``: without internal notes, for requesters, who only
  ever search their own few tickets), weighted A (number, title), B (requester, answers),
  C (description), D (comments). The 'simple' configuration with ASCII punctuation turned into
  spaces first, so words split the same way as in SQLite's unicode61 tokenizer (an e-mail
  address is its parts) and no stemming makes one database find what the other does not.

Both keep these objects out of the models; app/search_index.py tells Alembic's compare so.

Revision ID: 7a0000000002
Revises: 7a0000000001
Create Date: 2026-12-01 14:15:00

"""
from alembic import op


revision = '7a0000000002'
down_revision = '7a0000000001'
branch_labels = None
depends_on = None

SOURCE_LIMIT = 100_000  # characters per source: a pasted log must not blow PostgreSQL's 1 MB tsvector

SQLITE_COLUMNS = "number, title, description, people, answers, replies, notes"

SQLITE_SOURCE = f"""
CREATE VIEW ticket_fts_source AS
SELECT t.id AS ticket_id,
       t.number || ' ' || ltrim(substr(t.number, 4), '0') AS number,
       t.title AS title,
       t.description AS description,
       coalesce(u.name, '') || ' ' || coalesce(u.email, '') AS people,
       CASE WHEN json_valid(t.answers)
            THEN coalesce((SELECT group_concat(a.value, ' ') FROM json_each(t.answers) AS a), '')
            ELSE coalesce(t.answers, '') END AS answers,
       coalesce((SELECT substr(group_concat(c.body, ' '), 1, {SOURCE_LIMIT}) FROM comments AS c
                 WHERE c.ticket_id = t.id AND NOT c.is_internal), '') AS replies,
       coalesce((SELECT substr(group_concat(c.body, ' '), 1, {SOURCE_LIMIT}) FROM comments AS c
                 WHERE c.ticket_id = t.id AND c.is_internal), '') AS notes
FROM tickets AS t LEFT JOIN users AS u ON u.id = t.requester_id
WHERE t.status <> 'draft' AND t.number IS NOT NULL
"""


def _sqlite_refresh(ticket_id: str) -> str:
    """Statements that rebuild one ticket's row (gone if it is now a draft or deleted)."""
    return (f"DELETE FROM ticket_fts WHERE rowid = {ticket_id}; "
            f"INSERT INTO ticket_fts (rowid, {SQLITE_COLUMNS}) "
            f"SELECT ticket_id, {SQLITE_COLUMNS} FROM ticket_fts_source WHERE ticket_id = {ticket_id};")


SQLITE_TRIGGERS = {
    "ticket_fts_ticket_insert": f"AFTER INSERT ON tickets BEGIN {_sqlite_refresh('NEW.id')} END",
    "ticket_fts_ticket_update": "AFTER UPDATE OF number, status, title, description, requester_id, answers "
                                f"ON tickets BEGIN {_sqlite_refresh('NEW.id')} END",
    "ticket_fts_ticket_delete": "AFTER DELETE ON tickets BEGIN DELETE FROM ticket_fts WHERE rowid = OLD.id; END",
    "ticket_fts_comment_insert": f"AFTER INSERT ON comments BEGIN {_sqlite_refresh('NEW.ticket_id')} END",
    "ticket_fts_comment_update": "AFTER UPDATE OF body, is_internal, ticket_id ON comments BEGIN "
                                 f"{_sqlite_refresh('OLD.ticket_id')} {_sqlite_refresh('NEW.ticket_id')} END",
    "ticket_fts_comment_delete": f"AFTER DELETE ON comments BEGIN {_sqlite_refresh('OLD.ticket_id')} END",
    "ticket_fts_requester_update": (
        "AFTER UPDATE OF name, email ON users BEGIN "
        "DELETE FROM ticket_fts WHERE rowid IN (SELECT id FROM tickets WHERE requester_id = NEW.id); "
        f"INSERT INTO ticket_fts (rowid, {SQLITE_COLUMNS}) SELECT ticket_id, {SQLITE_COLUMNS} "
        "FROM ticket_fts_source WHERE ticket_id IN (SELECT id FROM tickets WHERE requester_id = NEW.id); END"),
}


def _sqlite_upgrade():
    op.execute(SQLITE_SOURCE)
    op.execute(f"CREATE VIRTUAL TABLE ticket_fts USING fts5({SQLITE_COLUMNS}, "
               "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')")
    for name, body in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(f"INSERT INTO ticket_fts (rowid, {SQLITE_COLUMNS}) "
               f"SELECT ticket_id, {SQLITE_COLUMNS} FROM ticket_fts_source")


def _sqlite_downgrade():
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE ticket_fts")
    op.execute("DROP VIEW ticket_fts_source")


POSTGRES_UPGRADE = [
    """CREATE TABLE ticket_search (
        ticket_id integer PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
        doc tsvector NOT NULL,
        public_doc tsvector NOT NULL
    )""",
    "CREATE INDEX ix_ticket_search_doc ON ticket_search USING gin (doc)",
    # ASCII punctuation becomes a space (as in SQLite's tokenizer), then 'simple' lexemes.
    f"""CREATE FUNCTION ticket_search_vector(body text, weight "char") RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('simple', regexp_replace(left(coalesce(body, ''), {SOURCE_LIMIT}),
                                                              '[!-/:-@[-`{{-~[:space:]]+', ' ', 'g')), weight)
        $$""",
    # Catalog answers are a JSON object: its values are the words, not its field keys.
    """CREATE FUNCTION ticket_search_answers(answers text) RETURNS text LANGUAGE plpgsql STABLE AS $$
        BEGIN
            RETURN (SELECT string_agg(value, ' ') FROM json_each_text(answers::json));
        EXCEPTION WHEN others THEN
            RETURN answers;
        END $$""",
    """CREATE VIEW ticket_search_source AS
        SELECT ticket_id, public_doc || notes AS doc, public_doc FROM (
            SELECT t.id AS ticket_id,
                   ticket_search_vector(t.number || ' ' || ltrim(substr(t.number, 4), '0') || ' ' || t.title, 'A')
                   || ticket_search_vector(concat_ws(' ', u.name, u.email, ticket_search_answers(t.answers)), 'B')
                   || ticket_search_vector(t.description, 'C')
                   || ticket_search_vector((SELECT string_agg(c.body, ' ') FROM comments AS c
                                            WHERE c.ticket_id = t.id AND NOT c.is_internal), 'D') AS public_doc,
                   ticket_search_vector((SELECT string_agg(c.body, ' ') FROM comments AS c
                                         WHERE c.ticket_id = t.id AND c.is_internal), 'D') AS notes
            FROM tickets AS t LEFT JOIN users AS u ON u.id = t.requester_id
            WHERE t.status <> 'draft' AND t.number IS NOT NULL
        ) AS documents""",
    # The advisory lock queues two transactions changing one ticket's document; the statement
    # after it sees what the first committed, so the second never writes back a stale document.
    """CREATE FUNCTION ticket_search_refresh(tid integer) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtext('ticket_search'), tid);
            DELETE FROM ticket_search WHERE ticket_id = tid
                AND NOT EXISTS (SELECT 1 FROM ticket_search_source WHERE ticket_id = tid);
            INSERT INTO ticket_search (ticket_id, doc, public_doc)
                SELECT ticket_id, doc, public_doc FROM ticket_search_source WHERE ticket_id = tid
                ON CONFLICT (ticket_id) DO UPDATE SET doc = excluded.doc, public_doc = excluded.public_doc;
        END $$""",
    """CREATE FUNCTION ticket_search_on_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM ticket_search_refresh(NEW.id);
            RETURN NULL;
        END $$""",
    """CREATE FUNCTION ticket_search_on_comment() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN PERFORM ticket_search_refresh(OLD.ticket_id); END IF;
            IF TG_OP <> 'DELETE' THEN PERFORM ticket_search_refresh(NEW.ticket_id); END IF;
            RETURN NULL;
        END $$""",
    """CREATE FUNCTION ticket_search_on_requester() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM ticket_search_refresh(id) FROM tickets WHERE requester_id = NEW.id;
            RETURN NULL;
        END $$""",
    """CREATE TRIGGER ticket_search_ticket
        AFTER INSERT OR UPDATE OF number, status, title, description, requester_id, answers ON tickets
        FOR EACH ROW EXECUTE FUNCTION ticket_search_on_ticket()""",
    """CREATE TRIGGER ticket_search_comment AFTER INSERT OR UPDATE OR DELETE ON comments
        FOR EACH ROW EXECUTE FUNCTION ticket_search_on_comment()""",
    """CREATE TRIGGER ticket_search_requester AFTER UPDATE OF name, email ON users
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email)
        EXECUTE FUNCTION ticket_search_on_requester()""",
    "INSERT INTO ticket_search (ticket_id, doc, public_doc) SELECT ticket_id, doc, public_doc FROM ticket_search_source",
]

POSTGRES_DOWNGRADE = [
    "DROP TRIGGER ticket_search_requester ON users",
    "DROP TRIGGER ticket_search_comment ON comments",
    "DROP TRIGGER ticket_search_ticket ON tickets",
    "DROP FUNCTION ticket_search_on_requester()",
    "DROP FUNCTION ticket_search_on_comment()",
    "DROP FUNCTION ticket_search_on_ticket()",
    "DROP FUNCTION ticket_search_refresh(integer)",
    "DROP VIEW ticket_search_source",
    "DROP FUNCTION ticket_search_answers(text)",
    "DROP FUNCTION ticket_search_vector(text, \"char\")",
    "DROP TABLE ticket_search",
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_UPGRADE:
            op.execute(statement)
    else:
        _sqlite_upgrade()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWNGRADE:
            op.execute(statement)
    else:
        _sqlite_downgrade()
