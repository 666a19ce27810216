"""Admin pages of validation rules: policy beyond one catalog item, checked by services.policy
on every submission and agent edit. Rules are applied in list order. Each condition row offers
the chosen field's own values; the row alone is re-rendered when its field or operator changes."""
import json

from flask import abort, flash, redirect, request, url_for

from app.blueprints.admin import bp
from app.blueprints.admin.views import _form_page
from app.blueprints.common import posted_form, render, role_required
from app.extensions import db
from app.forms.admin import ActionForm
from app.forms.catalog_admin import MoveForm, RuleForm
from app.models import ValidationRule
from app.services import catalog_admin, categories, conditions, validation_rules


@bp.get("/rules")
@role_required()
def rule_list():
    return render("admin/rule_list.html", fragment="admin/_rule_table.html", **_list_context())


def _list_context() -> dict:
    return dict(rows=validation_rules.list_rules(), move_form=MoveForm(formdata=None),
                delete_form=ActionForm(formdata=None))


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
    policies = catalog_admin.active_policies()
    if rule is not None and rule.approval_policy and rule.approval_policy not in policies:
        policies.append(rule.approval_policy)
    form.set_choices(categories.list_categories(), policies)
    vocab = conditions.vocabulary(conditions.load_catalog(), *form.scope())
    if rule is not None and not form.is_submitted():
        form.load_rule(json.loads(rule.conditions or "[]"), json.loads(rule.required_fields or "[]"), vocab)
    return _form_page(form, lambda data: validation_rules.save_rule(rule, data), url_for("admin.rule_list"),
                      "admin/rule_form.html", rule=rule, vocab=vocab)


@bp.get("/rules/condition/<int:n>")
@role_required()
def rule_condition(n: int):
    """One condition row for the field and operator chosen so far (read from the query, with
    the rule's scope): the value input offers that field's values. Changes nothing."""
    if not 1 <= n <= validation_rules.MAX_CONDITIONS:
        abort(404)
    form = RuleForm(formdata=request.args, meta={"csrf": False})
    vocab = conditions.vocabulary(conditions.load_catalog(), *form.scope())
    return render("admin/_rule_condition.html", row=form.condition_rows()[n - 1], n=n, vocab=vocab)


@bp.post("/rules/<int:rule_id>/move")
@role_required()
def rule_move(rule_id: int):
    rule = db.get_or_404(ValidationRule, rule_id)
    form = posted_form(MoveForm)
    validation_rules.move_rule(rule, form.direction.data)
    db.session.commit()
    return _back_to_list()


@bp.post("/rules/<int:rule_id>/delete")
@role_required()
def rule_delete(rule_id: int):
    rule = db.get_or_404(ValidationRule, rule_id)
    posted_form(ActionForm)
    name = rule.name
    validation_rules.delete_rule(rule)
    db.session.commit()
    if not request.htmx:
        flash(f"Deleted the rule {name}.", "success")
    return _back_to_list()


def _back_to_list():
    if request.htmx:
        return render("admin/_rule_table.html", **_list_context())
    return redirect(url_for("admin.rule_list"), 303)
