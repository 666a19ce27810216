"""Forms of the agent workspace (the queue's are in ``app.forms.queues``): ticket actions (each a POST form for
its CSRF token) and the ticket created on someone's behalf. They check shape; the services
decide policy (what a submission needs, which moves are allowed, what a priority change needs)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.extensions import db
from app.forms.ticket import TicketForm, VersionedForm
from app.http_input import optional_id
from app.models import Channel, LinkType, Status, Team, TicketType, User
from app.services.users import find_user_by_email

NOT_UNDERSTOOD = "Not understood; showing every value instead."


def _choice(label: str, choices, **kwargs) -> SelectField:
    """A select of ids or small numbers (a priority, days); one not offered is not understood."""
    return SelectField(label, choices=choices, coerce=optional_id, validate_choice=True,
                       invalid_choice_message=NOT_UNDERSTOOD, invalid_value_message=NOT_UNDERSTOOD,
                       **kwargs)


class ClaimForm(FlaskForm):
    """No fields: the form exists for its CSRF token."""


class TransitionForm(VersionedForm):
    """The pressed status button carries ``target``; the lifecycle decides if the move is allowed
    and whether it needs the reason."""

    target = SelectField(choices=[(s.value, s.label) for s in Status], validate_choice=True,
                         validators=[DataRequired("Choose what to do.")],
                         invalid_choice_message="Unknown status.")
    reason = TextAreaField("Reason", validators=[
        Optional(), Length(max=5000, message="Keep the reason under 5,000 characters.")])


class CommentForm(FlaskForm):
    body = TextAreaField("Message", validators=[
        Optional(), Length(max=20000, message="Keep the message under 20,000 characters.")])
    visibility = RadioField("Who sees it", default="public", choices=[
        ("public", "Reply to requester"), ("internal", "Internal note (IT only)")])
    attachments = MultipleFileField("Attach files")

    @classmethod
    def for_ticket(cls, ticket) -> "CommentForm":
        form = cls._offer(cls(formdata=None), ticket)
        if ticket.requester_id is None:
            form.visibility.data = "internal"
        return form

    @classmethod
    def posted_for(cls, ticket) -> "CommentForm":
        return cls._offer(cls(), ticket)

    @staticmethod
    def _offer(form: "CommentForm", ticket) -> "CommentForm":
        """IT's own work has no requester: the only message is an internal note."""
        if ticket.requester_id is None:
            form.visibility.choices = [("internal", "Internal note (IT only)")]
        return form

    @property
    def internal(self) -> bool:
        return self.visibility.data == "internal"


class LinkForm(FlaskForm):
    number = StringField("Ticket number", validators=[Optional(), Length(max=16)],
                         render_kw={"placeholder": "INC000123"})
    link_type = SelectField("Link", choices=[(t.value, t.label) for t in LinkType],
                            default=LinkType.RELATED.value, validate_choice=True,
                            invalid_choice_message="Choose a kind of link.")

    def link_type_value(self) -> LinkType:
        return LinkType(self.link_type.data)


class AttachForm(FlaskForm):
    attachments = MultipleFileField("Attach files", validators=[FileRequired("Choose a file first.")])


PROACTIVE = Channel.AGENT.value
AGENT_CHANNELS = [(Channel.PHONE.value, "Phone"), (Channel.WALK_IN.value, "Walk-in"),
                  (Channel.CHAT.value, "Chat"), (Channel.EMAIL.value, "Email"),
                  (PROACTIVE, "Proactive / maintenance (no requester)")]
NO_REQUESTER = ("Find the requester by name or email and pick them, or type their exact email. "
                "For IT's own work choose Proactive / maintenance.")


class AgentTicketForm(TicketForm):
    """TicketForm for a ticket filed on someone's behalf: who asked (picked from the search
    results, or an exact email typed without JavaScript), how they reached IT, the type (changes
    too) and optionally a team other than the category's."""

    ticket_type = RadioField("Type", default=TicketType.INCIDENT.value,
                             choices=[(t.value, t.label) for t in TicketType])
    requester_search = StringField("Requester", name="q", validators=[Optional(), Length(max=254)],
                                   render_kw={"placeholder": "Name or email", "autocomplete": "off"})
    # Picked from search results that change as one types, so checked by looking it up.
    requester_id = RadioField(coerce=optional_id, validate_choice=False, invalid_value_message=NO_REQUESTER)
    channel = RadioField("Channel", default=Channel.PHONE.value, choices=AGENT_CHANNELS)
    team_id = _choice("Team", [("", "The category's team")])

    requester: User | None = None
    team: Team | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requester_search.flags.required = True  # unless proactive, as its hint says

    def set_team_choices(self, teams) -> None:
        self.team_id.choices = [("", "The category's team")] + [(t.id, t.name) for t in teams]

    @property
    def proactive(self) -> bool:
        return self.channel.data == PROACTIVE

    def channel_value(self) -> Channel:
        """The channel chosen; one never offered (a tampered post, refused by the form) counts
        as the default while the rest of the input is checked."""
        return Channel(self.valid("channel") or Channel.PHONE.value)

    def validate(self, extra_validators=None) -> bool:
        """Every field is checked in the same round: the picked requester and team are turned
        into objects even when another field is refused, and a missing requester is reported
        next to the requester field (unless the ticket is proactive work)."""
        valid = super().validate(extra_validators)
        self.team = db.session.get(Team, self.team_id.data) if self.valid("team_id") else None
        if self.proactive:
            return valid
        self.requester = self._picked_requester()
        if self.requester is None and not self.requester_id.errors:
            self.requester_search.errors = list(self.requester_search.errors) + [NO_REQUESTER]
        return valid and self.requester is not None

    def _picked_requester(self) -> User | None:
        user = db.session.get(User, self.requester_id.data) if self.valid("requester_id") else None
        if user is None and "@" in (self.valid("requester_search") or ""):
            user = find_user_by_email(self.requester_search.data)
        return user if user is not None and user.active else None
