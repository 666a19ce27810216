"""Admin pages for approval policies: the list, and one page to create or edit a policy with its
steps (add, edit, remove, reorder). Admins only. Without JavaScript, "Add a step" re-shows the
form with one more blank step; nothing is saved until "Save"."""
from flask import flash, redirect, url_for

from app.blueprints.admin import bp
from app.blueprints.common import render, role_required
from app.extensions import db
from app.forms.approvals import PolicyForm
from app.models import ApprovalPolicy
from app.services import approval_policies
from app.services.errors import ValidationFailed


@bp.get("/approval-policies")
@role_required()
def approval_policy_list():
    rows = approval_policies.list_policies()
    return render("admin/approval_list.html", rows=rows,
                  summaries={r.policy.id: approval_policies.step_summaries(r.policy) for r in rows})


@bp.route("/approval-policies/new", methods=["GET", "POST"])
@role_required()
def approval_policy_new():
    return _policy_page(None)


@bp.route("/approval-policies/<int:policy_id>", methods=["GET", "POST"])
@role_required()
def approval_policy_edit(policy_id: int):
    return _policy_page(db.get_or_404(ApprovalPolicy, policy_id))


def _policy_page(policy: ApprovalPolicy | None):
    """GET shows the policy; "Add a step" adds a blank one; a valid save commits and returns to
    the list (303); refused input comes back as typed with each message by its field (422)."""
    form = PolicyForm(data=approval_policies.form_data(policy) if policy else None)
    if form.wants_another_step():
        form.steps.append_entry()
    form.set_choices(approval_policies.approver_candidates(), approval_policies.team_choices())
    if form.is_submitted() and form.add_step.data:
        return render("admin/approval_form.html", form=form, policy=policy)
    if form.validate_on_submit():
        try:
            saved = approval_policies.save_policy(policy, form.to_input())
        except ValidationFailed as error:
            form.apply_errors(error.field_errors or {"__all__": [error.message]})
        else:
            db.session.commit()
            flash(f"Saved {saved.name}.", "success")
            return redirect(url_for("admin.approval_policy_list"), 303)
    return render("admin/approval_form.html", form=form, policy=policy,
                  status=422 if form.is_submitted() else 200)
