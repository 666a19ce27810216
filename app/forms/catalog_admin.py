"""Admin forms of the service catalog: items, form fields, validation rules, and the one-button
move/retire forms. They check shape; services.catalog_admin and services.validation_rules check
meaning (unique names, keys, earlier fields, patterns that compile, defaults valid for the type,
condition values of the field's own kind)."""
import math

from flask_wtf import FlaskForm
from wtforms import (BooleanField, FloatField, HiddenField, IntegerField, RadioField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import AnyOf, DataRequired, NumberRange, Optional

from app.forms.admin import PICK_FROM_LIST, MultiCheckboxField, _id_select, _length, _strip
from app.models import FieldType, Level, RuleKind, TicketType
from app.services.catalog_admin import SETTING_TYPES, FieldInput, ItemInput
from app.services.conditions import OPERATORS, Vocabulary, value_text
from app.services.validation_rules import MAX_CONDITIONS, REQUIRABLE, RuleInput


class _Number(FloatField):
    """A float field whose bad input reads as plain English; "nan" and "inf", which Python's
    float() accepts, are not numbers anyone means as a limit."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a number.") from error
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError("Enter a number.")


class _WholeNumber(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a whole number.") from error


def _enum_select(label: str, enum, blank: str | None = None, **kwargs) -> SelectField:
    choices = ([("", blank)] if blank else []) + [(e.value, e.label) for e in enum]
    return SelectField(label, choices=choices, invalid_choice_message=PICK_FROM_LIST, **kwargs)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ItemForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired("Enter a name."), _length(120)])
    category_id = _id_select("Category")
    summary = StringField("Summary", filters=[_strip], validators=[_length(300)])
    description = TextAreaField("Description", filters=[_strip], validators=[_length(20000)])
    keywords = StringField("Keywords", filters=[_strip], validators=[_length(300)])
    ticket_type = _enum_select("Ticket type", TicketType, default=TicketType.SERVICE_REQUEST.value)
    delivery_days = _WholeNumber("Delivery (business days)", validators=[
        Optional(), NumberRange(0, 365, "Use 0 to 365 days, or leave it empty.")])
    impact = _enum_select("Impact", Level, default=Level.LOW.value)
    urgency = _enum_select("Urgency", Level, default=Level.MEDIUM.value)
    team_id = _id_select("Fulfilment team")
    approval_policy_id = _id_select("Approval")
    active = BooleanField("Active (offered in the catalog)", default=True)

    def set_choices(self, categories, teams, policies) -> None:
        self.category_id.choices = [("", "Choose…")] + [(c.id, c.name) for c in categories]
        self.team_id.choices = [("", "The category's team")] + [(t.id, t.name) for t in teams]
        self.approval_policy_id.choices = [("", "No approval needed")] + [(p.id, p.name) for p in policies]

    def to_input(self) -> ItemInput:
        return ItemInput(name=self.name.data, category_id=self.category_id.data, summary=self.summary.data,
                         description=self.description.data, keywords=self.keywords.data,
                         ticket_type=TicketType(self.ticket_type.data), delivery_days=self.delivery_days.data,
                         impact=Level(self.impact.data), urgency=Level(self.urgency.data),
                         team_id=self.team_id.data, approval_policy_id=self.approval_policy_id.data,
                         active=self.active.data)


class FieldForm(FlaskForm):
    label = StringField("Label", filters=[_strip], validators=[DataRequired("Enter a label."), _length(200)])
    key = StringField("Key", filters=[_strip], validators=[_length(60)])
    # The editor shows only the chosen type's settings, switching as the type changes
    # (static/js/field-settings.js).
    field_type = _enum_select("Type", FieldType, default=FieldType.TEXT.value,
                              render_kw={"data-field-type-control": ""})
    help = StringField("Help text", filters=[_strip], validators=[_length(500)])
    required = BooleanField("Required")
    show_if_key = SelectField("Show only when", default="", invalid_choice_message="Choose a field that comes before this one.")
    show_if_value = StringField("has the answer", filters=[_strip], validators=[_length(200)],
                                render_kw={"list": "show-if-values"})
    pattern = StringField("Pattern (regular expression)", validators=[_length(300)])
    pattern_message = StringField("Message when the pattern does not match", filters=[_strip],
                                  validators=[_length(200)])
    min_value = _Number("Minimum", validators=[Optional()])
    max_value = _Number("Maximum", validators=[Optional()])
    min_length = _WholeNumber("Minimum length", validators=[Optional(), NumberRange(0, 5000, "Use 0 to 5000.")])
    max_length = _WholeNumber("Maximum length", validators=[Optional(), NumberRange(0, 5000, "Use 0 to 5000.")])
    choices = TextAreaField("Options (one per line)", validators=[_length(5000)])
    default = StringField("Default answer", filters=[_strip], validators=[_length(500)])

    def set_controllers(self, fields) -> None:
        """The fields this one may depend on: those above it."""
        self.show_if_key.choices = [("", "Always shown")] + [(f.key, f.label) for f in fields]

    @staticmethod
    def types_of(setting: str) -> str:
        """The types ``setting`` applies to, as the editor's ``data-field-types`` lists them."""
        return " ".join(t.value for t in SETTING_TYPES[setting])

    def applies(self, setting: str) -> bool:
        """Whether ``setting`` means something for the chosen type (an unknown type: it is
        refused on its own, and every setting stays as typed)."""
        chosen = self.field_type.data
        return chosen not in set(FieldType) or FieldType(chosen) in SETTING_TYPES[setting]

    def validate(self, extra_validators=None) -> bool:
        """What was typed into settings the chosen type does not have (the editor hides and
        disables them; a hand-made post may still send them) is dropped, never refused."""
        super().validate(extra_validators)
        for name in SETTING_TYPES:
            if not self.applies(name):
                self[name].errors, self[name].data = [], None
        return not any(f.errors for f in self) and not self.form_errors

    def to_input(self) -> FieldInput:
        return FieldInput(label=self.label.data, key=self.key.data, field_type=FieldType(self.field_type.data),
                          help=self.help.data, required=self.required.data, show_if_key=self.show_if_key.data,
                          show_if_value=self.show_if_value.data, pattern=self.pattern.data,
                          pattern_message=self.pattern_message.data, min_value=self.min_value.data,
                          max_value=self.max_value.data, min_length=self.min_length.data,
                          max_length=self.max_length.data, choices=_lines(self.choices.data),
                          default=self.default.data)


class MoveForm(FlaskForm):
    """One place up or down: the pressed button's value."""

    direction = SelectField(choices=[("up", "Up"), ("down", "Down")], validators=[DataRequired()])


class ActiveForm(FlaskForm):
    """Retire (active absent) or activate (active sent): a one-button form, on the catalog list
    or on the item's page (``origin``, so the answer goes back where it was pressed)."""

    active = BooleanField()
    origin = HiddenField(default="list", validators=[AnyOf(("list", "item"))])


_FIELD_CHOICES = [(name, f"{label} ({name})") for name, label in REQUIRABLE.items()]
_OPERATOR_CHOICES = list(OPERATORS.items())


class RuleForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired("Enter a name."), _length(120)])
    ticket_type = _enum_select("Ticket type", TicketType, blank="Any type")
    category_id = _id_select("Category")
    kind = RadioField("When the conditions hold", choices=[(k.value, k.label) for k in RuleKind],
                      default=RuleKind.REQUIRE.value, invalid_choice_message=PICK_FROM_LIST,
                      validators=[DataRequired("Choose what the rule does.")])
    required_fields = MultiCheckboxField("Fields that must be filled", choices=_FIELD_CHOICES,
                                         invalid_choice_message=PICK_FROM_LIST)
    required_answers = StringField("Form answers that must be filled", filters=[_strip],
                                   validators=[_length(300)])
    approval_policy_id = _id_select("Approval policy")
    # Required, but checked by the service so that its other messages show at the same time.
    message = TextAreaField("Message", filters=[_strip], validators=[_length(500)])
    active = BooleanField("Active", default=True)

    def set_choices(self, categories, policies) -> None:
        self.category_id.choices = [("", "Any category")] + [(c.id, c.name) for c in categories]
        self.approval_policy_id.choices = [("", "Choose…")] + [(p.id, p.name) for p in policies]

    def condition_rows(self) -> list[tuple]:
        """(field, operator, value) form fields of each condition row, for the template."""
        return [(self[f"condition{n}_field"], self[f"condition{n}_op"], self[f"condition{n}_value"])
                for n in range(1, MAX_CONDITIONS + 1)]

    def load_rule(self, conditions: list[dict], required: list[str], vocab: Vocabulary) -> None:
        """Fill the rows and the two "required" inputs from a saved rule (GET of the edit page);
        typed values are shown as the field's own words ("yes", "1 (Critical)", a category)."""
        for (field, op, value), condition in zip(self.condition_rows(), conditions):
            field.data, op.data = condition.get("field", ""), condition.get("op", "eq")
            value.data = value_text(condition, vocab)
        self.required_fields.data = [name for name in required if name in REQUIRABLE]
        self.required_answers.data = ", ".join(name for name in required if name not in REQUIRABLE)

    def scope(self) -> tuple[TicketType | None, int | None]:
        """The type and category the form names, for the fields its conditions can test; what
        is not one of the choices counts as "any" (the save refuses it next to its field)."""
        ticket_type = self.ticket_type.data if self.ticket_type.data in set(TicketType) else None
        category = self.category_id.data if isinstance(self.category_id.data, int) else None
        return (TicketType(ticket_type) if ticket_type else None), category

    def to_input(self) -> RuleInput:
        typed = [n.strip() for n in (self.required_answers.data or "").replace(",", " ").split() if n.strip()]
        return RuleInput(name=self.name.data, kind=RuleKind(self.kind.data), message=self.message.data or "",
                         ticket_type=TicketType(self.ticket_type.data) if self.ticket_type.data else None,
                         category_id=self.category_id.data, active=self.active.data,
                         conditions=[(f.data or "", op.data, v.data or "") for f, op, v in self.condition_rows()],
                         required_fields=list(self.required_fields.data or []) + typed,
                         approval_policy_id=self.approval_policy_id.data)


for _n in range(1, MAX_CONDITIONS + 1):
    setattr(RuleForm, f"condition{_n}_field", StringField(f"Field {_n}", filters=[_strip], validators=[_length(80)],
                                                            render_kw={"list": "rule-fields"}))
    setattr(RuleForm, f"condition{_n}_op", SelectField(f"Operator {_n}", choices=_OPERATOR_CHOICES, default="eq",
                                                       invalid_choice_message=PICK_FROM_LIST))
    setattr(RuleForm, f"condition{_n}_value", StringField(f"Value {_n}", filters=[_strip], validators=[_length(200)]))
