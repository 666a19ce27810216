"""Putting every message of a refused form round next to its field, once.

A service reports by form field name (``services.submissions``); the form's own validation may
already have refused some of those fields. Such a field keeps only the form's message (a title
too long is not also "missing"), and a message for no field of the form is a form error, which
the error summary shows first.
"""
from flask_wtf import FlaskForm

FORM_WIDE = "__all__"


def show_errors(form: FlaskForm, errors: dict[str, list[str]], aliases: dict[str, str] | None = None) -> None:
    """``aliases`` maps a service's name to the form's (a rule's "category" is "category_id")."""
    aliases = {"category": "category_id", **(aliases or {})}
    for name, messages in errors.items():
        key = aliases.get(name, name)
        field = form[key] if key != FORM_WIDE and key in form else None
        if field is None:
            form.form_errors.extend(m for m in messages if m not in form.form_errors)
        elif not field.errors:
            field.errors = list(messages)
