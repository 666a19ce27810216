"""Substring search for every search box: the one place typed text becomes a LIKE pattern.

The pattern is escaped (a typed ``%`` or ``_`` is only a character) and the text is cut to
MAX_SEARCH_TEXT characters first: nothing anyone searches for (a name, an email, a few words of
a catalog item) is longer, and SQLite refuses a pattern past 50,000 bytes ("LIKE or GLOB pattern
too complex") where PostgreSQL would merely scan slowly.
"""
from sqlalchemy import func
from sqlalchemy.sql import ColumnElement

MAX_SEARCH_TEXT = 200


def contains(column, text: str) -> ColumnElement[bool]:
    """``column`` contains ``text``, ignoring case."""
    return func.lower(column).contains(text.lower()[:MAX_SEARCH_TEXT], autoescape=True)
