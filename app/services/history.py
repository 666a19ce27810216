"""Reading the audit trail, in words.

Events keep what was true when they were written: raw values (``in_progress``, ``true``, a
priority number, an id) and field names (a catalog answer's key). The History tab shows them as
people say them: status labels, priority names, team and people's names instead of ids, the
catalog field's label (from the form the ticket was filed with) instead of its key, "yes" or "no"
for a checkbox or a boolean, and instants as times the page shows in the viewer's own time zone.
What is not recognised is shown as it was written: nothing is hidden.
"""
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import Channel, FieldType, Level, Status, Team, Ticket, TicketEvent, TicketType, User
from app.services.catalog_forms import FieldSpec, specs_from_json
from app.services.priority import PRIORITY_LABELS

ACTIONS = {
    "created": "Created", "status_changed": "Status changed", "claimed": "Claimed",
    "assigned": "Assigned", "unassigned": "Unassigned", "transferred": "Transferred",
    "escalated": "Escalated", "tier_changed": "Tier changed", "priority_changed": "Priority changed",
    "type_changed": "Type changed", "category_changed": "Category changed",
    "impact_changed": "Impact changed", "urgency_changed": "Urgency changed", "linked": "Linked",
    "attachment_added": "File attached", "note_added": "Internal note added", "replied": "Replied",
    "approval_approved": "Approved", "approval_rejected": "Rejected",
}
FIELDS = {"ticket type": "Type", "ticket_type": "Type", "assignee": "Assignee", "team": "Team",
          "tier": "Tier", "status": "Status", "priority": "Priority", "category": "Category",
          "impact": "Impact", "urgency": "Urgency", "approval": "Approval", "link": "Link",
          "attachment": "File", "requester": "Requester", "channel": "Channel"}
ENUMS = {"status": Status, "impact": Level, "urgency": Level, "ticket type": TicketType,
         "ticket_type": TicketType, "channel": Channel}
PEOPLE_FIELDS = ("assignee", "requester")
BOOLEANS = {"true": "yes", "false": "no", "True": "yes", "False": "no"}
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Shown:
    """One value as the History tab shows it: words, or an instant (a ``time_tag`` in the page)."""
    text: str = ""
    instant: datetime | None = None


@dataclass(frozen=True)
class HistoryRow:
    created_at: datetime
    actor_name: str
    what: str
    old: Shown
    new: Shown
    note: str


def ticket_history(ticket: Ticket) -> list[HistoryRow]:
    """The ticket's audit trail, oldest first, in words; names behind ids in one query each."""
    events = list(db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.created_at, TicketEvent.id)))
    words = _Words(ticket, events)
    return [HistoryRow(created_at=e.created_at, actor_name=e.actor_name, what=words.what(e),
                       old=words.value(e.field, e.old_value), new=words.value(e.field, e.new_value),
                       note=e.note or "") for e in events]


class _Words:
    """How one ticket's events read: its catalog fields by key, and the names behind ids."""

    def __init__(self, ticket: Ticket, events: list[TicketEvent]):
        self.specs: dict[str, FieldSpec] = {}
        if ticket.form_version is not None:
            self.specs = {s.key: s for s in specs_from_json(ticket.form_version.fields_json)}
        self.users = self._names(User, events, PEOPLE_FIELDS)
        self.teams = self._names(Team, events, ("team",))

    @staticmethod
    def _names(model, events: list[TicketEvent], fields) -> dict[str, str]:
        ids = {int(v) for e in events if e.field in fields
               for v in (e.old_value, e.new_value) if v and v.isdigit()}
        if not ids:
            return {}
        return {str(i): n for i, n in db.session.execute(select(model.id, model.name).where(model.id.in_(ids)))}

    def _spec(self, field: str | None) -> FieldSpec | None:
        if not field:
            return None
        return self.specs.get(field.removeprefix("answers.")) if field not in FIELDS else None

    def what(self, event: TicketEvent) -> str:
        spec = self._spec(event.field)
        if spec is not None:
            return f"Answer changed: {spec.label}"
        if event.action in ACTIONS:
            return ACTIONS[event.action]
        label = FIELDS.get(event.field or "")
        return f"{label} changed" if label else event.action.replace("_", " ").capitalize()

    def value(self, field: str | None, raw: str | None) -> Shown:
        if raw is None or raw == "":
            return Shown()
        spec = self._spec(field)
        if spec is not None:
            return _answer(spec, raw, self.users)
        if field in ENUMS and raw in set(ENUMS[field]):
            return Shown(ENUMS[field](raw).label)
        if field == "priority" and raw.isdigit() and int(raw) in PRIORITY_LABELS:
            return Shown(PRIORITY_LABELS[int(raw)])
        if field == "approval" and raw.endswith((": approved", ": rejected")):
            return Shown(raw.rsplit(": ", 1)[0])  # the step; "Approved" or "Rejected" says the rest
        if field == "tier" and raw.isdigit():
            return Shown(f"Tier {raw}")
        if field in PEOPLE_FIELDS and raw.isdigit():
            return Shown(self.users.get(raw, raw))
        if field == "team" and raw.isdigit():
            return Shown(self.teams.get(raw, raw))
        return _plain(raw)


def _answer(spec: FieldSpec, raw: str, users: dict[str, str]) -> Shown:
    """A catalog answer in the field's own terms (JSON lists of choices joined, a checkbox yes/no)."""
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    if spec.type == FieldType.CHECKBOX:
        return Shown("yes" if value in (True, "yes", "true", "on", 1) else "no")
    if isinstance(value, list):
        return Shown(", ".join(str(v) for v in value))
    if spec.type == FieldType.USER and str(value).isdigit():
        return Shown(users.get(str(value), str(value)))
    return _plain(str(value))


def _plain(raw: str) -> Shown:
    if raw in BOOLEANS:
        return Shown(BOOLEANS[raw])
    if ISO_INSTANT.fullmatch(raw):
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return Shown(raw)
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)  # stored times are naive UTC
        return Shown(raw, instant=moment)
    if ISO_DATE.fullmatch(raw):
        try:
            return Shown(date.fromisoformat(raw).strftime("%-d %b %Y"))
        except ValueError:
            return Shown(raw)
    return Shown(raw.replace("_", " ") if re.fullmatch(r"[a-z]+(_[a-z]+)+", raw) else raw)


def last_actor_name(ticket: Ticket) -> str:
    event = db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id.desc()).limit(1)
    ).first()
    return event.actor_name if event else "someone"
