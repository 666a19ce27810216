"""Admin pages of validation rules: policy beyond one catalog item, checked by services.policy
on every submission and agent edit. Rules are applied in list order."""
import json

from flask import flash, redirect, request, url_for

from app.blueprints.admin import bp
from app.blueprints.admin.views import _form_page
from app.blueprints.common import posted_form, render, role_required
from app.extensions import db
from app.forms.admin import ActionForm
from app.forms.catalog_admin import MoveForm, RuleForm
from app.models import ValidationRule
from app.services import catalog_admin, categories
from app.services.policy import FIELDS


@bp.get("/rules")
@role_required()
def rule_list():
    return render("admin/rule_list.html", fragment="admin/_rule_table.html", **_list_context())


def _list_context() -> dict:
    rows = [(rule, *catalog_admin.describe_rule(rule)) for rule in catalog_admin.list_rules()]
    return dict(rows=rows, move_form=MoveForm(formdata=None), delete_form=ActionForm(formdata=None))


@bp.route("/rules/new", methods=["GET", "POST"])
@role_required()
def rule_new():
    return _rule_page(None)


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@role_required()
def rule_edit(rule_id: int):
    return _rule_page(db.get_or_404(ValidationRule, rule_id))


def _rule_page(rule: ValidationRule | None):
    form = RuleForm(obj=rule)
    if rule is not None and not form.is_submitted():
        form.load_rule(json.loads(rule.conditions or "[]"), json.loads(rule.required_fields or "[]"))
    policies = catalog_admin.active_policies()
    if rule is not None and rule.approval_policy and rule.approval_policy not in policies:
        policies.append(rule.approval_policy)
    form.set_choices(categories.list_categories(), policies)
    return _form_page(form, lambda data: catalog_admin.save_rule(rule, data), url_for("admin.rule_list"),
                      "admin/rule_form.html", rule=rule, fields=FIELDS)


@bp.post("/rules/<int:rule_id>/move")
@role_required()
def rule_move(rule_id: int):
    rule = db.get_or_404(ValidationRule, rule_id)
    form = posted_form(MoveForm)
    catalog_admin.move_rule(rule, form.direction.data)
    db.session.commit()
    return _back_to_list()


@bp.post("/rules/<int:rule_id>/delete")
@role_required()
def rule_delete(rule_id: int):
    rule = db.get_or_404(ValidationRule, rule_id)
    posted_form(ActionForm)
    name = rule.name
    catalog_admin.delete_rule(rule)
    db.session.commit()
    if not request.htmx:
        flash(f"Deleted the rule {name}.", "success")
    return _back_to_list()


def _back_to_list():
    if request.htmx:
        return render("admin/_rule_table.html", **_list_context())
    return redirect(url_for("admin.rule_list"), 303)
