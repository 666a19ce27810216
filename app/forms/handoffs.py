"""Forms of the ticket page's sidebar: the properties form (one Save for type, category,
impact, urgency, priority, team and assignee) and the escalation. They check shape and turn ids
into objects; ``services.ticket_properties`` and ``services.assignment`` decide policy."""
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.extensions import db
from app.forms.ticket import LEVEL_CHOICES, VersionedForm
from app.http_input import optional_id
from app.models import Category, Level, Team, Ticket, TicketType, User
from app.services.assignment import active_teams, assignable_agents
from app.services.categories import active_categories
from app.services.priority import PRIORITY_LABELS, derive_priority
from app.services.ticket_properties import PropertyChanges

NOT_OFFERED = "Choose one from the list."


def _id_select(label: str, **kwargs) -> SelectField:
    return SelectField(label, coerce=optional_id, validate_choice=True,
                       invalid_choice_message=NOT_OFFERED, invalid_value_message=NOT_OFFERED, **kwargs)


class PropertiesForm(VersionedForm):
    ticket_type = SelectField("Type", choices=[(t.value, t.label) for t in TicketType],
                              validate_choice=True, invalid_choice_message=NOT_OFFERED)
    category_id = _id_select("Category")
    impact = SelectField("Impact", choices=LEVEL_CHOICES, validate_choice=True, invalid_choice_message=NOT_OFFERED)
    urgency = SelectField("Urgency", choices=LEVEL_CHOICES, validate_choice=True, invalid_choice_message=NOT_OFFERED)
    priority = _id_select("Priority")
    priority_reason = StringField("Why this priority", validators=[
        Optional(), Length(max=500, message="Keep the reason under 500 characters.")])
    team_id = _id_select("Team")
    reason = TextAreaField("Reason for the transfer", render_kw={"rows": 2}, validators=[
        Optional(), Length(max=5000, message="Keep the reason under 5,000 characters.")])
    # The people offered depend on the team chosen, so a posted id is looked up, not matched
    # against the choices; whether they may work the team's tickets is the service's rule.
    assignee_id = SelectField("Assignee", coerce=optional_id, validate_choice=False,
                              invalid_value_message=NOT_OFFERED)

    assignee: User | None = None

    @classmethod
    def for_ticket(cls, ticket: Ticket, version: str) -> "PropertiesForm":
        """The form as the page first shows it: every control on the ticket's current value
        (the priority on "from impact × urgency" unless it was overridden)."""
        return cls(formdata=None, version=version, ticket_type=ticket.ticket_type.value,
                   category_id=ticket.category_id, impact=_value(ticket.impact),
                   urgency=_value(ticket.urgency),
                   priority=ticket.priority if ticket.priority_reason else None,
                   priority_reason=ticket.priority_reason or "", team_id=ticket.team_id,
                   assignee_id=ticket.assignee_id)

    def set_choices(self, ticket: Ticket, categories, teams, assignees) -> None:
        """Offer the active categories and teams (and the ticket's own, even if retired) and
        the chosen team's people."""
        self.category_id.choices = _with_current([("", "Choose…")] + [(c.id, c.name) for c in categories],
                                                 ticket.category)
        self.team_id.choices = _with_current(
            [("", "No team")] * (ticket.team is None) + [(t.id, f"{t.name} (tier {t.tier})") for t in teams],
            ticket.team)
        self.assignee_id.choices = [("", "Unassigned")] + [(u.id, u.name) for u in assignees]
        if ticket.assignee and ticket.assignee.id not in {u.id for u in assignees}:
            self.assignee_id.choices.append((ticket.assignee.id, ticket.assignee.name))
        matrix = PRIORITY_LABELS[derive_priority(ticket.impact, ticket.urgency)]
        self.priority.choices = [("", f"{matrix} (matrix)")] + list(PRIORITY_LABELS.items())

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.assignee = db.session.get(User, self.assignee_id.data) if self.assignee_id.data else None
        if self.assignee_id.data and self.assignee is None:
            self.assignee_id.errors = [NOT_OFFERED]
            return False
        return True

    def to_changes(self) -> PropertyChanges:
        return PropertyChanges(
            ticket_type=TicketType(self.ticket_type.data),
            category=db.session.get(Category, self.category_id.data) if self.category_id.data else None,
            impact=Level(self.impact.data) if self.impact.data else None,
            urgency=Level(self.urgency.data) if self.urgency.data else None,
            priority=self.priority.data, priority_reason=self.priority_reason.data or "",
            team=db.session.get(Team, self.team_id.data) if self.team_id.data else None,
            assignee=self.assignee, reason=self.reason.data or "")


def _value(level: Level | None) -> str:
    return level.value if level else ""


def _with_current(choices: list, current) -> list:
    """``choices`` plus the ticket's current value if it is no longer offered (a retired
    category or team must stay selectable, or saving anything else would change it)."""
    if current is not None and current.id not in {value for value, _label in choices}:
        choices.append((current.id, current.name))
    return choices


class EscalateForm(VersionedForm):
    # Its own id: the properties form on the same page has a "reason" too.
    reason = TextAreaField("Why escalate", id="escalate-reason", render_kw={"rows": 2}, validators=[
        Optional(), Length(max=5000, message="Keep the reason under 5,000 characters.")])


def properties_form(ticket: Ticket, version: str | None = None) -> PropertiesForm:
    """The properties form with its choices: as first shown (``version`` given) or as posted.
    The people offered are those of the team chosen, when the posted team is a real one."""
    form = PropertiesForm.for_ticket(ticket, version) if version is not None else PropertiesForm()
    team = ticket.team
    if version is None and form.team_id.data:  # coerced by optional_id: an id-sized number
        team = db.session.get(Team, form.team_id.data) or team
    form.set_choices(ticket, active_categories(), active_teams(), assignable_agents(team))
    return form
