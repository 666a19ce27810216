"""Creating tickets and changing them outside the status lifecycle: drafts, submission,
priority, the first team, links. Status moves go through ``lifecycle.transition_ticket``; who
works a ticket (claim, assign, transfer, escalate) is ``services.assignment``."""
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import (
    ApprovalPolicy, Category, Channel, Level, LinkType, Status, Team, Ticket, TicketLink,
    TicketType, User, utcnow,
)
from app.services import events
from app.services.audit import record_event
from app.services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.services.lifecycle import check_version, find_transition, transition_ticket
from app.services.approvals import ask_first_step, plan_approvals
from app.services.catalog_forms import current_version, item_specs, validate_answers
from app.services.numbering import next_number
from app.services.policy import evaluate as evaluate_policy
from app.services.priority import PRIORITY_LABELS, derive_priority

TITLE_MIN = 5
# The form fields a portal or agent ticket needs before it can leave Draft (``submission_errors``);
# forms mark them as required.
REQUIRED_TO_SUBMIT = ("title", "description", "category_id", "impact", "urgency")


@dataclass
class TicketInput:
    """What a person can fill in; any of it may be missing while the ticket is a draft."""

    ticket_type: TicketType = TicketType.INCIDENT
    title: str = ""
    description: str = ""
    category_id: int | None = None
    impact: Level | None = None
    urgency: Level | None = None
    contact_phone: str | None = None


def submission_errors(ticket: Ticket) -> dict[str, list[str]]:
    """What a ticket still lacks before it can leave Draft; keyed by form field name.

    This is the one place the rule lives; every channel that submits calls it.
    """
    errors: dict[str, list[str]] = {}
    if ticket.catalog_item is None and len((ticket.title or "").strip()) < TITLE_MIN:
        errors["title"] = [f"Give a short title of at least {TITLE_MIN} characters."]
    if not (ticket.description or "").strip() and ticket.catalog_item is None:
        errors["description"] = ["Describe the problem or request: what happened, what you need."]
    if ticket.category is None:
        errors["category_id"] = ["Choose a category."]
    elif not ticket.category.active:
        errors["category_id"] = ["This category is no longer offered; choose another."]
    if ticket.impact is None:
        errors["impact"] = ["Say how many people or how much work this affects."]
    if ticket.urgency is None:
        errors["urgency"] = ["Say how soon this needs to be handled."]
    return errors


def _apply_input(ticket: Ticket, data: TicketInput) -> None:
    ticket.ticket_type = data.ticket_type
    ticket.title = (data.title or "").strip()
    ticket.description = (data.description or "").strip()
    ticket.category = db.session.get(Category, data.category_id) if data.category_id else None
    ticket.impact, ticket.urgency = data.impact, data.urgency
    ticket.contact_phone = (data.contact_phone or "").strip() or None
    if not ticket.priority_reason:
        ticket.priority = derive_priority(ticket.impact, ticket.urgency)


def has_content(data: TicketInput, author: User) -> bool:
    """Whether a new draft would hold anything the person entered: text, a choice, or a phone
    other than their own (the form's default). A blank form, saved or refused, makes no
    "Untitled" draft."""
    phone = (data.contact_phone or "").strip()
    return bool((data.title or "").strip() or (data.description or "").strip()
                or data.category_id or data.impact or data.urgency
                or (phone and phone != (author.phone or "").strip()))


def save_draft(author: User, data: TicketInput, draft: Ticket | None = None,
               expected_version: int | None = None) -> Ticket:
    """Create or update a draft. Nothing is required; a draft is private and starts no clock."""
    if draft is None:
        draft = Ticket(status=Status.DRAFT, requester=author, created_by=author,
                       channel=Channel.PORTAL, draft_at=utcnow())
        db.session.add(draft)
    elif not draft.is_draft or draft.created_by_id != author.id:
        raise PermissionDenied("Only your own drafts can be edited.")
    check_version(draft, expected_version)
    _apply_input(draft, data)
    db.session.flush()
    return draft


def submit_ticket(ticket: Ticket, actor: User, *, team: Team | None = None,
                  actor_label: str | None = None) -> Ticket:
    """Draft → New: check policy, number it, then send it for approval or to its team's queue.

    In this order: plan the approvals its policies ask for (refused when a step would have
    nobody to ask), number it, record it created, New, then either Under Review and the first
    step asked, or its team's queue.

    Runs in a savepoint: when anything refuses the submission (ValidationFailed with a message
    per field), nothing of it remains, and the caller may still commit the draft it saved.
    """
    with db.session.begin_nested():
        approval_policies = _check_submission(ticket)
        find_transition(ticket, Status.NEW, actor)  # refuse early, before a number is spent
        if approval_policies:
            plan_approvals(ticket, approval_policies)  # may refuse: nobody to ask
        ticket.number = next_number(ticket.ticket_type)
        ticket.created_at = utcnow()
        db.session.flush()
        record_event(ticket, actor, "created", note=f"via {ticket.channel.label}",
                     actor_label=actor_label)
        transition_ticket(ticket, Status.NEW, actor, actor_label=actor_label)
        if approval_policies:
            names = ", ".join(p.name for p in approval_policies)
            transition_ticket(ticket, Status.UNDER_REVIEW, None, actor_label="Approval",
                              reason=f"Needs approval: {names}")
            ask_first_step(ticket)
        else:
            queue_ticket(ticket, team)
    return ticket


def _check_submission(ticket: Ticket) -> list[ApprovalPolicy]:
    """Every check a submission must pass, all reported at once; returns the approval policies
    that apply."""
    errors, policies = _submission_findings(ticket)
    if errors:
        raise ValidationFailed("Some information is missing or not allowed.", errors)
    return policies


def _submission_findings(ticket: Ticket) -> tuple[dict[str, list[str]], list[ApprovalPolicy]]:
    """(what refuses the submission, by form field; the approval policies that apply). A catalog
    ticket's answers are validated against its item's current form and kept, with that form's
    snapshot, on the ticket; the validation rules see those clean answers."""
    errors = submission_errors(ticket)
    item = ticket.catalog_item
    if item is not None:
        clean, answer_errors = validate_answers(item_specs(item), json.loads(ticket.answers or "{}"))
        errors.update(answer_errors)
        if not item.active:
            errors.setdefault("__all__", []).append(f"{item.name} is no longer offered.")
        ticket.answers = json.dumps(clean, sort_keys=True)
        ticket.form_version = current_version(item)
    result = evaluate_policy(ticket)
    for key, messages in result.errors.items():
        errors.setdefault(key, []).extend(messages)
    policies = [item.approval_policy] if item is not None and item.needs_approval else []
    return errors, policies + [p for p in result.approval_policies if p not in policies]


def submission_refusals(build: Callable[[], Ticket]) -> dict[str, list[str]]:
    """What submitting the ticket that ``build()`` makes or fills in would be refused for (the
    messages of ``submit_ticket``, by form field), changing nothing: it runs in a savepoint
    that is rolled back, so a form that cannot be saved, or a submission held back by a bad
    file, can still report everything a submission lacks in the same round."""
    savepoint = db.session.begin_nested()
    try:
        return _submission_findings(build())[0]
    finally:
        savepoint.rollback()


def queue_ticket(ticket: Ticket, team: Team | None = None) -> None:
    """Put the ticket in its team's queue: the one given, or its item's, or its category's. The
    ticket takes that team's tier (a ticket filed straight to second line is tier 2)."""
    item = ticket.catalog_item
    ticket.team = team or ticket.team or (item.team if item else None) or (
        ticket.category.team if ticket.category else None)
    if ticket.team is not None:
        ticket.tier = ticket.team.tier
        events.publish("ticket.queued", ticket, team_id=ticket.team.id)


def create_ticket(data: TicketInput, *, requester: User | None, created_by: User,
                  channel: Channel, team: Team | None = None) -> Ticket:
    """File a ticket in one step: an agent for a caller, a walk-in, or proactive work."""
    ticket = _unfiled(data, requester, created_by, channel)
    try:
        submit_ticket(ticket, created_by, team=team)
    except ValidationFailed:
        db.session.delete(ticket)  # nothing half-made stays behind; the caller keeps the input
        db.session.flush()
        raise
    return ticket


def filing_refusals(data: TicketInput, *, requester: User | None, created_by: User,
                    channel: Channel) -> dict[str, list[str]]:
    """What ``create_ticket`` would refuse ``data`` for, by form field, changing nothing."""
    return submission_refusals(lambda: _unfiled(data, requester, created_by, channel))


def _unfiled(data: TicketInput, requester: User | None, created_by: User, channel: Channel) -> Ticket:
    ticket = Ticket(status=Status.DRAFT, requester=requester, created_by=created_by,
                    channel=channel)
    _apply_input(ticket, data)
    db.session.add(ticket)
    db.session.flush()  # ids first: who may submit is decided by requester_id/created_by_id
    return ticket


def delete_draft(draft: Ticket, user: User) -> None:
    if not draft.is_draft or draft.created_by_id != user.id:
        raise PermissionDenied("Only your own drafts can be deleted.")
    db.session.delete(draft)


def change_priority(ticket: Ticket, actor: User, priority: int, reason: str,
                    expected_version: int | None = None) -> Ticket:
    """Override the matrix; the reason is kept on the ticket and in the history."""
    check_version(ticket, expected_version)
    if priority not in PRIORITY_LABELS:
        raise ValidationFailed("Unknown priority.", {"priority": ["Choose P1 to P5."]})
    if not (reason or "").strip():
        raise ValidationFailed("A priority change needs a reason.",
                               {"reason": ["Say why the priority changes."]})
    if priority == ticket.priority:
        raise ValidationFailed("That is already the priority.",
                               {"priority": [f"It is already {PRIORITY_LABELS[priority]}."]})
    old = PRIORITY_LABELS[ticket.priority]
    ticket.priority, ticket.priority_reason = priority, reason.strip()
    refusal = evaluate_policy(ticket).errors
    if refusal:  # e.g. "priority 1 needs a business-impact statement"
        messages = [m for ms in refusal.values() for m in ms]
        raise ValidationFailed(" ".join(messages), {"priority": messages})
    record_event(ticket, actor, "priority_changed", field="priority", old=old,
                 new=PRIORITY_LABELS[priority], note=reason.strip())
    return ticket


def link_tickets(ticket: Ticket, other_number: str, link_type: LinkType, actor: User) -> TicketLink:
    other = db.session.scalar(select(Ticket).where(Ticket.number == (other_number or "").strip().upper()))
    if other is None:
        raise NotFound(f"No ticket {other_number!r}.", {"number": ["No ticket has that number."]})
    if other.id == ticket.id:
        raise ValidationFailed("A ticket cannot be linked to itself.",
                               {"number": ["Choose another ticket."]})
    exists = db.session.scalar(select(TicketLink).where(
        TicketLink.source_id == ticket.id, TicketLink.target_id == other.id,
        TicketLink.link_type == link_type))
    if exists:
        raise Conflict(f"{ticket.reference} is already linked to {other.reference}.",
                       {"number": ["Already linked."]})
    link = TicketLink(source_id=ticket.id, target_id=other.id, link_type=link_type,
                      created_by_id=actor.id)
    db.session.add(link)
    ticket.updated_at = utcnow()
    record_event(ticket, actor, "linked", field="link", new=f"{link_type.label} {other.reference}")
    other.updated_at = utcnow()
    record_event(other, actor, "linked", field="link", new=f"{link_type.inverse_label} {ticket.reference}")
    return link


def ticket_links(ticket: Ticket) -> list[tuple[str, Ticket]]:
    """(label, other ticket) for every link in either direction."""
    rows = db.session.scalars(select(TicketLink).where(
        (TicketLink.source_id == ticket.id) | (TicketLink.target_id == ticket.id)))
    return [(link.link_type.label, link.target) if link.source_id == ticket.id
            else (link.link_type.inverse_label, link.source) for link in rows]
