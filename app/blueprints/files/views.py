"""Attachment downloads: always as a download, with the sniffed type and nosniff, only to
people who may see the ticket (and, for a file on an internal note, IT staff)."""
from flask import abort, send_file
from flask_login import current_user, login_required

from app.blueprints.files import bp
from app.extensions import db
from app.models import Attachment, Ticket
from app.services.attachments import storage_path
from app.services.permissions import can_see_internal, can_view_ticket


@bp.get("/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    ticket = db.session.get(Ticket, attachment.ticket_id)
    hidden = attachment.comment is not None and attachment.comment.is_internal
    if not can_view_ticket(current_user, ticket) or (hidden and not can_see_internal(current_user)):
        abort(404)
    path = storage_path(attachment.sha256)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
