"""The service catalog for employees: browse and search it, fill an item's form (its
conditional fields shown and hidden by htmx), keep it as a draft, submit it.

As in the portal, the answers are saved as a draft before anything can refuse them, so a bad
file or a refused submission never costs the employee what they typed; an untouched form makes
no draft, and every message of a refused form comes back in one round.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.blueprints.common import get_draft_or_404, posted_form, render
from app.blueprints.form_errors import show_errors
from app.blueprints.portal.views import DRAFT_CONFLICT
from app.blueprints.catalog import bp
from app.extensions import db
from app.forms.catalog import CatalogItemForm, FieldsRefreshForm
from app.models import CatalogItem, Status, Ticket
from app.services import catalog, permissions, submissions
from app.services.catalog_forms import initial_answers, item_specs, visible_specs
from app.services.errors import Conflict
from app.services.users import search_users


@bp.get("/")
@login_required
def index():
    """Every offered item by category; the search box asks again for the results alone."""
    query = request.args.get("q", "").strip()
    return render("catalog/index.html", fragment="catalog/_results.html",
                  groups=catalog.browse(query), query=query)


@bp.get("/people")
@login_required
def people():
    """Suggestions for a person field: its email input sends its own value (``q_<field>``)."""
    key = request.args.get("field", "")
    query = request.args.get("q") or request.args.get(f"q_{key}", "")
    return render_template("catalog/_people.html", key=key, people=search_users(query))


def _item_or_404(item_id: int, retired_ok: bool = False) -> CatalogItem:
    """An offered item; a retired one only where ``retired_ok`` and for an admin."""
    item = db.session.get(CatalogItem, item_id)
    if item is None or not (catalog.is_offered(item)
                            or (retired_ok and permissions.is_admin(current_user))):
        abort(404)
    return item


@bp.route("/<int:item_id>", methods=["GET", "POST"])
@login_required
def item(item_id: int):
    item = _item_or_404(item_id)
    form = CatalogItemForm()
    if form.is_submitted():
        return _save(form, item)
    return _render_item(form, item)


@bp.post("/<int:item_id>/fields")
@login_required
def item_form_fields(item_id: int):
    """Which conditional fields the answers posted so far show: their markers alone, out of band
    by their ids, so that no input (least of all the one being typed into) is replaced while
    the server stays the one judge of conditions. Also the admin preview's refresh, hence
    retired items for admins."""
    item = _item_or_404(item_id, retired_ok=True)
    form = posted_form(FieldsRefreshForm)
    specs = item_specs(item)
    return render_template("catalog/_conditions.html", specs=specs,
                           visible=_visible(specs, form.answers(specs)))


@bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@login_required
def draft_edit(draft_id: int):
    draft = get_draft_or_404(draft_id)
    if draft.catalog_item is None or draft.created_by_id != current_user.id:
        abort(404)
    form = CatalogItemForm(notes=draft.description, version=draft.version)
    if form.is_submitted():
        return _save(form, draft.catalog_item, draft)
    return _render_item(form, draft.catalog_item, draft)


def _save(form: CatalogItemForm, item: CatalogItem, draft: Ticket | None = None):
    """One round: the form's checks, the answers, the files and (for "Submit") the validation
    rules all run and come back together, each message by its input. The answers are saved
    as a draft first when the form takes them, and committed even when refused."""
    can_save = form.validate()
    specs = item_specs(item)
    answers = form.answers(specs)
    try:
        outcome = submissions.catalog_form(
            current_user, item, answers, form.uploads(specs), draft=draft,
            expected_version=form.expected_version(), notes=form.valid("notes") or "",
            submit=form.wants_submit, can_save=can_save)
    except Conflict:
        form.form_errors.append(DRAFT_CONFLICT)
        form.version.data = draft.version  # saving again now is a deliberate overwrite
        return _render_item(form, item, draft, answers=answers, status=409)
    if not can_save or outcome.errors:
        return _refused(form, item, draft, outcome, answers)
    db.session.commit()
    saved = outcome.ticket
    if saved.is_draft:
        flash("Draft saved. Only you can see it until you submit it.", "success")
        return redirect(url_for("catalog.draft_edit", draft_id=saved.id), 303)
    if saved.status == Status.UNDER_REVIEW:
        flash(f"{saved.number} submitted. It now waits for approval; you can follow it here.",
              "success")
    else:
        flash(f"{saved.number} submitted. IT will be in touch here.", "success")
    return redirect(url_for("portal.ticket_detail", number=saved.number), 303)


def _refused(form: CatalogItemForm, item: CatalogItem, draft: Ticket | None,
             outcome: submissions.Outcome, answers: dict):
    """The form again with every message: the answers' by their inputs, the rest on the form
    (a rule about the description is about "Anything else?"). A saved draft is committed."""
    names = {s.name for s in item_specs(item)}
    answer_errors = {k: v for k, v in outcome.errors.items() if k in names}
    show_errors(form, {k: v for k, v in outcome.errors.items() if k not in names},
                aliases={"description": "notes"})
    if outcome.ticket is None:  # nothing was saved
        return _render_item(form, item, draft, answers=answers, errors=answer_errors,
                            status=outcome.status)
    db.session.commit()
    draft = outcome.ticket
    form.version.data = draft.version
    if form.wants_submit:
        flash("Not submitted yet. What you entered is kept as a draft.", "warning")
    else:
        flash("Your answers are saved as a draft, but some files were not attached.", "warning")
    response = _render_item(form, item, draft, answers=answers, errors=answer_errors,
                            status=outcome.status)
    response.headers["HX-Push-Url"] = url_for("catalog.draft_edit", draft_id=draft.id)
    return response


def _visible(specs, answers) -> set[str]:
    return {s.key for s in visible_specs(specs, answers)}


def _render_item(form: CatalogItemForm, item: CatalogItem, draft: Ticket | None = None,
                 answers: dict | None = None, errors: dict | None = None, status: int = 200):
    """The item page. Answers: as posted, else the draft's, else the defaults."""
    specs = item_specs(item)
    if answers is None:
        answers = form.answers(specs) if form.is_submitted() else {
            **initial_answers(specs), **(catalog.draft_answers(draft) if draft else {})}
    stored = catalog.stored_files(draft, specs, catalog.draft_answers(draft)) if draft else {}
    return render("catalog/item.html", status=status, item=item, form=form, draft=draft,
                  specs=specs, answers=answers, errors=errors or {}, stored=stored,
                  visible=_visible(specs, answers), steps=catalog.approval_steps(item.approval_policy))
