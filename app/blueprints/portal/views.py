"""The employee portal: report or request, keep drafts, follow one's own tickets live.

Whatever an employee typed is saved as a draft before anything else can fail (bad files, a
submission that lacks something), so a refusal never costs them their text; a blank form makes
no draft. Every message of a refused form comes back in one round (``services.submissions``).
"""
from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.blueprints.common import (
    apply_field_errors, get_draft_or_404, get_ticket_or_404, refuse, render,
)
from app.blueprints.form_errors import show_errors
from app.blueprints.portal import bp
from app.extensions import db
from app.forms.portal import DeleteDraftForm, MyTicketsForm, PortalTicketForm, ReplyForm, StatusForm
from app.forms.ticket import IMPACT_HINT, URGENCY_HINT
from app.http_input import query_int
from app.models import Attachment, Status, Ticket
from app.services import approvals, catalog, comments, lifecycle, live, submissions, tickets
from app.services.categories import active_categories
from app.services.errors import Conflict, DomainError, ValidationFailed
from app.services.my_tickets import my_tickets_query, rejected_ids

PAGE_SIZE = 25
DRAFT_CONFLICT = ("This draft was saved in another tab or window meanwhile. Your text is below: "
                  "save again to keep it, or open the draft afresh to see the other version.")


# --- My tickets -------------------------------------------------------------------------------

@bp.get("/my")
@login_required
def my_tickets():
    """Newest activity first, narrowed by state, status and a search over number and title;
    the table polls and gets 204 while none of the tickets changed."""
    stamp = live.requester_stamp(current_user)
    if live.unchanged(request.args.get("since"), stamp):
        return "", 204
    form = MyTicketsForm(formdata=request.args)
    form.validate()
    query = my_tickets_query(current_user, form.text(), form.value("state"), form.status_value())
    page = db.paginate(query, page=query_int("page", 1), per_page=PAGE_SIZE, error_out=False)
    return render("portal/my_tickets.html", fragment="portal/_my_tickets.html",
                  status=400 if form.errors else 200, page=page, form=form, args=form.args(),
                  rejected=rejected_ids(page.items), stamp=stamp, draft_count=_draft_count())


def _my_drafts():
    return select(Ticket).where(Ticket.created_by_id == current_user.id,
                                Ticket.status == Status.DRAFT)


def _draft_count() -> int:
    return db.session.scalar(select(func.count()).select_from(_my_drafts().subquery()))


# --- New ticket and drafts ----------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@login_required
def ticket_new():
    form = _ticket_form(contact_phone=current_user.phone)
    if form.is_submitted():
        return _save_ticket_form(form)
    return _render_form(form)


@bp.get("/drafts")
@login_required
def drafts():
    rows = db.session.scalars(_my_drafts().options(joinedload(Ticket.category))
                              .order_by(Ticket.updated_at.desc(), Ticket.id.desc()))
    return render("portal/drafts.html", drafts=list(rows))


@bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@login_required
def draft_edit(draft_id: int):
    draft = get_draft_or_404(draft_id)
    if draft.catalog_item_id is not None:  # a catalog draft has its item's form
        return redirect(url_for("catalog.draft_edit", draft_id=draft.id), 303)
    form = _ticket_form(obj=draft)
    if form.is_submitted():
        return _save_ticket_form(form, draft)
    return _render_form(form, draft)


@bp.post("/drafts/<int:draft_id>/delete")
@login_required
def draft_delete(draft_id: int):
    draft = get_draft_or_404(draft_id)
    if DeleteDraftForm().validate_on_submit():
        try:
            tickets.delete_draft(draft, current_user)
        except DomainError as error:
            return refuse(error, url_for("portal.drafts"))
        db.session.commit()
        flash("Draft deleted.", "success")
    return redirect(url_for("portal.drafts"), 303)


def _ticket_form(**kwargs) -> PortalTicketForm:
    form = PortalTicketForm(**kwargs)
    form.set_category_choices(active_categories())
    return form


def _save_ticket_form(form: PortalTicketForm, draft: Ticket | None = None):
    """One round: the form's checks, the files and (for "Submit") the submission all run, and
    their messages come back together by their fields. What was typed is saved as a draft
    first when the form takes it, and committed even when the files or the submission are
    refused."""
    can_save = form.validate()
    try:
        outcome = submissions.portal_form(
            current_user, form.to_input(), form.attachments.data, draft=draft,
            expected_version=form.expected_version(), submit=form.wants_submit, can_save=can_save)
    except Conflict:
        form.form_errors.append(DRAFT_CONFLICT)
        form.version.data = draft.version  # saving again now is a deliberate overwrite
        return _render_form(form, draft, status=409)
    show_errors(form, outcome.errors)
    if not can_save or outcome.errors:
        return _refused(form, outcome, draft)
    db.session.commit()
    saved = outcome.ticket
    if saved.is_draft:
        flash("Draft saved. Only you can see it until you submit it.", "success")
        return redirect(url_for("portal.draft_edit", draft_id=saved.id), 303)
    flash(f"{saved.number} submitted. IT will be in touch here.", "success")
    return redirect(url_for("portal.ticket_detail", number=saved.number), 303)


def _refused(form: PortalTicketForm, outcome: submissions.Outcome, draft: Ticket | None):
    """The form again with every message; the draft, if one was saved, committed and named."""
    if outcome.ticket is None:  # nothing was saved
        return _render_form(form, draft, status=outcome.status)
    db.session.commit()
    draft = outcome.ticket
    form.version.data = draft.version
    if form.wants_submit:
        flash("Not submitted yet. What you wrote is kept as a draft.", "warning")
    else:
        flash("Your text is saved as a draft, but the files were not attached.", "warning")
    response = _render_form(form, draft, status=outcome.status)
    # A boosted post to /new now shows a saved draft: let the address bar say where it lives.
    response.headers["HX-Replace-Url"] = url_for("portal.draft_edit", draft_id=draft.id)
    return response


def _render_form(form: PortalTicketForm, draft: Ticket | None = None, status: int = 200):
    return render("portal/ticket_form.html", status=status, form=form, draft=draft,
                  files=_ticket_files(draft) if draft else [],
                  impact_hint=IMPACT_HINT, urgency_hint=URGENCY_HINT)


def _ticket_files(ticket: Ticket) -> list[Attachment]:
    """Files on the ticket itself; files sent with a reply are shown in the conversation."""
    return list(db.session.scalars(
        select(Attachment).where(Attachment.ticket_id == ticket.id, Attachment.comment_id.is_(None))
        .order_by(Attachment.id)))


# --- One ticket ------------------------------------------------------------------------------

@bp.get("/tickets/<number>")
@login_required
def ticket_detail(number: str):
    """The requester's view; its live part polls and gets 204 while the ticket is unchanged."""
    ticket = get_ticket_or_404(number)
    stamp = live.ticket_stamp(ticket.id)
    if live.unchanged(request.args.get("since"), stamp):
        return "", 204
    return _render_detail(ticket, ReplyForm(), stamp=stamp)


@bp.post("/tickets/<number>/reply")
@login_required
def ticket_reply(number: str):
    ticket = get_ticket_or_404(number)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _render_detail(ticket, form, status=422)
    try:
        comments.add_comment(ticket, current_user, form.body.data, files=form.attachments.data)
    except DomainError as error:
        db.session.rollback()  # the half-made reply must not show in the page we answer with
        apply_field_errors(form, error)
        return _render_detail(ticket, form, status=error.status_code)
    db.session.commit()
    flash("Reply sent.", "success")
    return redirect(url_for("portal.ticket_detail", number=ticket.number), 303)


@bp.post("/tickets/<number>/status")
@login_required
def ticket_status(number: str):
    """Confirm resolution, reopen, withdraw: whatever the lifecycle offers this user now."""
    ticket = get_ticket_or_404(number)
    back = url_for("portal.ticket_detail", number=ticket.number)
    form = StatusForm()
    if not form.validate_on_submit():
        messages = [m for errors in form.errors.values() for m in errors]
        return refuse(ValidationFailed(" ".join(messages), form.errors), back)
    try:
        lifecycle.transition_ticket(ticket, Status(form.target.data), current_user,
                                    reason=form.reason.data)
    except DomainError as error:
        return refuse(error, back)
    db.session.commit()
    flash(f"{ticket.number} is now {ticket.status.label}.", "success")
    return redirect(back, 303)


def _render_detail(ticket: Ticket, reply_form: ReplyForm, status: int = 200, stamp: str | None = None):
    return render("portal/ticket_detail.html", fragment="portal/_ticket_live.html", status=status,
                  ticket=ticket, stamp=stamp or live.ticket_stamp(ticket.id),
                  comments=comments.visible_comments(ticket, current_user),
                  files=_ticket_files(ticket), reply_form=reply_form,
                  transitions=lifecycle.available_transitions(ticket, current_user),
                  answers=catalog.ticket_answers(ticket), steps=approvals.ticket_steps(ticket))
