"""What every view does first (load, authorize) and how it answers (page or fragment)."""
from functools import wraps

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.http_input import wants_fragment, wants_json
from app.models import Role, Ticket
from app.services import permissions
from app.services.errors import DomainError


def role_required(*roles: Role):
    """Signed in and holding one of ``roles`` (admins pass every check), else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not current_user.has_role(Role.ADMIN, *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def get_ticket_or_404(number: str, need: str = "view") -> Ticket:
    """The submitted ticket ``number`` if the current user may ``need`` ("view" or "work") it.

    A ticket the user may not see is a 404, not a 403: its existence is not confirmed.
    """
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == number.upper()))
    if ticket is None or not permissions.can_view_ticket(current_user, ticket):
        abort(404)
    if need == "work" and not permissions.can_work_ticket(current_user, ticket):
        abort(403)
    return ticket


def get_draft_or_404(draft_id: int) -> Ticket:
    """The current user's draft. A draft they have since submitted (say, from another tab)
    leads to its ticket page with a word on where to add more, not to a dead end."""
    ticket = db.session.get(Ticket, draft_id)
    if (ticket is not None and not ticket.is_draft and ticket.created_by_id == current_user.id
            and permissions.can_view_ticket(current_user, ticket)):
        flash(f"This draft was already submitted as {ticket.number}; anything new goes in a reply.", "info")
        abort(redirect(url_for("portal.ticket_detail", number=ticket.number), 303))
    if ticket is None or not ticket.is_draft or not permissions.can_view_ticket(current_user, ticket):
        abort(404)
    return ticket


def posted_form(form_class):
    """The posted one-button form (move, delete, claim…), checked: its CSRF token and its value.
    Only a tampered or expired post fails this, so it is a plain 400."""
    form = form_class()
    if not form.validate_on_submit():
        abort(400)
    return form


def render(template: str, fragment: str | None = None, status: int = 200, **context):
    """The full page, or only ``fragment`` (an included template) for an htmx request that is
    not a boosted navigation nor a history restore (htmx reloading a pushed URL after a cache
    miss wants the whole page): one source of markup for both."""
    if fragment and wants_fragment():
        return make_response(render_template(fragment, **context), status)
    return make_response(render_template(template, **context), status)


def apply_field_errors(form, error: DomainError) -> None:
    """Put a service's field errors next to the form's fields; the rest becomes a form error."""
    for name, messages in error.field_errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors or []) + list(messages)
        else:
            form.form_errors.extend(messages)
    if not error.field_errors:
        form.form_errors.append(error.message)


def refuse(error: DomainError, back_to: str):
    """A refused action: JSON or htmx get the status and the reason; a plain form post gets a
    flash and a redirect back (303)."""
    if wants_json():
        return jsonify(error=error.message, fields=error.field_errors), error.status_code
    if request.htmx:
        response = make_response(render_template("_flashes.html", messages=[("error", error.message)]),
                                 error.status_code)
        response.headers["HX-Retarget"] = "#flashes"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    flash(error.message, "error")
    return redirect(back_to, 303)
