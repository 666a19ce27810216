"""The ticket search index lives in the database, not in the models.

Migration 7a0000000002 builds it per dialect (an FTS5 table on SQLite, a tsvector side table with
a GIN index on PostgreSQL; 7a0000000007 gives the FTS5 table a requester column) with triggers
that keep it current, because SQLAlchemy's metadata can describe neither an FTS5 virtual table
nor its shadow tables. Alembic's compare would then report them as tables to drop;
``include_object`` tells it they are not the models' business (migrations/env.py for
autogenerate, tests/test_migrations.py for the models-match check).
"""
SQLITE_TABLE = "ticket_fts"  # FTS5 also makes ticket_fts_data, _idx, _content, _docsize, _config
POSTGRES_TABLE = "ticket_search"


def is_search_index_table(name: str | None) -> bool:
    return name == POSTGRES_TABLE or name == SQLITE_TABLE or (name or "").startswith(SQLITE_TABLE + "_")


def include_object(_object, name, type_, reflected, compare_to) -> bool:
    """Alembic hook: leave the search index's tables out of the compare (their indexes and
    columns go with them)."""
    return not (type_ == "table" and reflected and compare_to is None and is_search_index_table(name))
