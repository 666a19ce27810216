"""Admin → Background jobs: what the outbox still owes, and retrying what failed for good."""
from flask import flash, redirect, url_for

from app.blueprints.admin import bp
from app.blueprints.common import posted_form, render, role_required
from app.extensions import db
from app.forms.admin import ActionForm
from app.job_catalog import JOBS, QUEUE_PURPOSES
from app.models import OutboxMessage
from app.outbox import queue_lengths
from app.services import outbox


@bp.get("/jobs")
@role_required()
def job_list():
    return render("admin/job_list.html", summary=outbox.delivery_summary(),
                  rows=outbox.with_tickets(outbox.failed_messages()), jobs=JOBS,
                  queues=queue_lengths(), purposes=QUEUE_PURPOSES, action_form=ActionForm())


@bp.post("/jobs/<int:outbox_id>/retry")
@role_required()
def job_retry(outbox_id: int):
    posted_form(ActionForm)
    message = db.get_or_404(OutboxMessage, outbox_id)
    if outbox.retry_message(message):
        db.session.commit()
        flash(f"Job #{message.id} was sent back to the queue.", "success")
    else:
        flash(f"Job #{message.id} is not waiting for a retry (it is done or still being tried).", "info")
    return redirect(url_for("admin.job_list"), 303)


@bp.post("/jobs/retry-all")
@role_required()
def job_retry_all():
    posted_form(ActionForm)
    count = outbox.retry_failed()
    db.session.commit()
    flash(f"{count} failed job{'s' if count != 1 else ''} sent back to the queue.", "success")
    return redirect(url_for("admin.job_list"), 303)

