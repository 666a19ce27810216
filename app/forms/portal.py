"""Forms of the employee portal beyond the shared TicketForm: the two-button ticket form, replies,
the requester's status moves and the one-button draft deletion (for its CSRF token)."""
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.forms.ticket import TicketForm
from app.models import Status

SAVE_DRAFT, SUBMIT = "draft", "submit"


class PortalTicketForm(TicketForm):
    """TicketForm plus the pressed button: ``action`` is "draft" or "submit". Anything else (an
    Enter key in a browser that sends no button) saves a draft, which never loses text."""

    action = StringField(default=SAVE_DRAFT)

    @property
    def wants_submit(self) -> bool:
        return self.action.data == SUBMIT


class ReplyForm(FlaskForm):
    """Whether a reply needs text or a file is the comments service's rule, not this form's."""

    body = TextAreaField("Your reply", validators=[
        Optional(), Length(max=20000, message="Keep the reply under 20,000 characters.")])
    attachments = MultipleFileField("Attach files")


class StatusForm(FlaskForm):
    """A requester's move (Confirm resolution, Reopen, Withdraw); the lifecycle decides if it is
    allowed and whether the reason is required."""

    target = HiddenField(validators=[DataRequired("Choose what to do."),
                                     AnyOf([s.value for s in Status], message="Unknown status.")])
    reason = TextAreaField("Reason", validators=[
        Optional(), Length(max=5000, message="Keep the reason under 5,000 characters.")])


class DeleteDraftForm(FlaskForm):
    """No fields: the form exists for its CSRF token."""


class MyTicketsForm(FlaskForm):
    """The GET filters of "My tickets"; a value that was not offered is ignored and reported."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=100, message="Not understood: keep it under 100 characters.")],
                    render_kw={"placeholder": "Number or words from the title", "type": "search"})
    state = SelectField("Show", choices=[("", "All"), ("open", "Open"), ("closed", "Closed")], default="",
                        validate_choice=True, invalid_choice_message="Not understood; showing all.")
    status = SelectField("Status", choices=[("", "Any status")] + [(s.value, s.label) for s in Status
                                                                   if s != Status.DRAFT],
                         default="", validate_choice=True, invalid_choice_message="Not understood; showing any.")

    def value(self, name: str):
        """The field's value if given and understood, else None."""
        field = self[name]
        return field.data if field.data and not field.errors else None

    def text(self) -> str | None:
        return (self.value("q") or "").strip() or None

    def status_value(self) -> Status | None:
        return Status(self.value("status")) if self.value("status") else None

    def args(self) -> dict:
        """The filters as understood, for page, tab and live links."""
        return {name: self.value(name) for name in ("q", "state", "status") if self.value(name)}
