"""One action applied to many tickets at once, from the queue's bulk bar.

Each ticket goes through the same service a single change would (assignment, lifecycle,
ticket_properties, comments), so lifecycle, policy, audit and events apply unchanged. Each runs
in a savepoint of its own: a ticket that refuses (an illegal move, a policy rule, a version the
queue row no longer shows) rolls back alone and is reported with its reason, while the others
stay done. The caller commits once for the lot.
"""
import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Category, Status, Team, Ticket, User
from app.services.assignment import assign_ticket, transfer_ticket
from app.services.comments import add_comment
from app.services.errors import DomainError, PermissionDenied, ValidationFailed
from app.services.lifecycle import check_version, transition_ticket
from app.services.permissions import can_work_ticket
from app.services.ticket_properties import PropertyChanges, edit_properties

MAX_TICKETS = 200  # one request's worth: a larger batch holds the write lock for too long


class BulkKind(enum.StrEnum):
    ASSIGN = "assign"  # to a person
    TRANSFER = "transfer"  # to a team
    STATUS = "status"
    PRIORITY = "priority"
    CATEGORY = "category"
    NOTE = "note"  # an internal note


@dataclass(frozen=True)
class BulkAction:
    """What to do; only the value of ``kind`` is read. ``text`` is the note's body, or the
    reason a transfer, a move that asks why, or a priority override needs."""

    kind: BulkKind
    assignee: User | None = None
    team: Team | None = None
    status: Status | None = None
    priority: int | None = None
    category: Category | None = None
    text: str = ""


@dataclass(frozen=True)
class Outcome:
    number: str
    done: bool
    reason: str = ""  # why it was refused

    @property
    def line(self) -> str:
        """"INC000123: <reason>", unless the reason already starts with the number."""
        return self.reason if self.reason.startswith(self.number) else f"{self.number}: {self.reason}"


def bulk_targets(refs: list[tuple[int, int]]) -> list[tuple[Ticket, int]]:
    """The tickets ``refs`` ((id, version the queue row showed) pairs) name, in the order given,
    each with its version, in one query. An id that names no submitted ticket refuses the lot:
    the rows came from a queue, so it is a tampered or mistaken request, not a race."""
    if not refs:
        raise ValidationFailed("Select at least one ticket.", {"ticket": ["Select at least one ticket."]})
    if len(refs) > MAX_TICKETS:
        message = f"Select at most {MAX_TICKETS} tickets at a time."
        raise ValidationFailed(message, {"ticket": [message]})
    found = {t.id: t for t in db.session.scalars(
        select(Ticket).where(Ticket.id.in_([i for i, _ in refs]), Ticket.number.is_not(None))
        .options(joinedload(Ticket.team), joinedload(Ticket.assignee), joinedload(Ticket.category)))}
    unknown = [str(i) for i, _ in refs if i not in found]
    if unknown:
        message = f"Unknown tickets: {', '.join(unknown[:10])}{'…' if len(unknown) > 10 else ''}."
        raise ValidationFailed(message, {"ticket": [message]})
    return [(found[i], version) for i, version in dict(refs).items()]


def apply_bulk(actor: User, action: BulkAction, targets: list[tuple[Ticket, int]]) -> list[Outcome]:
    """Apply ``action`` to each ticket in its own savepoint; one Outcome per ticket, in order."""
    outcomes = []
    for ticket, version in targets:
        try:
            with db.session.begin_nested():
                _apply_one(actor, action, ticket, version)
        except DomainError as error:
            outcomes.append(Outcome(ticket.number, False, _reason(error)))
        except StaleDataError:  # changed by a concurrent request between our read and our write
            outcomes.append(Outcome(ticket.number, False, f"{ticket.number} was changed meanwhile."))
        else:
            outcomes.append(Outcome(ticket.number, True))
    return outcomes


def _reason(error: DomainError) -> str:
    """A form's "check the highlighted fields" means nothing in a list: say what the fields say."""
    messages = [m for ms in error.field_errors.values() for m in ms]
    return " ".join(messages) if isinstance(error, ValidationFailed) and messages else error.message


def _apply_one(actor: User, action: BulkAction, ticket: Ticket, version: int) -> None:
    if not can_work_ticket(actor, ticket):
        raise PermissionDenied(f"You may not work {ticket.number}.")
    check_version(ticket, version)
    kind = action.kind
    if kind == BulkKind.ASSIGN:
        assign_ticket(ticket, actor, action.assignee)
    elif kind == BulkKind.TRANSFER:
        transfer_ticket(ticket, actor, action.team, action.text)
    elif kind == BulkKind.STATUS:
        transition_ticket(ticket, action.status, actor, reason=action.text, expected_version=version)
    elif kind == BulkKind.NOTE:
        add_comment(ticket, actor, action.text, internal=True)
    else:
        edit_properties(ticket, actor, _property_changes(ticket, action), expected_version=version)


def _property_changes(ticket: Ticket, action: BulkAction) -> PropertyChanges:
    """The ticket's properties as they are, but for the one the action changes."""
    overridden = ticket.priority_reason is not None
    changes = PropertyChanges(
        ticket_type=ticket.ticket_type, category=ticket.category, impact=ticket.impact,
        urgency=ticket.urgency, priority=ticket.priority if overridden else None,
        priority_reason=ticket.priority_reason or "", team=ticket.team, assignee=ticket.assignee)
    if action.kind == BulkKind.PRIORITY:
        changes.priority, changes.priority_reason = action.priority, action.text
    else:
        changes.category = action.category
    return changes
