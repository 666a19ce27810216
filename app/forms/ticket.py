"""The ticket form shared by the portal (self-service) and the agent workspace (on behalf)."""
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from app.http_input import optional_id, parse_id
from app.models import Level, TicketType
from app.services.tickets import REQUIRED_TO_SUBMIT, TicketInput

LEVEL_CHOICES = [("", "Choose…")] + [(lvl.value, lvl.label) for lvl in Level]
IMPACT_HINT = "High: many people or a whole service. Medium: a team or a key task. Low: just me."
URGENCY_HINT = "High: work has stopped. Medium: work is slowed. Low: it can wait."


def _level(value: str | None) -> Level | None:
    return Level(value) if value else None


class VersionedForm(FlaskForm):
    """A change built on the ticket as the page showed it: the hidden version lets the service
    refuse a stale one ("changed by X meanwhile")."""

    version = HiddenField()

    def expected_version(self) -> int | None:
        return parse_id(str(self.version.data or ""))

    def valid(self, name: str):
        """The field's data, or None when the form refused it (so that the rest of the input
        can still be checked in the same round)."""
        field = self[name]
        return None if field.errors else field.data


class TicketForm(VersionedForm):
    """Every field is optional here: a draft may be half-filled. What a submission must hold
    is decided by ``services.tickets.submission_errors`` and shown next to these fields; the
    fields it requires are flagged ``required``, so they are marked and announced as such."""

    ticket_type = RadioField("What is it?", default=TicketType.INCIDENT.value, choices=[
        (TicketType.INCIDENT.value, "Something is broken"),
        (TicketType.SERVICE_REQUEST.value, "I need something"),
    ])
    title = StringField("Title", validators=[Optional(), Length(max=200, message="Keep the title under 200 characters.")])
    description = TextAreaField("Description", validators=[
        Optional(), Length(max=20000, message="Keep the description under 20,000 characters.")])
    category_id = SelectField("Category", coerce=optional_id, validate_choice=True,
                              invalid_value_message="Not a valid choice.")
    impact = SelectField("Impact", choices=LEVEL_CHOICES)
    urgency = SelectField("Urgency", choices=LEVEL_CHOICES)
    contact_phone = StringField("Contact phone", validators=[
        Optional(), Length(max=40),
        Regexp(r"^[0-9+()./\- ext]{5,40}$", message="Use digits, spaces and + ( ) - only.")])
    attachments = MultipleFileField("Screenshots or files")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in REQUIRED_TO_SUBMIT:
            self[name].flags.required = True

    def set_category_choices(self, categories) -> None:
        self.category_id.choices = [("", "Choose…")] + [(c.id, c.name) for c in categories]

    def to_input(self) -> TicketInput:
        """The input as typed, each field the form refused left empty."""
        return TicketInput(
            ticket_type=TicketType(self.valid("ticket_type") or TicketType.INCIDENT.value),
            title=self.valid("title") or "", description=self.valid("description") or "",
            category_id=self.valid("category_id"), impact=_level(self.valid("impact")),
            urgency=_level(self.valid("urgency")), contact_phone=self.valid("contact_phone"))
