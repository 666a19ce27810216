"""Admin forms: users, teams, categories and team membership. They check shape (lengths,
formats, that a picked id is one that was offered); the services check policy (unique names,
no escalation loops, no self-lockout)."""
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, IntegerField, PasswordField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget, PasswordInput

from app.http_input import optional_id
from app.models import Role
from app.services.categories import CategoryInput
from app.services.teams import TIERS, TeamInput
from app.services.users import UserInput

PICK_FROM_LIST = "Choose one from the list."


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _length(limit: int) -> Length:
    return Length(max=limit, message=f"Keep it under {limit} characters.")


def _id_select(label: str, **kwargs) -> SelectField:
    """A select of database ids; an id that was not offered is refused next to the field."""
    return SelectField(label, coerce=optional_id, validate_choice=True,
                       invalid_choice_message=PICK_FROM_LIST, invalid_value_message=PICK_FROM_LIST,
                       **kwargs)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserSearchForm(FlaskForm):
    """The GET filters of the user list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField("Search", filters=[_strip], validators=[_length(120)])
    role = SelectField("Role", default="", choices=[("", "Any role")] + [(r.value, r.label) for r in Role],
                       invalid_choice_message=PICK_FROM_LIST)


class UserForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired("Enter a name."), _length(120)])
    email = EmailField("Email", filters=[_strip], validators=[
        DataRequired("Enter an email."), Email("Enter a valid email address."), _length(254)])
    phone = StringField("Phone", filters=[_strip], validators=[
        Optional(), _length(40), Regexp(r"^[0-9+()./\- ext]{5,40}$", message="Use digits, spaces and + ( ) - only.")])
    location = StringField("Location", filters=[_strip], validators=[_length(120)])
    department = StringField("Department", filters=[_strip], validators=[_length(120)])
    manager_id = _id_select("Manager")
    roles = MultiCheckboxField("Roles", choices=[(r.value, r.label) for r in Role],
                               validators=[DataRequired("Choose at least one role.")],
                               invalid_choice_message=PICK_FROM_LIST)
    active = BooleanField("Active (can sign in)", default=True)
    # Shown again after a refused save, to the admin who typed it, so nothing typed is lost.
    password = PasswordField("New password", widget=PasswordInput(hide_value=False),
                             render_kw={"autocomplete": "new-password"}, validators=[_length(200)])

    def set_manager_choices(self, people) -> None:
        self.manager_id.choices = [("", "No manager")] + [(u.id, f"{u.name} ({u.email})") for u in people]

    def to_input(self) -> UserInput:
        return UserInput(email=self.email.data, name=self.name.data, roles=[Role(r) for r in self.roles.data],
                         active=self.active.data, phone=self.phone.data, location=self.location.data,
                         department=self.department.data, manager_id=self.manager_id.data,
                         password=self.password.data)


class TeamForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired("Enter a name."), _length(80)])
    description = TextAreaField("Description", filters=[_strip], validators=[_length(500)])
    tier = SelectField("Tier", coerce=int, choices=[(t, f"Tier {t}") for t in TIERS], default=1,
                       invalid_choice_message="Choose tier 1, 2 or 3.",
                       invalid_value_message="Choose tier 1, 2 or 3.")
    escalation_team_id = _id_select("Escalates to")
    active = BooleanField("Active", default=True)

    def set_escalation_choices(self, teams, this_team=None) -> None:
        self.escalation_team_id.choices = [("", "Nobody (top of the chain)")] + [
            (t.id, f"{t.name} (tier {t.tier})") for t in teams if t is not this_team]

    def to_input(self) -> TeamInput:
        return TeamInput(name=self.name.data, description=self.description.data, tier=self.tier.data,
                         escalation_team_id=self.escalation_team_id.data, active=self.active.data)


class MemberForm(FlaskForm):
    user_id = _id_select("Person")
    is_lead = BooleanField("Team lead")
    # Offered after a refusal: only technicians work a team's queue (services.teams.add_member).
    make_agent = BooleanField("Give them the Technician role")

    def set_people(self, people) -> None:
        self.user_id.choices = [("", "Choose a person…")] + [
            (u.id, f"{u.name} ({u.email})" + ("" if u.is_agent else " · not a technician")) for u in people]


class LeadForm(FlaskForm):
    """Mark (is_lead sent) or unmark (absent) one member as a lead: a one-button form."""

    is_lead = BooleanField()


class ActionForm(FlaskForm):
    """A one-button form: nothing but its CSRF token."""


class CategoryForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired("Enter a name."), _length(80)])
    description = TextAreaField("Description", filters=[_strip], validators=[_length(500)])
    team_id = _id_select("Default team")
    position = IntegerField("Position", default=0, validators=[
        Optional(), NumberRange(0, 10000, "Use a whole number from 0 to 10000.")])
    active = BooleanField("Active (offered on the ticket form)", default=True)

    def set_team_choices(self, teams) -> None:
        self.team_id.choices = [("", "No default team")] + [(t.id, t.name) for t in teams]

    def to_input(self) -> CategoryInput:
        return CategoryInput(name=self.name.data, description=self.description.data,
                             team_id=self.team_id.data, position=self.position.data or 0,
                             active=self.active.data)
