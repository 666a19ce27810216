"""The approver's side of approvals: the inbox of what waits for them, a read-only view of each
request, and the decision (approve, or reject with a reason).

Anyone signed in may open the inbox (a manager approves without holding the approver role); it
lists only the steps they are named on. Who may decide is the service's call
(``approvals.decide``): refusals come back as 403 (not yours) or 409 (already decided).
"""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.blueprints.approvals import bp
from app.blueprints.common import apply_field_errors, refuse, render
from app.extensions import db
from app.forms.approvals import DecisionForm
from app.models import ApprovalStep, Decision, Role
from app.services import approvals, catalog, live
from app.services.errors import Conflict, PermissionDenied, ValidationFailed


def _entry(step: ApprovalStep, total: int, past: list | None = None) -> dict:
    """What an approver weighs: the request, its answers and the requester's other requests of
    the same kind (passed in when the inbox loaded them for every entry at once)."""
    if past is None:
        past = approvals.similar_requests([step.ticket])[step.ticket_id]
    return dict(step=step, total=total, rows=catalog.ticket_answers(step.ticket), past=past,
                decidable=approvals.can_decide(current_user, step),
                my_decision=next((d for d in step.decisions if d.approver_id == current_user.id), None))


def _inbox_context(failed: dict | None = None) -> dict:
    steps = approvals.inbox(current_user)
    totals = approvals.step_counts([s.ticket_id for s in steps]) if steps else {}
    past = approvals.similar_requests([s.ticket for s in steps])
    return dict(entries=[_entry(s, totals.get(s.ticket_id, 1), past[s.ticket_id]) for s in steps],
                failed=failed,
                stamp=live.approvals_stamp(current_user))


def _detail_context(step: ApprovalStep, failed: dict | None = None) -> dict:
    steps = approvals.ticket_steps(step.ticket)
    return dict(_entry(step, len(steps)), steps=steps, failed=failed, origin="step")


@bp.get("/")
@login_required
def inbox():
    """Oldest first; polled, answering 204 while nothing changed for this approver."""
    if live.unchanged(request.args.get("since"), live.approvals_stamp(current_user)):
        return "", 204
    return render("approvals/inbox.html", fragment="approvals/_inbox.html", **_inbox_context())


@bp.get("/nav")
@login_required
def nav_link():
    """The "Approvals" nav link for people without the approver role (managers, team leads):
    loaded lazily, so no page pays a query for it, and hidden unless something waits for them."""
    return render("approvals/_nav_link.html", waiting=approvals.pending_count(current_user))


@bp.get("/steps/<int:step_id>")
@login_required
def step_detail(step_id: int):
    """The request behind a step, for the people named on it (others: 404, nothing confirmed)."""
    step = db.get_or_404(ApprovalStep, step_id)
    if not approvals.is_assigned(current_user, step):
        abort(404)
    return render("approvals/step_detail.html", **_detail_context(step))


@bp.post("/steps/<int:step_id>/decide")
@login_required
def decide(step_id: int):
    step = db.get_or_404(ApprovalStep, step_id)
    form = DecisionForm()
    from_inbox = form.came_from_inbox()
    back = url_for("approvals.inbox") if from_inbox else url_for("approvals.step_detail", step_id=step.id)
    if form.validate_on_submit():
        try:
            approvals.decide(step.id, current_user, form.decision_value(), form.comment.data)
        except (PermissionDenied, Conflict) as error:
            db.session.rollback()
            return refuse(error, back)
        except ValidationFailed as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            return _decided(step, form.decision_value(), back, from_inbox)
    return _refused_input(step, form, from_inbox)


def _decided(step: ApprovalStep, decision: Decision, back: str, from_inbox: bool):
    """htmx: the entry becomes a short confirmation, and the inbox count, its live stamp and the
    top bar's count follow (out of band; the top bar counts only for people without the approver role, whose
    link has no count); a plain post: a flash and back where the approver was, whose top bar
    loads its count afresh."""
    verb = "Approved" if decision == Decision.APPROVED else "Rejected"
    if request.htmx:
        waiting = approvals.pending_count(current_user)
        nav_counted = not current_user.has_role(Role.APPROVER, Role.ADMIN)
        return render("approvals/_decided.html", step=step, verb=verb, count=waiting if from_inbox else None,
                      stamp=live.approvals_stamp(current_user), nav_waiting=waiting if nav_counted else None)
    flash(f"{verb} {step.ticket.reference} ({step.name}).", "success")
    return redirect(back, 303)


def _refused_input(step: ApprovalStep, form: DecisionForm, from_inbox: bool):
    """Bad input (a rejection without a reason): the message next to the field, typed text kept."""
    failed = dict(step_id=step.id, form=form)
    if request.htmx:
        totals = approvals.step_counts([step.ticket_id])
        return render("approvals/_entry.html", status=422, failed=failed, origin="inbox" if from_inbox else "step",
                      **_entry(step, totals.get(step.ticket_id, 1)))
    if from_inbox:
        return render("approvals/inbox.html", status=422, **_inbox_context(failed))
    return render("approvals/step_detail.html", status=422, **_detail_context(step, failed))
