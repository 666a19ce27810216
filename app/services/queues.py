"""The technicians' queues: which tickets each tab shows, filtered, sorted and paged.

Every query here is shaped for the indexes on ``Ticket`` so that a queue page stays fast at
100,000 tickets:

- "team" (unassigned work in my teams) walks ``ix_tickets_team_queue`` (team, status, priority,
  created_at);
- "mine" walks ``ix_tickets_assignee_status``;
- "open" (every team) walks ``ix_tickets_status_priority``.

A page is read in two steps: the ids of one page (ordered and limited inside the index where
the database can), then those rows with their requester, assignee, category and team joined in
one query, so the row count never changes the number of queries. Counts select nothing but
the filter columns, and an unfiltered tab reuses its tab count instead of counting twice.
"""
from dataclasses import dataclass
from datetime import timedelta
from math import ceil

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import OPEN_STATUSES, Status, Ticket, User, utcnow

VIEWS = ("team", "mine", "open")
AGE_DAYS = (1, 3, 7, 30)
# The order in which a ticket moves through the open statuses: the status filter lists them so.
OPEN_STATUS_ORDER = (Status.NEW, Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD, Status.PENDING,
                     Status.UNDER_REVIEW)
# "Mine" keeps resolved tickets until they are closed: they may still come back.
MINE_STATUSES = OPEN_STATUSES | {Status.RESOLVED}
SORTS = {
    "priority": (Ticket.priority, Ticket.created_at, Ticket.id),
    "oldest": (Ticket.created_at, Ticket.id),
    "newest": (Ticket.created_at.desc(), Ticket.id.desc()),
    "updated": (Ticket.updated_at.desc(), Ticket.id.desc()),
}


@dataclass(frozen=True)
class QueueFilters:
    """What narrows a tab; None means "any"."""

    status: Status | None = None
    priority: int | None = None
    category_id: int | None = None
    older_than_days: int | None = None
    sort: str = "priority"

    @property
    def narrowed(self) -> bool:
        return any(v is not None for v in (self.status, self.priority, self.category_id,
                                           self.older_than_days))


@dataclass
class QueuePage:
    """One page of a queue; the attribute names are those ``macros.pagination`` reads."""

    items: list[Ticket]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _view_conditions(view: str, user: User) -> list:
    if view == "mine":
        return [Ticket.assignee_id == user.id, Ticket.status.in_(MINE_STATUSES)]
    if view == "open":
        return [Ticket.status.in_(OPEN_STATUSES)]
    return [Ticket.team_id.in_(sorted(user.team_ids)), Ticket.assignee_id.is_(None),
            Ticket.status.in_(OPEN_STATUSES)]


def _filter_conditions(filters: QueueFilters) -> list:
    conditions = []
    if filters.status is not None:
        conditions.append(Ticket.status == filters.status)
    if filters.priority is not None:
        conditions.append(Ticket.priority == filters.priority)
    if filters.category_id is not None:
        conditions.append(Ticket.category_id == filters.category_id)
    if filters.older_than_days is not None:
        conditions.append(Ticket.created_at < utcnow() - timedelta(days=filters.older_than_days))
    return conditions


def _count(conditions: list) -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket).where(*conditions))


def tab_counts(user: User) -> dict[str, int]:
    """How many tickets each tab holds, unfiltered: the numbers on the tabs."""
    return {view: _count(_view_conditions(view, user)) for view in VIEWS}


def queue_page(user: User, view: str, filters: QueueFilters, page: int, per_page: int,
               counts: dict[str, int] | None = None) -> QueuePage:
    """Page ``page`` (from 1) of tab ``view`` for ``user``, narrowed by ``filters``.

    ``counts`` (from :func:`tab_counts`) saves the count query when nothing narrows the tab.
    A page past the end is empty rather than an error: a ticket may have left the queue
    between two clicks.
    """
    conditions = _view_conditions(view, user) + _filter_conditions(filters)
    if counts is not None and not filters.narrowed:
        total = counts[view]
    else:
        total = _count(conditions)
    ids = list(db.session.scalars(
        select(Ticket.id).where(*conditions).order_by(*SORTS[filters.sort])
        .limit(per_page).offset((page - 1) * per_page)))
    return QueuePage(_load_rows(ids, filters.sort), page, per_page, total)


def _load_rows(ids: list[int], sort: str) -> list[Ticket]:
    """The tickets ``ids`` with everything a queue row shows, in one query, in page order."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Ticket).where(Ticket.id.in_(ids)).order_by(*SORTS[sort])
        .options(joinedload(Ticket.requester).lazyload("*"),
                 joinedload(Ticket.assignee).lazyload("*"),
                 joinedload(Ticket.category), joinedload(Ticket.team)))
    return list(rows.unique())
