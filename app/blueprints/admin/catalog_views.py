"""Admin pages of the service catalog: items (ordered within their category, retired rather
than deleted), each item's form fields, and a preview of the form as employees see it."""
from flask import abort, flash, redirect, request, url_for

from app.blueprints.admin import bp
from app.blueprints.admin.views import _form_page
from app.blueprints.common import apply_field_errors, posted_form, refuse, render, role_required
from app.extensions import db
from app.forms.admin import ActionForm
from app.forms.catalog_admin import ActiveForm, FieldForm, ItemForm, MoveForm
from app.models import CatalogItem, FormField
from app.services import catalog_admin, catalog_forms, categories, teams
from app.services.errors import ValidationFailed


@bp.get("/catalog")
@role_required()
def catalog_list():
    return render("admin/catalog_list.html", fragment="admin/_catalog_items.html", **_list_context())


def _list_context() -> dict:
    return dict(groups=catalog_admin.items_by_category(), move_form=MoveForm(formdata=None),
                active_form=ActiveForm(formdata=None))


@bp.route("/catalog/items/new", methods=["GET", "POST"])
@role_required()
def catalog_item_new():
    """A new item starts inactive and leads to its own page, where its fields are added next."""
    form = _item_form(None)
    return _form_page(form, lambda data: catalog_admin.save_item(None, data),
                      lambda item: url_for("admin.catalog_item_edit", item_id=item.id),
                      "admin/catalog_item_form.html", item=None)


@bp.route("/catalog/items/<int:item_id>", methods=["GET", "POST"])
@role_required()
def catalog_item_edit(item_id: int):
    """The item's settings and, below them, its form fields in order (the fragment that the
    field moves answer with)."""
    item = db.get_or_404(CatalogItem, item_id)
    form = _item_form(item)
    return _form_page(form, lambda data: catalog_admin.save_item(item, data),
                      url_for("admin.catalog_item_edit", item_id=item.id), "admin/catalog_item_form.html",
                      fragment="admin/_catalog_fields.html", **_fields_context(item))


def _item_form(item: CatalogItem | None) -> ItemForm:
    form = ItemForm(obj=item)
    offered = categories.active_categories()
    if item is not None and item.category not in offered:
        offered.append(item.category)
    policies = catalog_admin.active_policies()
    if item is not None and item.approval_policy and item.approval_policy not in policies:
        policies.append(item.approval_policy)
    form.set_choices(offered, teams.all_teams(), policies)
    return form


def _fields_context(item: CatalogItem) -> dict:
    return dict(item=item, move_form=MoveForm(formdata=None), delete_form=ActionForm(formdata=None),
                active_form=ActiveForm(formdata=None, origin="item"),
                not_ready=catalog_admin.activation_error(item))


@bp.post("/catalog/items/<int:item_id>/move")
@role_required()
def catalog_item_move(item_id: int):
    item = db.get_or_404(CatalogItem, item_id)
    form = posted_form(MoveForm)
    catalog_admin.move_item(item, form.direction.data)
    db.session.commit()
    return _back_to_list()


@bp.post("/catalog/items/<int:item_id>/active")
@role_required()
def catalog_item_active(item_id: int):
    """Retire or activate, from the list or from the item's page (the form says which, to
    answer where it was pressed); activating an item that is not ready is refused with why."""
    item = db.get_or_404(CatalogItem, item_id)
    form = posted_form(ActiveForm)
    on_item = form.origin.data == "item"
    item_page = url_for("admin.catalog_item_edit", item_id=item.id)
    try:
        catalog_admin.set_item_active(item, form.active.data)
    except ValidationFailed as error:
        db.session.rollback()
        return refuse(error, item_page if on_item else url_for("admin.catalog_list"))
    db.session.commit()
    if on_item:
        flash(f"{item.name} is {'now offered in the catalog' if item.active else 'retired'}.", "success")
        return redirect(item_page, 303)
    return _back_to_list()


def _back_to_list():
    """htmx gets the list fragment in place; a plain post a redirect to the list."""
    if request.htmx:
        return render("admin/catalog_list.html", fragment="admin/_catalog_items.html", **_list_context())
    return redirect(url_for("admin.catalog_list"), 303)


# --- Fields ---------------------------------------------------------------------------------------

@bp.route("/catalog/items/<int:item_id>/fields/new", methods=["GET", "POST"])
@role_required()
def catalog_field_new(item_id: int):
    item = db.get_or_404(CatalogItem, item_id)
    return _field_page(item, None, FieldForm())


@bp.route("/catalog/items/<int:item_id>/fields/<int:field_id>", methods=["GET", "POST"])
@role_required()
def catalog_field_edit(item_id: int, field_id: int):
    item, form_field = _field_or_404(item_id, field_id)
    form = FieldForm(obj=form_field)
    if not form.is_submitted():
        form.choices.data = "\n".join(catalog_forms.spec_from_field(form_field).choices)
    return _field_page(item, form_field, form)


def _field_page(item: CatalogItem, form_field: FormField | None, form: FieldForm):
    controllers = catalog_admin.earlier_fields(item, form_field)
    form.set_controllers(controllers)
    if form.validate_on_submit():
        try:
            saved = catalog_admin.save_field(item, form_field, form.to_input())
        except ValidationFailed as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(f"Saved the field {saved.label}.", "success")
            return redirect(url_for("admin.catalog_item_edit", item_id=item.id) + "#item-fields", 303)
    return render("admin/field_form.html", status=422 if form.is_submitted() else 200, form=form, item=item,
                  form_field=form_field, controllers=[catalog_forms.spec_from_field(f) for f in controllers])


def _field_or_404(item_id: int, field_id: int) -> tuple[CatalogItem, FormField]:
    item = db.get_or_404(CatalogItem, item_id)
    form_field = next((f for f in item.fields if f.id == field_id), None)
    if form_field is None:
        abort(404)
    return item, form_field


@bp.post("/catalog/items/<int:item_id>/fields/<int:field_id>/move")
@role_required()
def catalog_field_move(item_id: int, field_id: int):
    item, form_field = _field_or_404(item_id, field_id)
    form = posted_form(MoveForm)
    return _field_action(item, lambda: catalog_admin.move_field(item, form_field, form.direction.data))


@bp.post("/catalog/items/<int:item_id>/fields/<int:field_id>/delete")
@role_required()
def catalog_field_delete(item_id: int, field_id: int):
    item, form_field = _field_or_404(item_id, field_id)
    posted_form(ActionForm)
    return _field_action(item, lambda: catalog_admin.delete_field(item, form_field))


def _field_action(item: CatalogItem, action):
    """Run one field action; refused ones explain why (flash, or 422 for htmx); done ones answer
    with the fields fragment (htmx) or a redirect to the item page."""
    back = url_for("admin.catalog_item_edit", item_id=item.id)
    try:
        action()
    except ValidationFailed as error:
        db.session.rollback()
        return refuse(error, back + "#item-fields")
    db.session.commit()
    if request.htmx:
        return render("admin/_catalog_fields.html", **_fields_context(item))
    return redirect(back + "#item-fields", 303)


@bp.get("/catalog/items/<int:item_id>/preview")
@role_required()
def catalog_item_preview(item_id: int):
    """The form exactly as the employee will see it, live conditions included."""
    item = db.get_or_404(CatalogItem, item_id)
    specs = catalog_forms.item_specs(item)
    answers = catalog_forms.initial_answers(specs)
    visible = {s.key for s in catalog_forms.visible_specs(specs, answers)}
    return render("admin/catalog_preview.html", item=item, specs=specs, answers=answers, errors={},
                  visible=visible)
