"""Shared column helpers. All times are naive UTC: SQLite has no time zone type, so one
convention for both databases; templates convert for display."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def str_enum(enum_cls, name: str):
    """A VARCHAR column type holding an enum's values, guarded by a CHECK constraint."""
    from sqlalchemy import Enum

    return Enum(enum_cls, native_enum=False, length=20, create_constraint=True, name=name,
                values_callable=lambda e: [m.value for m in e], validate_strings=True)
