"""The technicians' queues: which tickets each tab shows, filtered, sorted and paged.

Every query here is shaped for the indexes on ``Ticket`` so that a queue page stays fast at
a million tickets:

- "team" (unassigned work in my teams) walks ``ix_tickets_team_unassigned``;
- "mine" walks ``ix_tickets_assignee_status``;
- "open" (every team) walks ``ix_tickets_status_priority``, which also holds the columns the
  filters test (PostgreSQL's INCLUDE), so a filtered walk or count reads the index alone.

A page is read in two steps: the ids of one page, then those rows with their requester,
assignee, category and team joined in one query, so the row count never changes the number of
queries. When a page spans several statuses and is sorted by ticket columns, its ids are the
merge of one ordered, limited index walk per status (``_merged_ids``): a database cannot walk
one index in order across an ``IN`` list, so without the merge it reads and sorts every open
ticket for each page. Counts are bounded (``COUNT_CAP``): past it a tab says "1000+", and a
count never costs more than reading that many index entries.

Next and Previous are keyset ("seek") links where the sort allows it: the link carries the sort
key and id of the page's last (or first) row as ``after=`` (or ``before=``), and the next page
is the rows past that key, so page 400 costs what page 2 does and a ticket added or closed
meanwhile neither repeats nor skips a row. Sorts on a joined name (requester, category, team,
assignee) may be NULL and are not keyed by a ticket index, so they page by number (``page=``)
as before; ``page=`` is accepted for every sort (bookmarks, the live refresh) and is bounded by
``MAX_PAGE_ROWS`` rows deep, which keeps OFFSET bounded; narrowing the filters reaches anything
further. A cursor that does not parse, or was made for another sort, is ignored (the page
number decides), never an error: it is only a position.
"""
import base64
import binascii
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from math import ceil
from typing import NamedTuple

from sqlalchemy import bindparam, case, false, func, literal, or_, select, true, tuple_, union_all
from sqlalchemy.orm import aliased

from app.database import on_postgresql
from app.extensions import db
from app.models import (OPEN_STATUSES, Category, Channel, Role, Status, Team, Ticket, TicketType, User, UserRole,
                        utcnow)
from app.services.search import contains
from app.services.ticket_reads import has_unseen_reply

VIEWS = ("team", "mine", "open")
AGE_DAYS = (1, 3, 7, 30)
PER_PAGE = (25, 50, 100)
COUNT_CAP = 1000
MAX_PAGE_ROWS = 10_000
STATEMENTS_KEPT = 256  # built queue statements kept per process (_ids_statements)
# The order in which a ticket moves through its statuses: filters and the status sort use it.
STATUS_ORDER = (Status.NEW, Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD, Status.PENDING,
                Status.UNDER_REVIEW, Status.RESOLVED, Status.CLOSED, Status.CANCELLED)
# "Mine" keeps resolved tickets until they are closed: they may still come back.
MINE_STATUSES = OPEN_STATUSES | {Status.RESOLVED}
ANY_STATUS = frozenset(STATUS_ORDER)

_requester, _assignee = aliased(User), aliased(User)
# Sort keys (the column headers); "-key" is the reverse. Priority and status ties go to the
# oldest ticket; a joined name's tickets (one requester's, say) come in the default order.
_WITHIN_NAME = (Ticket.priority, Ticket.created_at)
SORT_COLUMNS = {
    "number": (Ticket.number,),
    "title": (Ticket.title,),
    "requester": (_requester.name, _requester.id, *_WITHIN_NAME),
    "category": (Category.name, Category.id, *_WITHIN_NAME),
    "priority": (Ticket.priority, Ticket.created_at),
    "status": (case({s: i for i, s in enumerate(STATUS_ORDER)}, value=Ticket.status), Ticket.created_at),
    "team": (Team.name, Team.id, *_WITHIN_NAME),
    "assignee": (_assignee.name, _assignee.id, *_WITHIN_NAME),
    "created": (Ticket.created_at,),
    "updated": (Ticket.updated_at,),
}
# The sorts that page by key: how a ticket gives its key, and how a cursor's values parse back.
KEYED_SORTS = {
    "number": ((lambda t: t.number), str),
    "title": ((lambda t: t.title), str),
    "priority": ((lambda t: t.priority), int, (lambda t: t.created_at), datetime.fromisoformat),
    "status": ((lambda t: STATUS_ORDER.index(t.status)), int, (lambda t: t.created_at), datetime.fromisoformat),
    "created": ((lambda t: t.created_at), datetime.fromisoformat),
    "updated": ((lambda t: t.updated_at), datetime.fromisoformat),
}
CURSOR_MAX = 600  # characters; a title is at most 200
JOINED_SORTS = {"requester": (_requester, Ticket.requester_id), "category": (Category, Ticket.category_id),
                "team": (Team, Ticket.team_id), "assignee": (_assignee, Ticket.assignee_id)}
SORTS = tuple(key for name in SORT_COLUMNS for key in (name, "-" + name))
DEFAULT_SORT = "priority"


@dataclass(frozen=True)
class QueueFilters:
    """What narrows a tab; None means "any" (``statuses``: the tab's own statuses)."""

    statuses: frozenset[Status] | None = None
    priority: int | None = None
    category_id: int | None = None
    older_than_days: int | None = None
    team_id: int | None = None
    assignee: str | int | None = None  # "me", "none" or a user id
    requester: str | None = None  # part of the requester's name or email
    ticket_type: TicketType | None = None
    channel: Channel | None = None
    created: tuple[date | None, date | None] = (None, None)  # from, to (inclusive days)
    updated: tuple[date | None, date | None] = (None, None)
    sort: str = DEFAULT_SORT
    # The ids of the people ``requester`` matches, looked up once per page (``_resolved``).
    requester_ids: tuple[int, ...] | None = field(default=None, compare=False)

    @property
    def narrowed(self) -> bool:
        return any(value not in (None, (None, None)) for name, value in vars(self).items()
                   if name not in ("sort", "requester_ids"))


@dataclass
class QueuePage:
    """One page of a queue; the attribute names are those ``macros.pagination`` reads.
    ``total`` stops at ``COUNT_CAP``; ``capped`` says it did. ``next_cursor`` and
    ``prev_cursor`` (None for a sort that pages by number) key the Next and Previous links."""

    items: list["QueueRow"]
    page: int
    per_page: int
    total: int
    more: bool = field(default=False)  # a row exists past this page
    sort: str = DEFAULT_SORT
    earlier: bool | None = None  # a row exists before this page (None: page > 1 says so)

    @property
    def keyed(self) -> bool:
        return self.sort.lstrip("-") in KEYED_SORTS and bool(self.items)

    @property
    def next_cursor(self) -> str | None:
        return encode_cursor(self.sort, self.items[-1]) if self.keyed else None

    @property
    def prev_cursor(self) -> str | None:
        return encode_cursor(self.sort, self.items[0]) if self.keyed else None

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def pages(self) -> int:
        if self.capped:
            return self.page + 1 if self.more else self.page
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1 if self.earlier is None else self.earlier

    @property
    def has_next(self) -> bool:
        return self.more

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


class Viewer(NamedTuple):
    """What a queue's query reads of the person looking at it. Hashable, unlike a user, so the
    statements built for it can be kept (``_ids_statements``)."""

    id: int
    team_ids: frozenset[int]


def _viewer(user: User) -> Viewer:
    return Viewer(user.id, frozenset(user.team_ids))


def max_page(per_page: int) -> int:
    return MAX_PAGE_ROWS // per_page


def _sort_key(sort: str, ticket) -> list:
    getters = KEYED_SORTS[sort.lstrip("-")][0::2]
    return [getter(ticket) for getter in getters] + [ticket.id]


def encode_cursor(sort: str, ticket) -> str:
    """The position just past (or before) ``ticket`` in ``sort``: the sort's name, its key
    values and the id, as URL-safe base64 of a JSON list."""
    values = [v.isoformat() if isinstance(v, datetime) else v for v in _sort_key(sort, ticket)]
    raw = json.dumps([sort, *values], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: str, text: str | None) -> list | None:
    """The key values of a cursor made for ``sort``; None when it is absent, malformed, too long
    or made for another sort (the caller then pages by number)."""
    if not text or len(text) > CURSOR_MAX or sort.lstrip("-") not in KEYED_SORTS:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        made_for, *values = json.loads(raw)
        parsers = KEYED_SORTS[sort.lstrip("-")][1::2] + (int,)
        if made_for != sort or len(values) != len(parsers):
            return None
        if not all(isinstance(v, int if p is int else str) and not isinstance(v, bool)
                   for v, p in zip(values, parsers)):
            return None
        parsed = [p(v) for p, v in zip(parsers, values)]
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        return None
    if any(isinstance(v, int) and not -2**31 <= v < 2**31 for v in parsed):
        return None  # beyond any id or priority, and beyond what SQLite binds
    if any(isinstance(v, datetime) and v.tzinfo is not None for v in parsed):
        return None  # times are stored naive UTC
    return parsed


def _tab_conditions(view: str, user: Viewer) -> list:
    if view == "mine":
        return [Ticket.assignee_id == user.id]
    if view == "open":
        return []
    return [Ticket.team_id.in_(sorted(user.team_ids)), Ticket.assignee_id.is_(None)]


def _statuses(view: str, filters: QueueFilters) -> frozenset[Status]:
    if filters.statuses is not None:
        return filters.statuses
    return MINE_STATUSES if view == "mine" else OPEN_STATUSES


def _day_range(column, days: tuple[date | None, date | None]) -> list:
    start, end = days
    conditions = []
    if start is not None:
        conditions.append(column >= datetime.combine(start, time.min))
    if end is not None:
        conditions.append(column < datetime.combine(end + timedelta(days=1), time.min))
    return conditions


def _assignee_condition(assignee, user: Viewer):
    if assignee == "me":
        return Ticket.assignee_id == user.id
    if assignee == "none":
        return Ticket.assignee_id.is_(None)
    return Ticket.assignee_id == assignee


REQUESTER_IDS_MAX = 1000


def _people_matching(text: str):
    return select(User.id).where(or_(contains(User.name, text), contains(User.email, text)))


def _resolved(filters: QueueFilters) -> QueueFilters:
    """``filters`` with the requester search turned into the ids it matches (up to
    REQUESTER_IDS_MAX): a database cannot estimate how many people ``LIKE '%…%'`` finds, and
    guessing one, PostgreSQL probes their tickets once per status (800 ms at 1M tickets); a
    list of ids it estimates well. Past the cap the search stays a subquery (it then barely
    narrows anything)."""
    if not filters.requester or filters.requester_ids is not None:
        return filters
    ids = tuple(db.session.scalars(_people_matching(filters.requester).limit(REQUESTER_IDS_MAX + 1)))
    return replace(filters, requester_ids=ids) if len(ids) <= REQUESTER_IDS_MAX else filters


def _requester_condition(filters: QueueFilters):
    if filters.requester_ids is not None:
        # The ids written into the SQL, not bound one by one: a page's statement repeats them
        # once per status, and a thousand bound values cost PostgreSQL more to take in and
        # plan than the walk itself (15 ms of 17). They are integers from our own query.
        ids = bindparam("requester_ids", list(filters.requester_ids), expanding=True,
                        literal_execute=True, unique=True)
        return Ticket.requester_id.in_(ids)
    return Ticket.requester_id.in_(_people_matching(filters.requester))


def _filter_conditions(filters: QueueFilters, user: Viewer) -> list:
    equal = {Ticket.priority: filters.priority, Ticket.category_id: filters.category_id,
             Ticket.team_id: filters.team_id, Ticket.ticket_type: filters.ticket_type,
             Ticket.channel: filters.channel}
    conditions = [column == value for column, value in equal.items() if value is not None]
    if filters.assignee is not None:
        conditions.append(_assignee_condition(filters.assignee, user))
    if filters.requester:
        conditions.append(_requester_condition(filters))
    if filters.older_than_days is not None:
        # Now at each execution, not when the statement was built: built statements are kept.
        days = timedelta(days=filters.older_than_days)
        conditions.append(Ticket.created_at < bindparam("older_than", callable_=lambda: utcnow() - days, unique=True))
    return conditions + _day_range(Ticket.created_at, filters.created) + _day_range(Ticket.updated_at, filters.updated)


def _bounded_count(conditions: list):
    """How many tickets match, counted up to COUNT_CAP + 1 (so "more than the cap" is known).
    The rows counted select no column, so an index that holds the conditions' columns answers
    alone (PostgreSQL's index-only scan)."""
    matching = select(literal(1)).select_from(Ticket).where(*conditions).limit(COUNT_CAP + 1)
    return select(func.count()).select_from(matching.subquery())


def _conditions(view: str, user: Viewer, filters: QueueFilters, statuses=None) -> list:
    statuses = _statuses(view, filters) if statuses is None else statuses
    return (_tab_conditions(view, user) + _filter_conditions(filters, user)
            + [Ticket.status.in_(sorted(statuses))])


def count_view(user: User, view: str, filters: QueueFilters) -> int:
    """The bounded count of one tab narrowed by ``filters`` (a saved view's number)."""
    filters = _resolved(filters)
    return db.session.scalar(_count_statement(view, _viewer(user), filters, filters.requester_ids))


@lru_cache(maxsize=STATEMENTS_KEPT)
def _count_statement(view: str, viewer: Viewer, filters: QueueFilters, _requester_ids):
    """``_requester_ids`` is part of the key: filters compare without them (_ids_statements)."""
    return _bounded_count(_conditions(view, viewer, filters))


def tab_counts(user: User) -> dict[str, int]:
    """How many tickets each tab holds, unfiltered: the numbers on the tabs, in one statement
    (every queue page shows them, and each separate count cost a round trip)."""
    return dict(zip(VIEWS, db.session.execute(_tab_counts_statement(_viewer(user))).one()))


@lru_cache(maxsize=STATEMENTS_KEPT)
def _tab_counts_statement(viewer: Viewer):
    return select(*(_bounded_count(_conditions(view, viewer, QueueFilters())).scalar_subquery() for view in VIEWS))


def _order(sort: str) -> list:
    name, descending = sort.lstrip("-"), sort.startswith("-")
    columns = [c.desc() if descending else c for c in SORT_COLUMNS[name] + (Ticket.id,)]
    if name in JOINED_SORTS:
        # Tickets without a name (no assignee, say) last, first in reverse, on every database
        # as PostgreSQL sorts NULL (SQLite would put them first) and as _walked_names reads them.
        columns[:2] = [c.nulls_first() if descending else c.nulls_last() for c in columns[:2]]
    return columns


def _ids_query(conditions: list, sort: str):
    query = select(Ticket.id).where(*conditions)
    joined = JOINED_SORTS.get(sort.lstrip("-"))
    if joined is not None:
        target, key = joined
        query = query.outerjoin(target, target.id == key)
    return query.order_by(*_order(sort))


def _seek(sort: str, key: tuple | None) -> list:
    """The condition "past ``key`` in ``sort``" (row-value comparison on the sort columns and
    id, which a database walks from an index on them); nothing without a key."""
    if key is None:
        return []
    columns = tuple_(*SORT_COLUMNS[sort.lstrip("-")], Ticket.id)
    return [columns < tuple_(*key) if sort.startswith("-") else columns > tuple_(*key)]


def _reverse(sort: str) -> str:
    return sort[1:] if sort.startswith("-") else "-" + sort


def _merged_ids(view: str, user: Viewer, filters: QueueFilters, statuses, limit: int, offset: int,
                sort: str | None = None, key: tuple | None = None, extra: tuple = (), keys_too: bool = False):
    """One page of ids across several statuses: each status's own ordered walk, limited to the
    rows this page could need, merged and cut. Only for sorts on the ticket's own columns.
    ``sort`` overrides the filters' (reversed, to read the page before a key); ``extra``
    conditions narrow every walk; ``keys_too``: the rows carry their sort keys (k0, k1, …)."""
    sort = sort or filters.sort
    name = sort.lstrip("-")
    parts = []
    for status in sorted(statuses):
        columns, order, seek = SORT_COLUMNS[name], _order(sort), _seek(sort, key)
        if name == "status":
            # Within one status its place in the order is a constant: walk the rest of the key.
            columns, order, seek = _status_part(status, sort, key)
            if seek is None:
                continue
        # correlate_except: a name the ``extra`` conditions test comes from an enclosing walk.
        part = (select(Ticket.id.label("id"), *(c.label(f"k{i}") for i, c in enumerate(columns)))
                .where(*_conditions(view, user, filters, {status}), *extra, *seek).correlate_except(Ticket)
                .order_by(*order).limit(limit + offset).subquery())
        parts.append(select(part))
    if not parts:
        return select(Ticket.id).where(false())
    merged = union_all(*parts).subquery()
    sort_keys = [merged.c[f"k{i}"] for i in range(len(SORT_COLUMNS[name]))]
    order = [*sort_keys, merged.c.id]
    order = [k.desc() for k in order] if sort.startswith("-") else order
    columns = [merged.c.id, *sort_keys] if keys_too else [merged.c.id]
    return select(*columns).order_by(*order).limit(limit).offset(offset)


def _status_part(status: Status, sort: str, key: tuple | None):
    """The columns, order and seek condition of one status's walk in the "status" sort; the
    seek is None when the whole status lies before the key."""
    place = literal(STATUS_ORDER.index(status))
    descending = sort.startswith("-")
    order = [Ticket.created_at.desc(), Ticket.id.desc()] if descending else [Ticket.created_at, Ticket.id]
    seek = []
    if key is not None:
        here, past = STATUS_ORDER.index(status), key[0]
        if here == past:
            rest = tuple_(Ticket.created_at, Ticket.id)
            seek = [rest < tuple_(*key[1:]) if descending else rest > tuple_(*key[1:])]
        elif (here < past) != descending:
            return None, None, None
    return (place, Ticket.created_at), order, seek


FEW_REQUESTERS = 20
# The sorts with an index per status to walk: (status, priority, created_at), (status,
# updated_at), (status, created_at), (status, title); "status" ties go to the oldest, so it
# walks the last.
MERGED_SORTS = {"priority", "updated", "created", "status", "title"}


def _merge_pays(statuses, filters: QueueFilters) -> bool:
    """The per-status merge helps when the page is found by walking an index in the sort
    order within each status. A requester search that names a few people is found faster from
    the requester index (their tickets are few, read and sorted at once); one that matches
    many ("Employee 1") is not, but a walk in sort order meets their tickets soon. Other
    sorts are one query: by number it walks the numbers' unique index, by a joined name it
    sorts what matches (or, for many matches on PostgreSQL, walks the names: _walked_names)."""
    name = filters.sort.lstrip("-")
    if name not in MERGED_SORTS or (len(statuses) < 2 and name != "status"):
        return False  # one status walks its own index, but only the merge keys "status" by place
    ids = filters.requester_ids
    return not filters.requester or ids is None or len(ids) > FEW_REQUESTERS


def _page_ids(view: str, user: User, filters: QueueFilters, sort: str, key: list | None,
              limit: int, offset: int, many: bool) -> list[int]:
    """``many``: more tickets match than COUNT_CAP (the page's bounded count says so)."""
    walk_names = many and sort.lstrip("-") in JOINED_SORTS and on_postgresql()
    statements = _ids_statements(view, _viewer(user), filters, filters.requester_ids, sort,
                                 None if key is None else tuple(key), limit, offset, walk_names)
    if len(statements) == 1:
        return list(db.session.scalars(statements[0]))
    ids = []  # the parts of a walk, in page order, each up to the page's depth
    for statement in statements:
        ids += db.session.scalars(statement)
        if len(ids) >= limit + offset:
            break
    return ids[offset:offset + limit]


@lru_cache(maxsize=STATEMENTS_KEPT)
def _ids_statements(view: str, viewer: Viewer, filters: QueueFilters, _requester_ids, sort: str,
                    key: tuple | None, limit: int, offset: int, walk_names: bool = False) -> tuple:
    """The statement of one page's ids (a walk of joined names: its parts, in page order, each
    read only while the page is not full), built once per process for the same arguments. Building
    a queue's statement (a walk per status, each with the tab's and the filters' conditions)
    and its cache key cost more Python than PostgreSQL takes to run it at a million tickets;
    a technician's queue, its live refreshes and their colleagues' same views repeat the same
    arguments. Every value is in the key (the filters compare without ``requester_ids``, so
    they come again as ``_requester_ids``), and "now" is bound at execution, so a kept
    statement is the one that would be built."""
    statuses = _statuses(view, filters)
    if walk_names:
        return _walked_names(view, viewer, filters, statuses, sort, limit + offset)
    if _merge_pays(statuses, filters):
        return (_merged_ids(view, viewer, filters, statuses, limit, offset, sort, key),)
    return (_ids_query(_conditions(view, viewer, filters) + _seek(sort, key), sort).limit(limit).offset(offset),)


def _walked_names(view: str, viewer: Viewer, filters: QueueFilters, statuses, sort: str, depth: int) -> tuple:
    """The first ``depth`` ids sorted by a joined name, for many matches on PostgreSQL, as two
    statements in page order. The names: walked in order, each one's tickets (LATERAL) walked
    per status in the default order from their index (key, status, priority, created_at) until
    ``depth`` are found; sorting the join instead reads every matching ticket first (49,000
    open tickets at a million: 250 ms), however few a page shows. The tickets without one (no
    assignee, say): the default order's walk per status. They come after the names, before
    them in reverse, as PostgreSQL sorts NULL."""
    target, key = JOINED_SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")

    def order(*columns):
        return [c.desc() for c in columns] if descending else list(columns)

    names = select(target.id.label("tid"), target.name.label("name")).subquery()
    within = "-priority" if descending else "priority"  # the default order: priority, age
    theirs = _merged_ids(view, viewer, filters, statuses, depth, 0, within, None,
                         (key == names.c.tid,), keys_too=True).lateral()
    named = (select(theirs.c.id).select_from(names).join(theirs, true())
             .order_by(*order(names.c.name, names.c.tid, theirs.c.k0, theirs.c.k1, theirs.c.id))
             .limit(depth))
    unnamed = _merged_ids(view, viewer, filters, statuses, depth, 0, within, None, (key.is_(None),))
    return (unnamed, named) if descending else (named, unnamed)


def queue_page(user: User, view: str, filters: QueueFilters, page: int, per_page: int,
               counts: dict[str, int] | None = None, after: str | None = None,
               before: str | None = None) -> QueuePage:
    """Page ``page`` (from 1) of tab ``view`` for ``user``, narrowed by ``filters``; with a
    cursor (``after`` or ``before``, from :func:`encode_cursor`), the rows just past or just
    before it, and ``page`` is then only the number shown.

    ``counts`` (from :func:`tab_counts`) saves the count query when nothing narrows the tab.
    A page past the end is empty rather than an error: a ticket may have left the queue
    between two clicks.
    """
    filters = _resolved(filters)
    total = counts[view] if counts is not None and not filters.narrowed else count_view(user, view, filters)
    sort = filters.sort
    after_key, before_key = decode_cursor(sort, after), decode_cursor(sort, before)
    many = total > COUNT_CAP
    if before_key is not None and after_key is None:
        ids = _page_ids(view, user, filters, _reverse(sort), before_key, per_page + 1, 0, many)
        earlier = len(ids) > per_page
        return QueuePage(_load_rows(ids[:per_page][::-1], user.id), page if earlier else 1, per_page, total,
                         more=True, sort=sort, earlier=earlier)
    offset = 0 if after_key is not None else (page - 1) * per_page
    ids = _page_ids(view, user, filters, sort, after_key, per_page + 1, offset, many)
    return QueuePage(_load_rows(ids[:per_page], user.id), page, per_page, total, more=len(ids) > per_page,
                     sort=sort, earlier=True if after_key is not None else None)


class Named(NamedTuple):
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A ticket as a queue row shows it: its own columns and the names it links, read as plain
    values. Loading a page's tickets with their requester, assignee, category and team as ORM
    objects cost more Python than all of the page's other queries; the row needs none of what
    an ORM object brings. The attribute names are the ticket's, so the row macro (and
    ``permissions.can_claim_ticket``) take either. ``unseen``: a requester reply the viewer
    has not seen (services/ticket_reads.py)."""

    id: int
    number: str
    title: str
    status: Status
    priority: int
    version: int
    assignee_id: int | None
    team_id: int | None
    created_at: datetime
    updated_at: datetime
    requester: Named | None
    assignee: Named | None
    category: Named | None
    team: Named | None
    unseen: bool

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT


# The rows of a page, with the viewer's unseen-reply marks: one statement for every page.
_ROWS = (select(Ticket.id, Ticket.number, Ticket.title, Ticket.status, Ticket.priority, Ticket.version,
                Ticket.assignee_id, Ticket.team_id, Ticket.created_at, Ticket.updated_at,
                _requester.id, _requester.name, _assignee.id, _assignee.name, Category.id, Category.name,
                Team.id, Team.name, has_unseen_reply(bindparam("viewer_id")))
         .outerjoin(_requester, _requester.id == Ticket.requester_id)
         .outerjoin(_assignee, _assignee.id == Ticket.assignee_id)
         .outerjoin(Category, Category.id == Ticket.category_id).outerjoin(Team, Team.id == Ticket.team_id)
         .where(Ticket.id.in_(bindparam("ids", expanding=True))))


def _named(id_: int | None, name: str | None) -> Named | None:
    return None if id_ is None else Named(id_, name)


def _load_rows(ids: list[int], viewer_id: int) -> list[QueueRow]:
    """The rows ``ids`` with everything a queue row shows to ``viewer_id``, in one query, in
    page order."""
    if not ids:
        return []
    rows = {}
    for *own, requester_id, requester, assignee_id, assignee, category_id, category, team_id, team, unseen in (
            db.session.execute(_ROWS, {"ids": ids, "viewer_id": viewer_id})):
        rows[own[0]] = QueueRow(*own, _named(requester_id, requester), _named(assignee_id, assignee),
                                _named(category_id, category), _named(team_id, team), bool(unseen))
    return [rows[i] for i in ids if i in rows]


class Choice(NamedTuple):
    id: int
    name: str
    active: bool


class QueueChoiceLists(NamedTuple):
    """What the queue's filters and bulk bar offer, as plain rows: the active categories (in
    form order), every team (by tier and name; inactive ones too, a current value must stay
    selectable) and the active technicians and admins (by name)."""
    categories: list[Choice]
    teams: list[Choice]
    people: list[Choice]


def _choice_lists_statement():
    """The three lists in one statement: every queue page shows them, and as ORM objects over
    three queries they cost more than the page's own query. Each part says which list it is
    (``kind``) and sorts within it as its list would on its own."""
    staff = select(UserRole.user_id).where(UserRole.role.in_([Role.AGENT, Role.ADMIN]))
    parts = union_all(
        select(literal(0).label("kind"), Category.position.label("rank"), func.lower(Category.name).label("key"),
               Category.id, Category.name, true().label("active")).where(Category.active),
        select(literal(1), Team.tier, func.lower(Team.name), Team.id, Team.name, Team.active),
        select(literal(2), literal(0), User.name, User.id, User.name, User.active)
        .where(User.active, User.id.in_(staff))).subquery()
    return (select(parts.c.kind, parts.c.id, parts.c.name, parts.c.active)
            .order_by(parts.c.kind, parts.c.rank, parts.c.key, parts.c.id))


_CHOICE_LISTS = _choice_lists_statement()


def queue_choice_lists() -> QueueChoiceLists:
    lists = QueueChoiceLists([], [], [])
    for kind, id_, name, active in db.session.execute(_CHOICE_LISTS):
        lists[kind].append(Choice(id_, name, bool(active)))
    return lists