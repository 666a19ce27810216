"""Deskflow: the application factory."""
import os
from pathlib import Path

from flask import Flask

from app.config import default_config, load_secret_key


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults and environment, then instance/config.py, then ``config``."""
    app = Flask(__name__, instance_path=os.environ.get("DESKFLOW_INSTANCE",
                                                       str(Path(__file__).resolve().parent.parent / "instance")))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(default_config(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if config:
        app.config.from_mapping(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)

    _init_extensions(app)
    _register_blueprints(app)

    from app.cli import register_cli
    from app.subscriptions import init_subscriptions
    from app.templating import init_templating

    init_subscriptions(app)
    init_templating(app)
    register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table registered before Alembic looks)
    from app.database import configure_engine, init_write_requests
    from app.extensions import csrf, db, htmx, limiter, login_manager, migrate
    from app.http_input import init_http_input
    from app.redis_client import connection_options, init_redis, limiter_storage_uri
    from app.security import init_security_headers
    from app.sessions import init_sessions
    from app.outbox import init_outbox_dispatch

    init_http_input(app)  # first: hostile input is refused before a transaction or a CSRF check
    db.init_app(app)
    configure_engine(app)
    init_write_requests(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    init_sessions(app)  # after csrf: its check must see the session before a timeout empties it
    init_redis(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", limiter_storage_uri(app.config["REDIS_URL"]))
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", connection_options())
    # While Redis is away, count sign-in attempts in each process rather than not at all.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    init_security_headers(app)
    init_outbox_dispatch(app)


def _register_blueprints(app: Flask) -> None:
    from app.blueprints.admin import bp as admin_bp
    from app.blueprints.agent import bp as agent_bp
    from app.blueprints.approvals import bp as approvals_bp
    from app.blueprints.auth import bp as auth_bp
    from app.blueprints.catalog import bp as catalog_bp
    from app.blueprints.errors import init_error_handlers
    from app.blueprints.files import bp as files_bp
    from app.blueprints.notifications import bp as notifications_bp
    from app.blueprints.portal import bp as portal_bp
    from app.blueprints.search import bp as search_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(catalog_bp, url_prefix="/catalog")
    app.register_blueprint(agent_bp, url_prefix="/agent")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(files_bp, url_prefix="/files")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(approvals_bp, url_prefix="/approvals")
    app.register_blueprint(search_bp)
    init_error_handlers(app)
