"""The service catalog as employees see it: what is offered, found by words, what approval an
item needs, and the drafts filled in from an item's form.

A catalog draft is an ordinary Draft ticket that points at its item and keeps the raw answers
(``ticket.answers``) until ``tickets.submit_ticket`` validates them and stores the clean ones
with the form's snapshot. Files of file fields are ticket attachments whose ids are the answer.
"""
import json
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload

from app.extensions import db
from app.models import (
    ApprovalPolicy, ApproverKind, Attachment, CatalogItem, Category, FieldType, Role, StepMode, Team,
    Ticket, User,
)
from app.services import tickets
from app.services.attachments import attach_files, real_uploads, upload_errors
from app.services.catalog_forms import FieldSpec, answer_rows, initial_answers, specs_from_json
from app.services.errors import PermissionDenied, ValidationFailed
from app.services.search import contains

MAX_SEARCH_WORDS = 8


class FilesRefused(ValidationFailed):
    """Some uploads were refused; everything else is saved on ``draft`` (flushed), so the
    caller can commit it and show each message by its file field."""

    def __init__(self, draft: Ticket, field_errors: dict[str, list[str]]):
        super().__init__("Some files were not attached.", field_errors)
        self.draft = draft


# --- Browsing and search ------------------------------------------------------------------------

def _offered():
    return (select(CatalogItem).join(CatalogItem.category)
            .where(CatalogItem.active, Category.active)
            .options(contains_eager(CatalogItem.category),
                     selectinload(CatalogItem.approval_policy)))


def is_offered(item: CatalogItem) -> bool:
    return item.active and item.category.active


def browse(query: str = "") -> list[tuple[Category, list[CatalogItem]]]:
    """Offered items grouped by category, in the admin's order. Each word of ``query`` must
    appear in the item's name, summary, description, keywords or category name."""
    stmt = _offered().order_by(Category.position, Category.name, CatalogItem.position,
                               CatalogItem.name)
    for word in (query or "").split()[:MAX_SEARCH_WORDS]:
        stmt = stmt.where(or_(*(contains(column, word) for column in (
            CatalogItem.name, CatalogItem.summary, CatalogItem.description, CatalogItem.keywords,
            Category.name))))
    items = db.session.scalars(stmt).unique().all()
    return [(category, list(group)) for category, group in groupby(items, lambda i: i.category)]


# --- Approval in plain words --------------------------------------------------------------------

def _approver_words(spec: dict, users: dict[int, User], teams: dict[int, Team]) -> str:
    kind = ApproverKind(spec.get("kind"))
    if kind == ApproverKind.USER:
        user = users.get(spec.get("user_id"))
        return user.name if user else "a named person"
    if kind == ApproverKind.ROLE:
        return f"anyone with the {Role(spec.get('role')).label} role"
    if kind == ApproverKind.MANAGER:
        return "your manager"
    team = teams.get(spec.get("team_id"))
    return f"the lead of {team.name}" if team else "a team lead"


def approval_steps(policy: ApprovalPolicy | None) -> list[tuple[str, str]]:
    """(step name, who decides in plain words) for each step of ``policy``."""
    if policy is None or not policy.active:
        return []
    specs = [(step, json.loads(step.approvers or "[]")) for step in policy.steps]
    all_specs = [s for _, group in specs for s in group]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        [s.get("user_id") for s in all_specs if s.get("kind") == ApproverKind.USER])))}
    teams = {t.id: t for t in db.session.scalars(select(Team).where(Team.id.in_(
        [s.get("team_id") for s in all_specs if s.get("kind") == ApproverKind.TEAM_LEAD])))}
    rows = []
    for step, group in specs:
        who = [_approver_words(s, users, teams) for s in group]
        every = step.mode == StepMode.ALL and len(who) > 1
        text = ("all of: " + ", ".join(who)) if every else " or ".join(who)
        rows.append((step.name, text[:1].upper() + text[1:]))
    return rows


# --- Drafts -------------------------------------------------------------------------------------

def save_catalog_draft(author: User, item: CatalogItem, raw_answers: dict, uploads: dict,
                       draft: Ticket | None = None, expected_version: int | None = None,
                       notes: str = "") -> Ticket:
    """Create or update a Draft ticket for ``item`` with the raw answers (nothing is required
    in a draft). ``uploads`` maps a file field's key to its uploads; stored files are added to
    the answer, which keeps the files of earlier saves. ``notes`` ("Anything else?") becomes
    the description. Raises FilesRefused, after saving the rest, when a file is refused."""
    if draft is not None and draft.catalog_item_id != item.id:
        raise PermissionDenied("This draft was started from another catalog item.")
    previous = json.loads(draft.answers or "{}") if draft is not None else {}
    data = tickets.TicketInput(
        ticket_type=item.ticket_type, title=item.name, description=notes or "",
        category_id=item.category_id, impact=item.impact, urgency=item.urgency,
        contact_phone=draft.contact_phone if draft is not None else author.phone)
    draft = tickets.save_draft(author, data, draft, expected_version)
    draft.catalog_item = item
    file_keys = [f.key for f in item.fields if f.field_type == FieldType.FILE]
    answers = {**raw_answers, **{key: previous.get(key) or [] for key in file_keys}}
    draft.answers = json.dumps(answers, sort_keys=True)
    db.session.flush()
    _attach_uploads(draft, author, file_keys, uploads, answers)
    return draft


def _attach_uploads(draft: Ticket, author: User, file_keys: list[str], uploads: dict,
                    answers: dict) -> None:
    """All the fields' files or none (a savepoint), every refusal reported by its field."""
    errors: dict[str, list[str]] = {}
    with db.session.begin_nested():
        for key in file_keys:
            files = real_uploads(uploads.get(key))
            if not files:
                continue
            try:
                stored = attach_files(draft, author, files)
            except ValidationFailed as error:
                errors[f"q_{key}"] = [m for ms in error.field_errors.values() for m in ms]
                continue
            db.session.flush()
            answers[key] = list(answers[key]) + [a.id for a in stored]
        if errors:
            raise FilesRefused(draft, errors)
        draft.answers = json.dumps(answers, sort_keys=True)
        db.session.flush()


def file_errors(uploads: dict) -> dict[str, list[str]]:
    """Every upload that would be refused, by the input of its file field; nothing stored."""
    errors = {f"q_{key}": upload_errors(files) for key, files in uploads.items()}
    return {name: messages for name, messages in errors.items() if messages}


def has_answers(specs: list[FieldSpec], raw_answers: dict, notes: str = "") -> bool:
    """Whether a new draft would hold anything the person entered: an answer other than the
    form's default, or a note. An untouched form, saved or refused, makes no draft."""
    defaults = initial_answers(specs)
    return bool((notes or "").strip()) or any(
        raw_answers.get(s.key, defaults[s.key]) != defaults[s.key]
        for s in specs if s.type != FieldType.FILE)


def draft_answers(draft: Ticket) -> dict:
    return json.loads(draft.answers or "{}")


def _attachments(ticket: Ticket, ids: list[int]) -> dict[int, Attachment]:
    if not ids:
        return {}
    return {a.id: a for a in db.session.scalars(select(Attachment).where(
        Attachment.ticket_id == ticket.id, Attachment.id.in_(ids)))}


def stored_files(ticket: Ticket | None, specs: list[FieldSpec], answers: dict) -> dict[str, list]:
    """The files already stored for each file field of a draft, by field key."""
    keys = [s.key for s in specs if s.type == FieldType.FILE]
    if ticket is None or not keys:
        return {}
    found = _attachments(ticket, [i for k in keys for i in (answers.get(k) or [])])
    return {k: [found[i] for i in (answers.get(k) or []) if i in found] for k in keys}


# --- A filed ticket's answers --------------------------------------------------------------------

@dataclass
class AnswerRow:
    label: str
    value: str
    files: list[Attachment] = field(default_factory=list)


def ticket_answers(ticket: Ticket) -> list[AnswerRow]:
    """The answers of a filed catalog ticket with the labels of the form it was filed with
    (its snapshot), so a later change to the item's form never changes what is shown."""
    if ticket.form_version is None:
        return []
    specs = specs_from_json(ticket.form_version.fields_json)
    answers = json.loads(ticket.answers or "{}")
    answered = [s for s in specs if s.key in answers]
    files = stored_files(ticket, answered, answers)
    return [AnswerRow(label, value, files.get(spec.key, []))
            for spec, (label, value) in zip(answered, answer_rows(specs, answers))]
