"""Shared column helpers. All times are naive UTC: SQLite has no time zone type, so one
convention for both databases; templates convert for display."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

# Set only by ``travel_to`` (demo seeding backdates history); None means the real clock.
_clock: ContextVar[datetime | None] = ContextVar("deskflow_clock", default=None)


def utcnow() -> datetime:
    return _clock.get() or datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def travel_to(moment: datetime):
    """Make ``utcnow()`` answer ``moment`` inside the block, so that services write history
    with that time (demo data that looks weeks old). Never used by requests or jobs."""
    token = _clock.set(moment)
    try:
        yield moment
    finally:
        _clock.reset(token)


def str_enum(enum_cls, name: str):
    """A VARCHAR column type holding an enum's values, guarded by a CHECK constraint."""
    from sqlalchemy import Enum

    return Enum(enum_cls, native_enum=False, length=20, create_constraint=True, name=name,
                values_callable=lambda e: [m.value for m in e], validate_strings=True)
