"""Forms of the catalog. An item's questions are defined by admins, not by a form class: their
inputs (``q_<key>``) are read and checked by ``services.catalog_forms``; these forms carry the
CSRF token, the pressed button, the draft's version and the free-text "Anything else?"."""
from flask import request
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.forms.portal import SAVE_DRAFT, SUBMIT
from app.forms.ticket import VersionedForm
from app.models import FieldType
from app.services.catalog_forms import FieldSpec, read_answers


class AnswersForm(FlaskForm):
    """A form whose posted data also holds an item's answers."""

    def answers(self, specs: list[FieldSpec]) -> dict:
        return read_answers(specs, request.form)

    def uploads(self, specs: list[FieldSpec]) -> dict:
        return {s.key: request.files.getlist(s.name) for s in specs if s.type == FieldType.FILE}


class CatalogItemForm(AnswersForm, VersionedForm):
    """``action`` is "draft" or "submit"; anything else saves a draft, which never loses text."""

    notes = TextAreaField("Anything else?", validators=[
        Optional(), Length(max=20000, message="Keep it under 20,000 characters.")])
    action = StringField(default=SAVE_DRAFT)

    @property
    def wants_submit(self) -> bool:
        return self.action.data == SUBMIT



class FieldsRefreshForm(AnswersForm):
    """The conditional-fields refresh: only the CSRF token and the answers."""
