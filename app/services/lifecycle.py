"""The ticket lifecycle: one transition table per ticket type, and ``transition_ticket``, the
only code that writes a ticket's status.

Each move names who may make it: ``agent`` (IT staff working the ticket), ``requester`` (the
person it is for) or ``system`` (approvals, automations, jobs). A move is timestamped on the
ticket (``<status>_at``), kept as the ticket's status periods (``StatusPeriod``: from when to
when it was in each status), audited, and published as a domain event for the automations.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from app.extensions import db
from app.models import Status, StatusPeriod, Ticket, TicketType, User, utcnow
from app.services import events
from app.services.audit import record_event
from app.services.errors import Conflict, IllegalTransition

AGENT, REQUESTER, SYSTEM = "agent", "requester", "system"
S = Status


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    label: str  # the button text
    actors: frozenset[str]
    needs_reason: bool = False  # resolving and cancelling ask why


def _moves(sources, target, label, *actors, needs_reason=False):
    return [Transition(s, target, label, frozenset(actors), needs_reason) for s in sources]


_WORKING = (S.NEW, S.OPEN, S.IN_PROGRESS, S.ON_HOLD, S.PENDING)

_COMMON = [
    *_moves([S.DRAFT], S.NEW, "Submit", REQUESTER, AGENT),
    *_moves([S.NEW], S.OPEN, "Accept", AGENT, SYSTEM),
    *_moves([S.IN_PROGRESS], S.OPEN, "Return to queue", AGENT),
    *_moves([S.IN_PROGRESS], S.ON_HOLD, "Ask the requester", AGENT),
    *_moves([S.IN_PROGRESS], S.PENDING, "Wait for vendor", AGENT),
    *_moves([S.ON_HOLD, S.PENDING], S.IN_PROGRESS, "Resume", AGENT, SYSTEM),
    *_moves([S.RESOLVED], S.CLOSED, "Confirm resolution", REQUESTER),
    *_moves([S.RESOLVED], S.CLOSED, "Close", AGENT, SYSTEM),
    *_moves([S.RESOLVED], S.IN_PROGRESS, "Reopen", REQUESTER, AGENT, needs_reason=True),
    *_moves([S.NEW, S.OPEN], S.CANCELLED, "Withdraw", REQUESTER, needs_reason=True),
    # Approvals (services.approvals) drive these; nobody presses them by hand.
    *_moves([S.NEW], S.UNDER_REVIEW, "Sent for approval", SYSTEM),
    *_moves([S.UNDER_REVIEW], S.OPEN, "Approved", SYSTEM),
    *_moves([S.UNDER_REVIEW], S.CANCELLED, "Rejected", SYSTEM, needs_reason=True),
    *_moves([S.UNDER_REVIEW], S.CANCELLED, "Withdraw", REQUESTER, needs_reason=True),
]

_INCIDENT = [
    *_COMMON,
    *_moves([S.NEW, S.OPEN], S.IN_PROGRESS, "Start work", AGENT, SYSTEM),
    *_moves(_WORKING, S.RESOLVED, "Resolve", AGENT, SYSTEM, needs_reason=True),
    *_moves(_WORKING, S.CANCELLED, "Cancel", AGENT, needs_reason=True),
]

_SERVICE_REQUEST = _INCIDENT

# A change is planned (Open) before it is implemented: no jump from New straight into work.
# Whether it needs approval first is policy (a validation rule of kind "approve").
_CHANGE = [
    *_COMMON,
    *_moves([S.OPEN], S.IN_PROGRESS, "Start implementation", AGENT, SYSTEM),
    *_moves([S.IN_PROGRESS, S.ON_HOLD, S.PENDING], S.RESOLVED, "Mark implemented", AGENT,
            needs_reason=True),
    *_moves([S.NEW, S.UNDER_REVIEW, S.OPEN, S.IN_PROGRESS, S.ON_HOLD, S.PENDING], S.CANCELLED,
            "Cancel", AGENT, needs_reason=True),
]

TRANSITIONS: dict[TicketType, list[Transition]] = {
    TicketType.INCIDENT: _INCIDENT,
    TicketType.SERVICE_REQUEST: _SERVICE_REQUEST,
    TicketType.CHANGE: _CHANGE,
}


def actor_kinds(user: User | None, ticket: Ticket) -> set[str]:
    """The capacities in which ``user`` acts on ``ticket``; None is the system itself."""
    if user is None:
        return {SYSTEM}
    kinds = set()
    if user.is_agent:
        kinds.add(AGENT)
    if ticket.requester_id == user.id or (ticket.is_draft and ticket.created_by_id == user.id):
        kinds.add(REQUESTER)
    return kinds


def available_transitions(ticket: Ticket, user: User | None) -> list[Transition]:
    """The moves ``user`` may make now, one per target status: what the buttons show."""
    kinds = actor_kinds(user, ticket)
    seen, moves = set(), []
    for t in TRANSITIONS[ticket.ticket_type]:
        if t.source == ticket.status and t.actors & kinds and t.target not in seen:
            seen.add(t.target)
            moves.append(t)
    return moves


def find_transition(ticket: Ticket, target: Status, user: User | None) -> Transition:
    """The allowed move to ``target`` or an IllegalTransition saying why not."""
    for t in available_transitions(ticket, user):
        if t.target == target:
            return t
    exists = any(t.source == ticket.status and t.target == target
                 for t in TRANSITIONS[ticket.ticket_type])
    kind = ticket.ticket_type.label.lower()
    if exists:
        raise IllegalTransition(f"You may not move this {kind} from {ticket.status.label} "
                                f"to {target.label}.")
    article = "An" if kind[0] in "aeiou" else "A"
    raise IllegalTransition(f"{article} {kind} cannot move from {ticket.status.label} to {target.label}.")


def check_version(ticket: Ticket, expected_version: int | None) -> None:
    """Refuse a change built on an old copy of the ticket, naming who changed it meanwhile."""
    if expected_version is None or expected_version == ticket.version:
        return
    from app.services.history import last_actor_name

    raise Conflict(f"{ticket.reference} was changed by {last_actor_name(ticket)} meanwhile. "
                   "Reload to see the change, then try again.")


def transition_ticket(ticket: Ticket, target: Status, actor: User | None, *, reason: str | None = None,
                      expected_version: int | None = None, actor_label: str | None = None) -> Ticket:
    """Move ``ticket`` to ``target`` if its type's table allows ``actor`` to, or raise."""
    check_version(ticket, expected_version)
    transition = find_transition(ticket, target, actor)
    if transition.needs_reason and not (reason or "").strip():
        raise IllegalTransition(f"{transition.label} needs a reason.",
                                field_errors={"reason": ["Please say why."]})
    old = ticket.status
    now = utcnow()
    ticket.status = target
    setattr(ticket, target.timestamp_field, now)
    _enter_period(ticket, target, now)
    if target == Status.RESOLVED:
        ticket.resolution = reason
    record_event(ticket, actor, "status_changed", field="status", old=old, new=target,
                 note=(reason or "").strip() or None, actor_label=actor_label, at=now)
    events.publish("ticket.status_changed", ticket, old=old.value, new=target.value,
                   actor_id=actor.id if actor else None)
    return ticket


def _enter_period(ticket: Ticket, status: Status, now: datetime) -> None:
    """End the ticket's open status period (a draft has none) and open ``status``'s."""
    db.session.execute(update(StatusPeriod).where(StatusPeriod.ticket_id == ticket.id,
                                                  StatusPeriod.left_at.is_(None)).values(left_at=now))
    db.session.add(StatusPeriod(ticket_id=ticket.id, status=status, entered_at=now))


def status_periods(ticket: Ticket) -> list[StatusPeriod]:
    """The statuses ``ticket`` has been in since it was submitted, oldest first; the last one
    is still open (``left_at`` None)."""
    return list(db.session.scalars(select(StatusPeriod).where(StatusPeriod.ticket_id == ticket.id)
                                   .order_by(StatusPeriod.entered_at, StatusPeriod.id)))
