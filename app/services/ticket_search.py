"""Find any ticket: ranked full-text search over the index the database keeps (app/search_index.py).

The index is built and kept current by triggers (migration 7a0000000002), so every service that
changes a ticket, a comment or a requester updates it in its own transaction without knowing.
This module turns typed text into a query for that index, runs it with the viewer's visibility
in the WHERE clause (never filtered afterwards, so pages and counts are right), and marks the
matching words in what it shows.

Words are letters and digits; every word must match, the last one as a prefix (``print`` finds
"printer" while one is still typing). No stemming on either database, so both find the same.
"""
import json
import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import select, text
from sqlalchemy.orm import joinedload, lazyload

from app.database import on_postgresql
from app.extensions import db
from app.models import Comment, Ticket, TicketType, User
from app.services import permissions
from app.services.errors import DomainError
from app.services.search import MAX_SEARCH_TEXT

PER_PAGE = 20
MAX_PAGE = 50
COUNT_CAP = PER_PAGE * MAX_PAGE  # "1,000+ results": nobody reads further, and counting all costs
RANK_WINDOW = COUNT_CAP + 1  # newest matches ranked and counted: every page one can open, and one more
MIN_LENGTH = 2
MAX_WORDS = 12
SNIPPET_CHARS = 180

WORD = re.compile(r"[^\W_]+")
NUMBER = re.compile(r"^\s*(?P<prefix>[a-z]{3})[\s#-]*0*(?P<digits>\d{1,9})\s*$", re.IGNORECASE)
PREFIXES = {t.prefix: t for t in TicketType}

# Column weights: a word in the number or title says most about a ticket, one in a comment least.
# Columns: number, title, description, people, answers, replies, notes, and requester ("r<id>",
# which narrows a requester's search in the index and weighs nothing).
SQLITE_WEIGHTS = "10.0, 10.0, 3.0, 5.0, 4.0, 1.5, 1.5, 0.0"
SQLITE_STAFF_COLUMNS = "{number title description people answers replies notes}"
SQLITE_PUBLIC_COLUMNS = "{number title description people answers replies}"
REQUESTER_TOKEN = re.compile(r"r\d*")  # a word that is, or begins, a requester column's "r<id>"


class SearchError(DomainError):
    """Typed text that cannot be searched for; the message says what to type instead."""


@dataclass(frozen=True)
class Hit:
    ticket: Ticket
    title: Markup
    snippet: Markup


@dataclass(frozen=True)
class SearchPage:
    terms: list[str]
    hits: list[Hit]
    total: int  # capped at COUNT_CAP + 1
    page: int

    @property
    def total_is_capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def has_next(self) -> bool:
        return self.page * PER_PAGE < min(self.total, COUNT_CAP)


# Reading what was typed ---------------------------------------------------------------------

def parse_terms(typed: str) -> list[str]:
    """The words of ``typed``, lower-case and without accents, or a SearchError saying why not."""
    typed = typed.strip()
    if len(typed) > MAX_SEARCH_TEXT:
        raise SearchError(f"Search for at most {MAX_SEARCH_TEXT} characters.")
    terms = [fold(word) for word in WORD.findall(typed)]
    if sum(len(term) for term in terms) < MIN_LENGTH:
        raise SearchError(f"Type at least {MIN_LENGTH} letters or digits.")
    if len(terms) > MAX_WORDS:
        raise SearchError(f"Search for at most {MAX_WORDS} words.")
    return terms


def fold(word: str) -> str:
    """Lower-case without accents, as SQLite's tokenizer (remove_diacritics) stores words.
    Plain ASCII has no accents to strip: marking a page folds every word it shows."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def ticket_number(typed: str) -> str | None:
    """``INC000123`` for "inc123", "INC-000123", "req 45"; None if ``typed`` is not a number."""
    match = NUMBER.match(typed)
    if not match or match["prefix"].upper() not in PREFIXES:
        return None
    return f"{match['prefix'].upper()}{int(match['digits']):06d}"


def find_by_number(user: User, typed: str) -> Ticket | None:
    """The ticket whose number was typed, if ``user`` may see it (else None, as if absent)."""
    number = ticket_number(typed)
    if number is None:
        return None
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
    return ticket if ticket is not None and permissions.can_view_ticket(user, ticket) else None


# Querying the index -------------------------------------------------------------------------

def search_tickets(user: User, typed: str, page: int = 1) -> SearchPage:
    """Page ``page`` of the tickets ``user`` may see that match ``typed``, best first.

    IT staff search everything (internal notes included); anyone else only their own tickets
    and never internal notes, both in the query itself. Ranking reads every candidate's
    document, so a word found in half the tickets is ranked among its RANK_WINDOW newest
    matches: the cost stays flat at a million tickets, and for so broad a search the recent
    tickets are the ones wanted (a requester's matches are their own few tickets, which the
    window holds whole). The window is every result one can page to and one more, so it is
    also the count: a full window is "1,000+", a smaller one is all there is. One statement
    finds it with each match's rank and the page is cut from it here: at 1M tickets on
    PostgreSQL the window, the ranked page and the count were three statements that each
    walked the newest tickets' documents. Raises SearchError for text that cannot be searched
    and for a page past MAX_PAGE.
    """
    terms = parse_terms(typed)
    if not 1 <= page <= MAX_PAGE:
        raise SearchError(f"Results go up to page {MAX_PAGE}; narrow the search to see others.")
    staff = permissions.can_see_internal(user)
    query = _postgres_query if on_postgresql() else _sqlite_query
    statement, params = query(terms, staff, user.id)
    ranked = db.session.scalars(text(f"SELECT id FROM ({statement}) AS ranked ORDER BY score DESC, id DESC"),
                                {**params, "window": RANK_WINDOW}).all()  # equal rank: newest first
    ids = ranked[(page - 1) * PER_PAGE:page * PER_PAGE]
    return SearchPage(terms=terms, hits=_hits(ids, terms, staff), total=len(ranked), page=page)


def _sqlite_query(terms: list[str], staff: bool, requester: int) -> tuple[str, dict]:
    """FTS5: every word a quoted string (so nothing typed is an operator), the last a prefix,
    never found in the requester column; a requester's words are limited to the columns they
    may read and joined with their own ``r<id>`` token, so the index itself narrows to their
    tickets (migration 7a0000000007). Staff words are limited to columns only when one could
    be such a token ("r12"): a column filter reads every match's positions, a third slower for
    a common word. Returns the statement for the newest matches' ids and scores (higher is
    better; FTS5 reads its doclists in rowid order, so it stops at the window) and its
    parameters."""
    expression = " ".join(f'"{term}"' for term in terms) + "*"
    if not staff:
        match = f'requester : "r{int(requester)}" AND {SQLITE_PUBLIC_COLUMNS} : ({expression})'
    elif any(REQUESTER_TOKEN.fullmatch(term) for term in terms):
        match = f"{SQLITE_STAFF_COLUMNS} : ({expression})"
    else:
        match = expression
    return (f"SELECT rowid AS id, -bm25(ticket_fts, {SQLITE_WEIGHTS}) AS score FROM ticket_fts "
            "WHERE ticket_fts MATCH :query ORDER BY rowid DESC LIMIT :window"), {"query": match}


def _postgres_query(terms: list[str], staff: bool, requester: int) -> tuple[str, dict]:
    """tsquery from quoted lexemes (letters and digits only, so nothing typed is an operator);
    staff match ``doc`` through its GIN index, requesters ``public_doc`` of their own tickets.

    The newest matches are a subquery with its own LIMIT, which PostgreSQL plans apart: it
    walks the tickets newest first when the words are common and reads the GIN index's
    matches when they are rare, and the rank above it is computed for the window's documents
    only (ranked inside, a GIN plan would rank every match before keeping the newest)."""
    expression = " & ".join(f"'{term}'" for term in terms) + ":*"
    if staff:
        newest = ("SELECT ticket_id AS id, doc FROM ticket_search WHERE doc @@ to_tsquery('simple', :query) "
                  "ORDER BY ticket_id DESC LIMIT :window")
        params = {"query": expression}
    else:
        newest = ("SELECT ticket_search.ticket_id AS id, public_doc AS doc FROM ticket_search "
                  "JOIN tickets ON tickets.id = ticket_search.ticket_id "
                  "WHERE public_doc @@ to_tsquery('simple', :query) AND tickets.requester_id = :requester "
                  "ORDER BY ticket_search.ticket_id DESC LIMIT :window")
        params = {"query": expression, "requester": requester}
    return f"SELECT id, ts_rank(doc, to_tsquery('simple', :query)) AS score FROM ({newest}) AS newest", params


# Showing the results ------------------------------------------------------------------------

def _hits(ids: list[int], terms: list[str], staff: bool) -> list[Hit]:
    """The page's tickets in rank order with their marked title and snippet: two queries (the
    requesters' roles, which users load with them, are not needed to show a name)."""
    if not ids:
        return []
    requesters = joinedload(Ticket.requester).options(lazyload(User.role_rows))
    tickets = {t.id: t for t in db.session.scalars(select(Ticket).options(requesters).where(Ticket.id.in_(ids)))}
    comments = select(Comment.ticket_id, Comment.body).where(Comment.ticket_id.in_(ids)).order_by(Comment.id)
    if not staff:
        comments = comments.where(Comment.is_internal.is_(False))
    bodies: dict[int, list[str]] = {}
    for ticket_id, body in db.session.execute(comments):
        bodies.setdefault(ticket_id, []).append(body)
    return [Hit(ticket=tickets[i], title=highlight(tickets[i].title, terms),
                snippet=snippet(_sources(tickets[i], bodies.get(i, [])), terms))
            for i in ids if i in tickets]


def _sources(ticket: Ticket, comments: list[str]) -> list[str]:
    """Where a snippet may come from, in the order a reader wants to see the match."""
    people = [ticket.requester.name, ticket.requester.email] if ticket.requester else []
    return [ticket.description, *comments, *_answer_values(ticket.answers), " · ".join(people)]


def _answer_values(answers: str | None) -> list[str]:
    try:
        values = json.loads(answers or "{}").values()
    except (ValueError, AttributeError):
        return [answers or ""]
    return [", ".join(map(str, v)) if isinstance(v, list) else str(v) for v in values]


def _is_match(word: str, terms: list[str]) -> bool:
    folded = fold(word)
    return folded in terms[:-1] or folded == terms[-1] or folded.startswith(terms[-1])


def highlight(body: str, terms: list[str]) -> Markup:
    """``body`` escaped, with each matching word in <mark>: the marks are ours, the text never
    becomes markup."""
    parts, last = [], 0
    for found in WORD.finditer(body or ""):
        if _is_match(found.group(), terms):
            parts += [escape(body[last:found.start()]), Markup("<mark>%s</mark>") % found.group()]
            last = found.end()
    parts.append(escape((body or "")[last:]))
    return Markup("").join(parts)


def snippet(sources: list[str], terms: list[str]) -> Markup:
    """About SNIPPET_CHARS characters around the first match in the first source that has one
    (or the start of the first source), marked."""
    for body in sources:
        first = next((m for m in WORD.finditer(body or "") if _is_match(m.group(), terms)), None)
        if first is not None:
            return highlight(_window(body, first.start()), terms)
    return highlight(_window(sources[0] if sources else "", 0), terms)


def _window(body: str, at: int) -> str:
    """A stretch of ``body`` around position ``at``, cut between words."""
    start = max(0, at - SNIPPET_CHARS // 3)
    if start:
        start = body.find(" ", start, at) + 1 or start
    end = start + SNIPPET_CHARS
    if end < len(body):
        cut = body.rfind(" ", at, end)
        end = cut if cut > at else end
    return ("…" if start else "") + body[start:end].strip() + ("…" if end < len(body) else "")
