"""The migrations and the models agree, on whichever database the suite runs against."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Config

from app.extensions import db
from app.search_index import include_object


def test_single_alembic_head(app):
    config = Config(f"{app.extensions['migrate'].directory}/alembic.ini")
    config.set_main_option("script_location", app.extensions["migrate"].directory)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_match_migrations(app):
    """The schema was built by `flask db upgrade` (conftest); autogenerate must find nothing."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
