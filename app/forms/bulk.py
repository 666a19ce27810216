"""The queue's bulk bar: the selected rows (each "id:version", the version the row showed), the
pressed button (``action``) and the value it applies. Checks shape and that the value was
offered; what each ticket accepts is the services' call, ticket by ticket."""
from urllib.parse import urlsplit

from flask import url_for
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.extensions import db
from app.http_input import optional_id, parse_id
from app.models import Category, Status, Team, User
from app.security import is_safe_next
from app.services.bulk import MAX_TICKETS, BulkAction, BulkKind
from app.services.lifecycle import TRANSITIONS
from app.services.priority import PRIORITY_LABELS

NOT_OFFERED = "Choose one from the list."
# The statuses a technician sets by hand (Draft, New and Under Review are reached otherwise).
STATUS_CHOICES = [(s.value, s.label) for s in (Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD,
                                               Status.PENDING, Status.RESOLVED, Status.CLOSED,
                                               Status.CANCELLED)]


def _asks_why(status: Status) -> bool:
    """Every move into ``status`` asks for a reason (resolving, cancelling): ask once, up front,
    rather than have every ticket refuse."""
    moves = [t for table in TRANSITIONS.values() for t in table if t.target == status]
    return bool(moves) and all(t.needs_reason for t in moves)


class TicketRefsField(Field):
    """The checked rows: repeated ``ticket=<id>:<version>`` values, as (id, version) pairs."""

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        self.data, self.bad = [], []
        for value in valuelist:
            ticket_id, _, version = value.partition(":")
            pair = (parse_id(ticket_id), parse_id(version))
            if None in pair:
                self.bad.append(value[:20])
            else:
                self.data.append(pair)

    def pre_validate(self, form):
        if getattr(self, "bad", None):
            raise ValidationError(f"Not understood: {', '.join(self.bad[:5])}. Reload the queue and select again.")
        if not self.data:
            raise ValidationError("Select at least one ticket.")
        if len(self.data) > MAX_TICKETS:
            raise ValidationError(f"Select at most {MAX_TICKETS} tickets at a time (you selected {len(self.data)}).")


def _choice(label: str, coerce=str) -> SelectField:
    return SelectField(label, choices=[], coerce=coerce, validate_choice=True,
                       invalid_choice_message=NOT_OFFERED, invalid_value_message=NOT_OFFERED,
                       validators=[Optional()])


class BulkForm(FlaskForm):
    ticket = TicketRefsField("Selection")
    action = SelectField("Action", choices=[(k.value, k.value) for k in (BulkKind.ASSIGN, BulkKind.STATUS,
                                                               BulkKind.PRIORITY, BulkKind.CATEGORY,
                                                               BulkKind.NOTE)],
                         validate_choice=True, invalid_choice_message="Press one of the bar's buttons.")
    assign_to = _choice("Assign to")
    status = _choice("Status")
    priority = _choice("Priority", coerce=optional_id)
    category_id = _choice("Category", coerce=optional_id)
    text = StringField("Note or reason", validators=[
        Optional(), Length(max=5000, message="Keep it under 5,000 characters.")])
    back = HiddenField()

    def set_choices(self, people, teams, categories) -> None:
        """People who work tickets and active teams for Assign; the rest are fixed lists."""
        # Flat for validation; the template groups them (People, Teams) by the prefix.
        self.assign_to.choices = ([("", "Choose…")] + [(f"user:{p.id}", p.name) for p in people]
                                  + [(f"team:{t.id}", t.name) for t in teams])
        self.status.choices = [("", "Choose…")] + STATUS_CHOICES
        self.priority.choices = [("", "Choose…")] + list(PRIORITY_LABELS.items())
        self.category_id.choices = [("", "Choose…")] + [(c.id, c.name) for c in categories]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        needed = self._needed()
        if needed and not self.errors.get(needed[0].name):
            needed[0].errors = list(needed[0].errors) + [needed[1]]
            return False
        return ok

    def _needed(self):
        """The value the pressed button needs and is missing: (field, message) or None."""
        action, text = self.action.data, (self.text.data or "").strip()
        if action == BulkKind.ASSIGN:
            if not self.assign_to.data:
                return self.assign_to, "Choose a person or a team."
            if self.assign_to.data.startswith("team:") and not text:
                return self.text, "Say why they go to another team."
        if action == BulkKind.STATUS:
            if not self.status.data:
                return self.status, "Choose a status."
            if _asks_why(Status(self.status.data)) and not text:
                return self.text, f"Say why (moving to {Status(self.status.data).label} asks for a reason)."
        if action == BulkKind.PRIORITY:
            if not self.priority.data:
                return self.priority, "Choose a priority."
            if not text:
                return self.text, "Say why these tickets get this priority."
        if action == BulkKind.CATEGORY and not self.category_id.data:
            return self.category_id, "Choose a category."
        if action == BulkKind.NOTE and not text:
            return self.text, "Write the note."
        return None

    def to_action(self) -> BulkAction:
        """The action as the services take it (the chosen person, team or category were offered,
        so they are loaded already: no query)."""
        text = (self.text.data or "").strip()
        kind = BulkKind(self.action.data)
        if kind == BulkKind.ASSIGN:
            what, _, key = self.assign_to.data.partition(":")
            if what == "team":
                return BulkAction(BulkKind.TRANSFER, team=db.session.get(Team, int(key)), text=text)
            return BulkAction(kind, assignee=db.session.get(User, int(key)), text=text)
        category = db.session.get(Category, self.category_id.data) if self.category_id.data else None
        return BulkAction(kind, status=Status(self.status.data) if self.status.data else None,
                          priority=self.priority.data, category=category, text=text)

    def back_url(self) -> str:
        """The queue (with its filters and page) the bar was posted from; only the queue's own
        path is accepted, so the field cannot send anyone elsewhere."""
        queue, target = url_for("agent.queue"), self.back.data or ""
        if is_safe_next(target) and urlsplit(target).path == queue and len(target) <= 1000:
            return target
        return queue
