"""The service catalog for employees: browse and search it, fill an item's form (its
conditional fields shown and hidden by htmx), keep it as a draft, submit it.

As in the portal, the answers are saved as a draft before anything can refuse them, so a bad
file or a refused submission never costs the employee what they typed.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.blueprints.common import apply_field_errors, get_draft_or_404, posted_form, render
from app.blueprints.portal.views import DRAFT_CONFLICT
from app.blueprints.catalog import bp
from app.extensions import db
from app.forms.catalog import CatalogItemForm, FieldsRefreshForm
from app.models import CatalogItem, Status, Ticket
from app.services import catalog, permissions, tickets
from app.services.catalog_forms import initial_answers, item_specs, visible_specs
from app.services.errors import Conflict, DomainError, ValidationFailed
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
    if form.validate_on_submit():
        return _save(form, item)
    return _render_item(form, item, status=422 if form.is_submitted() else 200)


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
    if form.validate_on_submit():
        return _save(form, draft.catalog_item, draft)
    return _render_item(form, draft.catalog_item, draft, status=422 if form.is_submitted() else 200)


def _save(form: CatalogItemForm, item: CatalogItem, draft: Ticket | None = None):
    """Save the draft (answers, files), then submit it if asked. A refusal commits the draft
    and shows the form again with each message by its input."""
    specs = item_specs(item)
    try:
        draft = catalog.save_catalog_draft(current_user, item, form.answers(specs),
                                           form.uploads(specs), draft, form.expected_version(),
                                           notes=form.notes.data or "")
    except Conflict:
        form.form_errors.append(DRAFT_CONFLICT)
        form.version.data = draft.version  # saving again now is a deliberate overwrite
        return _render_item(form, item, draft, answers=form.answers(specs), status=409)
    except catalog.FilesRefused as error:
        db.session.commit()
        return _kept_as_draft(form, item, error.draft, error)
    try:
        if form.wants_submit:
            tickets.submit_ticket(draft, current_user)
    except DomainError as error:
        db.session.commit()
        return _kept_as_draft(form, item, draft, error)
    db.session.commit()
    if draft.is_draft:
        flash("Draft saved. Only you can see it until you submit it.", "success")
        return redirect(url_for("catalog.draft_edit", draft_id=draft.id), 303)
    if draft.status == Status.UNDER_REVIEW:
        flash(f"{draft.number} submitted. It now waits for approval; you can follow it here.",
              "success")
    else:
        flash(f"{draft.number} submitted. IT will be in touch here.", "success")
    return redirect(url_for("portal.ticket_detail", number=draft.number), 303)


def _kept_as_draft(form: CatalogItemForm, item: CatalogItem, draft: Ticket, error: DomainError):
    specs = item_specs(item)
    names = {s.name for s in specs}
    answer_errors = {k: v for k, v in error.field_errors.items() if k in names}
    rest = {("notes" if k == "description" else k): v
            for k, v in error.field_errors.items() if k not in names}
    if rest or not answer_errors:
        apply_field_errors(form, ValidationFailed(error.message, rest))
    form.version.data = draft.version
    if form.wants_submit:
        flash("Not submitted yet: see the notes by the fields. What you entered is kept as a "
              "draft.", "warning")
    else:
        flash("Your answers are saved as a draft, but some files were not attached: see the "
              "notes by the files.", "warning")
    response = _render_item(form, item, draft, answers=form.answers(specs), errors=answer_errors,
                            status=error.status_code)
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
