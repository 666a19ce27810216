"""The queue's bulk bar: one action (assign, status, priority, category, internal note) on the
selected rows, ticket by ticket through ``services.bulk``.

With htmx the answer is the queue table as it is now, with the result summary out of band;
a plain post gets the summary as flashes and a 303 back to the same queue (filters and page).
Input the bar could not have sent (no rows, unknown rows, too many, a value not offered) is
refused as a whole with 422 and says why; refusals of single tickets are part of the result.
"""
from flask import abort, flash, make_response, redirect, render_template, request
from flask_login import current_user

from app.blueprints.agent import bp
from app.blueprints.agent.queue_table import QueueChoices, bulk_form, render_queue_table
from app.blueprints.common import apply_field_errors, render, role_required
from app.extensions import db
from app.forms.bulk import BulkForm
from app.http_input import wants_fragment
from app.models import Role
from app.services import bulk
from app.services.errors import DomainError

FLASHED_REFUSALS = 20  # a plain post's refusals travel in the session cookie: list the first ones


@bp.post("/bulk")
@role_required(Role.AGENT)
def queue_bulk():
    choices = QueueChoices()
    form = bulk_form(choices)
    back = form.back_url()
    if not form.validate():
        if "csrf_token" in form.errors:
            abort(400, description="The form expired; reload the queue and try again.")
        return _refused(form, back)
    try:
        targets = bulk.bulk_targets(form.ticket.data)
    except DomainError as error:
        db.session.rollback()
        apply_field_errors(form, error)
        return _refused(form, back)
    outcomes = bulk.apply_bulk(current_user, form.to_action(), targets)
    db.session.commit()
    if wants_fragment():
        summary = render_template("agent/_bulk_result.html", outcomes=outcomes, oob=True)
        return render_queue_table(back, choices) + summary
    _flash(outcomes)
    return redirect(back, 303)


def _refused(form: BulkForm, back: str):
    """The bar's errors: in the summary's place for htmx, else a page that links back."""
    errors = [f"{form[name].label.text}: {m}" for name, ms in form.errors.items()
              if name and name != "csrf_token" for m in ms] + list(form.form_errors)
    response = make_response(render("agent/bulk_result.html", fragment="agent/_bulk_result.html",
                                    status=422, errors=errors, outcomes=[], back=back))
    if request.htmx:
        response.headers["HX-Retarget"] = "#bulk-result"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def _flash(outcomes: list[bulk.Outcome]) -> None:
    done = [o for o in outcomes if o.done]
    refused = [o for o in outcomes if not o.done]
    if done:
        flash(f"Done: {len(done)} of {len(outcomes)} ({', '.join(o.number for o in done[:10])}"
              f"{'…' if len(done) > 10 else ''}).", "success")
    for outcome in refused[:FLASHED_REFUSALS]:
        flash(outcome.line, "error")
    if len(refused) > FLASHED_REFUSALS:
        flash(f"…and {len(refused) - FLASHED_REFUSALS} more refused.", "error")
