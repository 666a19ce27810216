"""The ticket's properties as a technician edits them in one form: type, category, impact,
urgency, priority, team and assignee, saved together or not at all.

Each changed property is one audit event with its old and new value. The save is refused when it
is built on an old version of the ticket, when a value breaks a rule below, or when the admins'
validation rules (``policy.evaluate``, the same check a submission passes) refuse the result.
A team change is a transfer and an assignee change an assignment (``services.assignment``).
A closed or cancelled ticket's properties are its record (reports count them) and stay as they are.
"""
from dataclasses import dataclass

from app.models import FINAL_STATUSES, Category, Level, Team, Ticket, TicketType, User, utcnow
from app.services.assignment import assign_ticket, transfer_ticket
from app.services.audit import record_event
from app.services.errors import IllegalTransition, ValidationFailed
from app.services.lifecycle import check_version
from app.services.policy import evaluate as evaluate_policy
from app.services.priority import PRIORITY_LABELS, derive_priority

# An incident and a service request share one lifecycle, so a ticket filed as the wrong one can
# be switched and keep its number; a change is planned and approved differently: file it anew.
SWITCHABLE_TYPES = frozenset({TicketType.INCIDENT, TicketType.SERVICE_REQUEST})

# Where a validation rule's message about a ticket field shows in the form.
RULE_FIELD_KEYS = {"category": "category_id"}


@dataclass
class PropertyChanges:
    """The form as posted. ``priority`` None follows the impact × urgency matrix; a number is an
    override, which needs ``priority_reason``. ``reason`` is needed when the team changes."""

    ticket_type: TicketType
    category: Category | None
    impact: Level | None
    urgency: Level | None
    priority: int | None
    priority_reason: str
    team: Team | None
    assignee: User | None
    reason: str = ""


def edit_properties(ticket: Ticket, actor: User, changes: PropertyChanges,
                    expected_version: int | None = None) -> list[str]:
    """Apply ``changes``; returns the names of the properties that changed (empty: none did)."""
    check_version(ticket, expected_version)
    if not properties_editable(ticket):
        raise IllegalTransition(f"{ticket.number} is {ticket.status.label.lower()}: its properties are on record and stay as they are.")
    errors = _errors(ticket, changes)
    if errors:
        raise ValidationFailed("Check the highlighted fields.", errors)
    changed = _apply_classification(ticket, actor, changes)
    changed += _apply_handoff(ticket, actor, changes)
    _check_rules(ticket)
    if changed:
        ticket.updated_at = utcnow()
    return changed


def properties_editable(ticket: Ticket) -> bool:
    """Open and resolved tickets may be corrected; closed and cancelled ones are the record."""
    return ticket.status not in FINAL_STATUSES


def _errors(ticket: Ticket, changes: PropertyChanges) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if changes.ticket_type != ticket.ticket_type and not {changes.ticket_type, ticket.ticket_type} <= SWITCHABLE_TYPES:
        errors["ticket_type"] = ["Only incidents and service requests can be switched; file a change anew."]
    if changes.category is None:
        errors["category_id"] = ["Choose a category."]
    elif not changes.category.active and changes.category.id != ticket.category_id:
        errors["category_id"] = ["This category is no longer offered; choose another."]
    if changes.impact is None:
        errors["impact"] = ["Say how many people or how much work this affects."]
    if changes.urgency is None:
        errors["urgency"] = ["Say how soon this needs to be handled."]
    if _is_override(changes) and not changes.priority_reason.strip():
        errors["priority_reason"] = ["Say why the priority differs from impact × urgency."]
    if changes.team is None and ticket.team is not None:
        errors["team_id"] = ["Choose a team."]
    return errors


def _is_override(changes: PropertyChanges) -> bool:
    """An override is a priority other than the matrix's for the chosen impact and urgency."""
    return changes.priority is not None and changes.priority != derive_priority(changes.impact, changes.urgency)


def _apply_classification(ticket: Ticket, actor: User, changes: PropertyChanges) -> list[str]:
    changed = [
        _set(ticket, actor, "ticket_type", changes.ticket_type, lambda v: v.label),
        _set(ticket, actor, "category", changes.category, lambda v: v.name),
        _set(ticket, actor, "impact", changes.impact, lambda v: v.label),
        _set(ticket, actor, "urgency", changes.urgency, lambda v: v.label),
    ]
    changed.append(_set_priority(ticket, actor, changes))
    return [name for name in changed if name]


def _set(ticket: Ticket, actor: User, name: str, value, label) -> str | None:
    """Set one property and audit it, if it changes; returns its name when it did."""
    old = getattr(ticket, name)
    if old == value:
        return None
    setattr(ticket, name, value)
    record_event(ticket, actor, f"{name.removeprefix('ticket_')}_changed", field=name.replace("_", " "),
                 old=label(old) if old is not None else None, new=label(value))
    return name.replace("_", " ")


def _set_priority(ticket: Ticket, actor: User, changes: PropertyChanges) -> str | None:
    override = _is_override(changes)
    priority = changes.priority if override else derive_priority(changes.impact, changes.urgency)
    reason = changes.priority_reason.strip() if override else None
    if (priority, reason) == (ticket.priority, ticket.priority_reason):
        return None
    record_event(ticket, actor, "priority_changed", field="priority", old=PRIORITY_LABELS[ticket.priority],
                 new=PRIORITY_LABELS[priority], note=reason or "From impact × urgency")
    ticket.priority, ticket.priority_reason = priority, reason
    return "priority"


def _apply_handoff(ticket: Ticket, actor: User, changes: PropertyChanges) -> list[str]:
    """Team, then assignee. When the team changes and the assignee field was left as it was,
    the transfer decides whether the assignee stays (only if they work for the new team)."""
    changed, before = [], ticket.assignee
    if changes.team is not None and changes.team != ticket.team:
        transfer_ticket(ticket, actor, changes.team, changes.reason)
        changed.append("team")
        if changes.assignee == before:
            return changed + (["assignee"] if ticket.assignee != before else [])
    if changes.assignee != ticket.assignee:
        assign_ticket(ticket, actor, changes.assignee)
        changed.append("assignee")
    return changed


def _check_rules(ticket: Ticket) -> None:
    refusal = evaluate_policy(ticket).errors
    if refusal:  # e.g. "a P1 needs a business-impact statement"
        errors: dict[str, list[str]] = {}
        for key, messages in refusal.items():
            errors.setdefault(RULE_FIELD_KEYS.get(key, key), []).extend(messages)
        raise ValidationFailed(" ".join(m for ms in refusal.values() for m in ms), errors)
