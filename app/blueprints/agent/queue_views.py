"""The agent queues and their saved views.

The queue's filters and sort live in the URL, so a queue can be shared, bookmarked and saved
as a named view (a view stores that query string). The table and the views sidebar each poll
with the stamp they were rendered at and get 204 while nothing they show changed.
"""
from urllib.parse import parse_qsl

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app.blueprints.agent import bp
from app.blueprints.agent.queue_table import QueueChoices, bulk_form, remember_queue, table_context
from app.blueprints.common import apply_field_errors, posted_form, render, role_required
from app.extensions import db
from app.forms.queues import DeleteViewForm, QueueViewForm, RenameViewForm
from app.http_input import wants_fragment
from app.models import QueueView, Role, Team
from app.services import live, queue_views, queues
from app.services.errors import DomainError
from app.services.permissions import can_manage_queue_view, can_publish_queue_views
from app.services.teams import all_teams
from app.sessions import answer_unchanged_polls


def _sidebar(current_query: str | None, choices: QueueChoices | None = None) -> dict:
    """The views the user sees, each with its bounded count, and the sidebar's live stamp.
    Without ``choices`` only the names (the queue page's first paint: the sidebar fetches its
    counts as soon as it loads, so the queue itself never waits for them)."""
    me = current_user._get_current_object()
    items = []
    for view in queue_views.visible_views(me):
        form = choices.form(MultiDict(parse_qsl(view.query))) if choices else None
        items.append((view, queues.count_view(me, form.chosen_view(), form.filters()) if form else None))
    return {"saved_views": items, "views_stamp": SIDEBAR_STAMP.read() if choices else "",
            "current_query": current_query}


# The sidebar's counts move with the tickets, its names with the views.
SIDEBAR_STAMP = live.TICKETS | queue_views.VIEWS


@bp.get("/")
@answer_unchanged_polls(live.TICKETS, Role.AGENT)
@role_required(Role.AGENT)
def queue():
    """A queue tab. A live refresh whose stamp is unchanged gets 204 after one statement (the
    session's row and the stamp), before the user is loaded."""
    choices = QueueChoices()
    table = table_context(choices, request.args, with_tab_counts=True)
    form = table["form"]
    is_table = wants_fragment()
    sidebar = {} if is_table else _sidebar(form.query())
    if not is_table:
        remember_queue(table["args"], table["page"].page)
    return render("agent/queue.html", fragment="agent/_queue_table.html",
                  status=400 if form.filter_errors() else 200,
                  save_form=_save_form(form.query()), bulk_form=bulk_form(choices), **sidebar, **table)


def _save_form(query: str, formdata=None) -> QueueViewForm:
    form = QueueViewForm(formdata=formdata, query=query)
    may_publish = can_publish_queue_views(current_user)
    form.set_audience_choices(all_teams() if may_publish else [], may_publish)
    return form


@bp.get("/views")
@answer_unchanged_polls(SIDEBAR_STAMP, Role.AGENT)
@role_required(Role.AGENT)
def queue_views_list():
    """The saved views: a page to rename and delete them; for htmx, the sidebar that polls
    (204 while unchanged, as the queue's poll)."""
    return _views_page()


def _views_page(status: int = 200, refused: dict | None = None):
    """``refused``: {view id: the reason its rename was refused}, shown next to its form."""
    return render("agent/queue_views.html", fragment="agent/_queue_views_nav.html", status=status,
                  delete_form=DeleteViewForm(), can_manage=can_manage_queue_view, refused=refused or {},
                  cap=queues.COUNT_CAP, **_sidebar(request.args.get("current"), QueueChoices()))


@bp.post("/views")
@role_required(Role.AGENT)
def queue_view_create():
    """Save the posted queue query as a view, then open it (303)."""
    form = _save_form("", formdata=request.form)
    if form.validate():
        try:
            view = queue_views.create_view(current_user, form.name.data, _clean_query(form.query.data),
                                           **_audience(form))
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
            return _refused_save(form, error.status_code)
        db.session.commit()
        flash(f"Saved the view “{view.name}”.", "success")
        return redirect(_view_url(view), 303)
    return _refused_save(form, 422)


def _clean_query(query: str) -> str:
    """What is saved is the query as the filter form understands it: a hand-made post cannot
    store values the queue would not accept."""
    return QueueChoices().form(MultiDict(parse_qsl(query or ""))).query()


def _audience(form: QueueViewForm) -> dict:
    kind, value = form.audience_value()
    if kind == "team":
        return {"team": db.session.get(Team, int(value)) or abort(422)}
    return {"role": Role(value)} if kind == "role" else {}


def _refused_save(form: QueueViewForm, status: int):
    """The save form with its errors, on the views page (the queue it came from is one click away)."""
    return render("agent/queue_view_save.html", status=status, save_form=form)


def _view_url(view: QueueView) -> str:
    return url_for("agent.queue") + (f"?{view.query}" if view.query else "")


def _manageable_view_or_404(view_id: int) -> QueueView:
    """A view the user sees is 404 if missing or not theirs to see, 403 if not theirs to change."""
    view = db.session.get(QueueView, view_id)
    me = current_user._get_current_object()
    if view is None or view not in queue_views.visible_views(me):
        abort(404)
    if not can_manage_queue_view(me, view):
        abort(403)
    return view


@bp.post("/views/<int:view_id>")
@role_required(Role.AGENT)
def queue_view_rename(view_id: int):
    view = _manageable_view_or_404(view_id)
    form = RenameViewForm()
    if not form.validate():
        return _views_page(422, {view.id: " ".join(form.name.errors)})
    try:
        queue_views.rename_view(view, current_user, form.name.data)
    except DomainError as error:
        db.session.rollback()
        return _views_page(error.status_code, {view.id: error.field_errors.get("name", [error.message])[0]})
    db.session.commit()
    flash(f"Renamed to “{view.name}”.", "success")
    return redirect(url_for("agent.queue_views_list"), 303)


@bp.post("/views/<int:view_id>/delete")
@role_required(Role.AGENT)
def queue_view_delete(view_id: int):
    view = _manageable_view_or_404(view_id)
    posted_form(DeleteViewForm)
    name = view.name
    queue_views.delete_view(view, current_user)
    db.session.commit()
    flash(f"Deleted the view “{name}”.", "success")
    return redirect(url_for("agent.queue_views_list"), 303)
