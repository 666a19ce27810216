"""The conversation on a ticket: public replies and internal notes."""
from sqlalchemy import select

from app.extensions import db
from app.models import FINAL_STATUSES, Comment, Status, Ticket, User, utcnow
from app.services import events
from app.services.attachments import attach_files, real_uploads
from app.services.audit import record_event
from app.services.errors import PermissionDenied, ValidationFailed
from app.services.lifecycle import transition_ticket
from app.services.permissions import can_see_internal


def add_comment(ticket: Ticket, author: User, body: str, *, internal: bool = False,
                files=None) -> Comment:
    """Add a reply or note. A requester's reply to a ticket On Hold (waiting for them) puts it
    back In Progress, as the agent was waiting for exactly that."""
    body = (body or "").strip()
    if not body and not real_uploads(files):
        raise ValidationFailed("Write a message or attach a file.", {"body": ["Write a message."]})
    if internal and not can_see_internal(author):
        raise PermissionDenied("Only IT staff can write internal notes.")
    if ticket.is_draft:
        raise ValidationFailed("Submit the draft before replying to it.")
    if ticket.status in FINAL_STATUSES and not internal:
        raise ValidationFailed(f"{ticket.number} is {ticket.status.label.lower()}; replies are closed. "
                               "Report or request something new instead.",
                               {"body": ["This ticket is finished; replies are closed."]})
    comment = Comment(ticket_id=ticket.id, author=author, body=body, is_internal=internal)
    db.session.add(comment)
    db.session.flush()
    attach_files(ticket, author, files, comment=comment)
    ticket.updated_at = utcnow()
    record_event(ticket, author, "note_added" if internal else "replied",
                 note=(body[:140] + "…") if len(body) > 140 else body)
    events.publish("comment.added", ticket, comment_id=comment.id, internal=internal, author_id=author.id)
    if not internal and ticket.status == Status.ON_HOLD and author.id == ticket.requester_id:
        transition_ticket(ticket, Status.IN_PROGRESS, None, actor_label="Requester replied")
    return comment


def visible_comments(ticket: Ticket, viewer: User) -> list[Comment]:
    query = select(Comment).where(Comment.ticket_id == ticket.id)
    if not can_see_internal(viewer):
        query = query.where(Comment.is_internal.is_(False))
    return list(db.session.scalars(query.order_by(Comment.created_at, Comment.id)))
