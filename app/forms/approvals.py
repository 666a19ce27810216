"""Approval forms: an approver's decision, and the admin's approval policy with its steps.

They check shape (a decision that is one of the two, lengths, ids that were offered); the
services decide policy (a rejection needs a reason, a step needs approvers, names are unique)."""
from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField,
                     RadioField, SelectField, SelectMultipleField, StringField, SubmitField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms.admin import PICK_FROM_LIST, MultiCheckboxField
from app.http_input import optional_id
from app.models import ApproverKind, Decision, Role, StepMode
from app.services.approval_policies import PolicyInput, StepInput

MAX_STEPS = 20


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DecisionForm(FlaskForm):
    """Approve (comment optional) or reject (reason required, checked by the service)."""

    decision = SelectField(choices=[(d.value, d.value) for d in Decision], validate_choice=True,
                           validators=[DataRequired("Approve or reject.")],
                           invalid_choice_message="Approve or reject.")
    comment = TextAreaField("Comment", filters=[_strip], validators=[
        Length(max=5000, message="Keep it under 5,000 characters.")])
    origin = HiddenField(default="inbox")

    def decision_value(self) -> Decision:
        return Decision(self.decision.data)

    def came_from_inbox(self) -> bool:
        return self.origin.data != "step"


def _ids(label: str) -> SelectMultipleField:
    return SelectMultipleField(label, coerce=optional_id, validate_choice=True,
                               invalid_choice_message=PICK_FROM_LIST, invalid_value_message=PICK_FROM_LIST)


class StepForm(Form):
    """One step of a policy (a sub-form: the policy form carries the CSRF token)."""

    name = StringField("Step name", filters=[_strip], validators=[Length(max=120, message="Keep it under 120 characters.")])
    mode = RadioField("Who must approve", default=StepMode.ANY.value,
                      choices=[(m.value, m.label) for m in StepMode],
                      validators=[DataRequired("Choose any one or all.")])
    users = _ids("People")
    roles = MultiCheckboxField("Everyone with the role", choices=[(r.value, r.label) for r in Role],
                               invalid_choice_message=PICK_FROM_LIST)
    manager = BooleanField("The requester's manager")
    teams = _ids("The leads of")
    position = IntegerField("Order", validators=[
        Optional(), NumberRange(1, 50, "Use a whole number from 1 to 50.")])
    remove = BooleanField("Remove this step")

    def approver_specs(self) -> list[dict]:
        specs = [{"kind": ApproverKind.USER.value, "user_id": uid} for uid in self.users.data or []]
        specs += [{"kind": ApproverKind.ROLE.value, "role": r} for r in self.roles.data or []]
        if self.manager.data:
            specs.append({"kind": ApproverKind.MANAGER.value})
        specs += [{"kind": ApproverKind.TEAM_LEAD.value, "team_id": tid} for tid in self.teams.data or []]
        return specs


class PolicyForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[
        DataRequired("Enter a name."), Length(max=120, message="Keep it under 120 characters.")])
    description = TextAreaField("Description", filters=[_strip], validators=[
        Length(max=500, message="Keep it under 500 characters.")])
    active = BooleanField("Active (items and rules that use it ask for approval)", default=True)
    steps = FieldList(FormField(StepForm), min_entries=1, max_entries=MAX_STEPS)
    add_step = SubmitField("Add a step")  # re-shows the form with one more blank step, saves nothing

    def wants_another_step(self) -> bool:
        return bool(self.add_step.data) and len(self.steps) < MAX_STEPS

    def set_choices(self, people, teams) -> None:
        """Offer active people and teams to every step (the choices validate what comes back)."""
        for entry in self.steps:
            entry.form.users.choices = [(u.id, f"{u.name} ({u.email})") for u in people]
            entry.form.teams.choices = [(t.id, t.name) for t in teams]

    def kept_entries(self) -> list:
        """The steps not marked for removal, in the order asked for (then as listed)."""
        kept = [(e.form.position.data or i + 1, i, e) for i, e in enumerate(self.steps) if not e.form.remove.data]
        return [e for _, _, e in sorted(kept, key=lambda t: (t[0], t[1]))]

    def to_input(self) -> PolicyInput:
        entries = self.kept_entries()
        self._entries = entries
        return PolicyInput(name=self.name.data, description=self.description.data or "",
                           active=self.active.data,
                           steps=[StepInput(name=e.form.name.data or "", mode=StepMode(e.form.mode.data),
                                            approvers=e.form.approver_specs()) for e in entries])

    def apply_errors(self, field_errors: dict[str, list[str]]) -> None:
        """Put the service's messages next to their fields; ``steps-<n>-<field>`` names the n-th
        step of the saved input, mapped back to the row the admin sees."""
        for key, messages in field_errors.items():
            if key.startswith("steps-") and key.count("-") == 2:
                _, index, name = key.split("-")
                entries = getattr(self, "_entries", list(self.steps))
                target = getattr(entries[int(index)].form, name, None) if int(index) < len(entries) else None
            else:
                target = None if key == "steps" else getattr(self, key, None)
            if target is None:
                self.form_errors.extend(messages)
            else:
                target.errors = list(target.errors or []) + list(messages)
