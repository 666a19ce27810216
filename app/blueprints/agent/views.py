"""The technicians' workspace: live queues, the ticket page and its actions, and tickets filed on
someone's behalf.

Every view is for IT staff (role_required(Role.AGENT); admins pass). Actions are Flask-WTF
POSTs: an htmx request gets the updated fragment back, a plain (or boosted) post a flash and a
303 back. Refused actions go through ``refuse()`` (409/403 with the reason).
"""
from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.blueprints.agent import bp
from app.blueprints.agent.queue_table import last_queue_url
from app.blueprints.common import (
    apply_field_errors, get_ticket_or_404, posted_form, refuse, render, role_required,
)
from app.blueprints.form_errors import show_errors
from app.database import begin_write_transaction
from app.extensions import db
from app.forms.agent import (
    AgentTicketForm, AttachForm, ClaimForm, CommentForm, LinkForm, TransitionForm,
)
from app.forms.handoffs import EscalateForm, properties_form
from app.forms.ticket import IMPACT_HINT, URGENCY_HINT
from app.http_input import wants_fragment
from app.models import Attachment, Role, Status, Team, Ticket, User
from app.security import is_safe_next
from app.services import live
from app.services.approvals import ticket_steps
from app.services.attachments import attach_files
from app.services.categories import active_categories
from app.services.catalog import ticket_answers
from app.services.comments import add_comment, visible_comments
from app.services.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from app.services.history import ticket_history
from app.services.lifecycle import available_transitions, transition_ticket
from app.services.assignment import claim_ticket, escalation_of
from app.services.ticket_actions import plan_actions
from app.services.ticket_reads import mark_seen
from app.services.ticket_properties import properties_editable
from app.services.submissions import on_behalf_form
from app.services.tickets import link_tickets, ticket_links
from app.services.users import search_users

TABS = ("conversation", "history")


# Claim from a queue (the queue pages are in queue_views.py) ----------------------------------

@bp.post("/tickets/<number>/claim")
@role_required(Role.AGENT)
def ticket_claim(number: str):
    """Take the ticket; in the queue (htmx) the answer is its row, now showing "You", and a
    "You claimed" notice with a link to it."""
    ticket = get_ticket_or_404(number, need="work")
    back = _back_to(ticket)
    posted_form(ClaimForm)
    try:
        claim_ticket(ticket, current_user)
    except (Conflict, PermissionDenied) as error:
        db.session.rollback()
        return refuse(error, back)
    db.session.commit()
    if wants_fragment():
        return render("agent/_queue_claimed.html", t=ticket, me=current_user._get_current_object())
    flash(f"You claimed {ticket.number}.", "success")
    return redirect(back, 303)


def _back_to(ticket: Ticket) -> str:
    """Where a plain post returns: the page it came from (a local path only), else the ticket."""
    target = request.args.get("next")
    return target if is_safe_next(target) else url_for("agent.ticket_detail", number=ticket.number)


# Ticket page -------------------------------------------------------------------------------

@bp.get("/tickets/<number>")
@role_required(Role.AGENT)
def ticket_detail(number: str):
    """The ticket page; its live part (status and conversation or history) polls here with
    ``since`` and gets 204 while the ticket's version is unchanged."""
    ticket = get_ticket_or_404(number, need="work")
    stamp = live.ticket_stamp(ticket.id)
    if live.unchanged(request.args.get("since"), stamp):
        return "", 204
    response = render("agent/ticket_detail.html", fragment="agent/_ticket_live.html",
                      **_ticket_context(ticket, stamp=stamp, oob=True))
    _mark_seen(current_user.id, ticket.id)
    return response


def _mark_seen(user_id: int, ticket_id: int) -> None:
    """The technician has now seen the ticket as shown (a refresh that brought something new
    included): the queue stops marking its new reply. A GET that writes, so once the page is
    built its read transaction ends and the upsert runs in a short write transaction of its
    own (on SQLite a read transaction cannot safely turn into a write one)."""
    db.session.commit()
    begin_write_transaction()
    mark_seen(user_id, ticket_id)
    db.session.commit()


def _ticket_context(ticket: Ticket, stamp: str | None = None, oob: bool = False, **forms) -> dict:
    """What the ticket page and its fragments show; ``forms`` replaces a fresh form by the one
    just posted, so its errors and typed text come back."""
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "conversation"
    version = str(ticket.version)
    context = dict(
        ticket=ticket, tab=tab, oob=oob, stamp=stamp or live.ticket_stamp(ticket.id), queue_url=last_queue_url(),
        comments=visible_comments(ticket, current_user) if tab == "conversation" else [],
        events=ticket_history(ticket) if tab == "history" else [],
        links=ticket_links(ticket), files=_ticket_files(ticket),
        actions=plan_actions(ticket, current_user, available_transitions(ticket, current_user)),
        claim_form=ClaimForm(), transition_form=TransitionForm(formdata=None, version=version),
        comment_form=CommentForm.for_ticket(ticket),
        properties_form=forms.get("properties_form") or properties_form(ticket, version) if properties_editable(ticket) else None,
        escalate_form=EscalateForm(formdata=None, version=version), escalation=escalation_of(ticket),
        link_form=LinkForm(formdata=None), attach_form=AttachForm(formdata=None),
        answers=ticket_answers(ticket), steps=ticket_steps(ticket))
    context.update(forms)
    return context


def _ticket_files(ticket: Ticket):
    """Files attached to the ticket itself (files on comments show in the conversation)."""
    return db.session.scalars(select(Attachment).where(
        Attachment.ticket_id == ticket.id, Attachment.comment_id.is_(None))
        .order_by(Attachment.created_at)).all()


def _answer(ticket: Ticket, message: str | None = None, status: int = 200, **forms):
    """After an action on the ticket page: htmx gets the ticket fragment (with the posted form
    and its errors when ``status`` is not 200); a plain post a flash and a 303 back, or the page
    with the errors."""
    if status == 200 and not wants_fragment():
        if message:
            flash(message, "success")
        return redirect(url_for("agent.ticket_detail", number=ticket.number), 303)
    return render("agent/ticket_detail.html", fragment="agent/_ticket.html", status=status,
                  **_ticket_context(ticket, **forms))


def _form_refused(ticket: Ticket, error: DomainError, name: str, form):
    """A domain error on a form: next to its field (422), or refused (409/403) for an action."""
    db.session.rollback()
    if error.field_errors or isinstance(error, ValidationFailed):
        apply_field_errors(form, error)
        return _answer(ticket, status=422, **{name: form})
    return refuse(error, url_for("agent.ticket_detail", number=ticket.number))


def _act(number: str, form_class, form_name: str, action, done, make_form=None):
    """The shape of every ticket-page action: load and authorize, validate the form, run the
    one service call ``action(ticket, form)``, commit, answer with ``done(ticket, form)``.
    ``make_form(ticket)`` builds the posted form when its choices depend on the ticket."""
    ticket = get_ticket_or_404(number, need="work")
    form = make_form(ticket) if make_form else form_class()
    if not form.validate():
        return _answer(ticket, status=422, **{form_name: form})
    try:
        action(ticket, form)
    except DomainError as error:
        return _form_refused(ticket, error, form_name, form)
    db.session.commit()
    return _answer(ticket, done(ticket, form))


@bp.post("/tickets/<number>/status")
@role_required(Role.AGENT)
def ticket_status(number: str):
    return _act(number, TransitionForm, "transition_form",
                lambda t, f: transition_ticket(t, Status(f.target.data), current_user, reason=f.reason.data,
                                               expected_version=f.expected_version()),
                lambda t, f: f"{t.number} is now {t.status.label}.")


@bp.post("/tickets/<number>/comments")
@role_required(Role.AGENT)
def ticket_comment(number: str):
    return _act(number, CommentForm, "comment_form",
                lambda t, f: add_comment(t, current_user, f.body.data, internal=f.internal,
                                         files=f.attachments.data),
                lambda t, f: "Internal note added." if f.internal else "Reply sent.",
                make_form=CommentForm.posted_for)


@bp.post("/tickets/<number>/links")
@role_required(Role.AGENT)
def ticket_link(number: str):
    return _act(number, LinkForm, "link_form",
                lambda t, f: link_tickets(t, f.number.data, f.link_type_value(), current_user),
                lambda t, f: "Link added.")


@bp.post("/tickets/<number>/files")
@role_required(Role.AGENT)
def ticket_attach(number: str):
    return _act(number, AttachForm, "attach_form",
                lambda t, f: attach_files(t, current_user, f.attachments.data),
                lambda t, f: "Files attached.")


# Filing a ticket on someone's behalf ------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.AGENT)
def ticket_new():
    """File a ticket for a caller, a walk-in, a chat or IT's own work. Every message of a
    refused form (its fields, the requester, the files, what a submission lacks, the rules)
    comes back in one round; nothing is kept until the ticket is filed."""
    form = AgentTicketForm()
    form.set_category_choices(active_categories())
    form.set_team_choices(db.session.scalars(select(Team).where(Team.active).order_by(Team.name)).all())
    if form.is_submitted():
        can_file = form.validate()
        outcome = on_behalf_form(form.to_input(), form.attachments.data, requester=form.requester,
                                 created_by=current_user, channel=form.channel_value(),
                                 team=form.team, can_file=can_file)
        if can_file and not outcome.errors:
            db.session.commit()
            flash(f"{outcome.ticket.number} created.", "success")
            return redirect(url_for("agent.ticket_detail", number=outcome.ticket.number), 303)
        show_errors(form, outcome.errors)
    status = 422 if form.is_submitted() else 200
    return render("agent/ticket_new.html", status=status, form=form,
                  candidates=_requester_candidates(form), impact_hint=IMPACT_HINT,
                  urgency_hint=URGENCY_HINT)


def _requester_candidates(form: AgentTicketForm) -> list:
    """The people to pick from when the form comes back: matches for what was typed, with the
    one already picked first (so a no-JS user can pick after one round trip)."""
    people = search_users(form.requester_search.data or "")
    picked = form.requester or (db.session.get(User, form.requester_id.data)
                                if form.requester_id.data and not form.requester_id.errors else None)
    if picked is not None:
        people = [picked] + [p for p in people if p.id != picked.id]
    return people


@bp.get("/users/search")
@role_required(Role.AGENT)
def user_search():
    """Radio buttons for the people matching ``q`` (the requester field of the new-ticket form)."""
    query = request.args.get("q", "")
    return render("agent/_requester_results.html", candidates=search_users(query), picked_id=None,
                  query=query)
