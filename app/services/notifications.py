"""In-app notifications (the bell)."""
from sqlalchemy import func, select, update

from app.database import upsert
from app.extensions import db
from app.models import Membership, Notification, Ticket, User, utcnow
from app.services.priority import PRIORITY_LABELS


def _insert_ignoring_duplicates(rows: list[dict]) -> None:
    if not rows:
        return
    db.session.execute(upsert(Notification).values(rows).on_conflict_do_nothing())


def notify_team_ticket_queued(ticket_id: int, team_id: int, outbox_id: int) -> int:
    """Tell every member of ``team_id`` that a ticket landed in their queue.

    Idempotent: the outbox message id is the dedupe key, so a re-delivered job adds nothing.
    Returns the number of members addressed.
    """
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.team_id != team_id:
        return 0  # deleted or moved on since: nothing to say
    member_ids = db.session.scalars(select(Membership.user_id).where(Membership.team_id == team_id)).all()
    message = (f"{ticket.number} in {ticket.team.name}'s queue: {ticket.title} "
               f"({PRIORITY_LABELS[ticket.priority]})")[:300]
    _insert_ignoring_duplicates([
        {"user_id": uid, "ticket_id": ticket.id, "kind": "ticket_queued", "message": message,
         "dedupe_key": f"outbox:{outbox_id}", "created_at": utcnow()}
        for uid in member_ids
    ])
    return len(member_ids)


def notify_approvers(ticket_id: int, step_id: int, outbox_id: int) -> int:
    """Tell the approvers of a step that a request waits for their decision (idempotent)."""
    from app.models import ApprovalAssignment, ApprovalStep, StepState

    step = db.session.get(ApprovalStep, step_id)
    if step is None or step.state != StepState.PENDING:
        return 0  # decided or withdrawn since: nothing to ask
    user_ids = db.session.scalars(select(ApprovalAssignment.user_id)
                                  .where(ApprovalAssignment.step_id == step_id)).all()
    ticket = step.ticket
    who = ticket.requester.name if ticket.requester else "IT"
    message = f"Approval needed: {ticket.number} {ticket.title} (for {who}; {step.name})"[:300]
    _insert_ignoring_duplicates([
        {"user_id": uid, "ticket_id": ticket.id, "kind": "approval_requested", "message": message,
         "dedupe_key": f"outbox:{outbox_id}", "created_at": utcnow()}
        for uid in user_ids
    ])
    return len(user_ids)


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent_notifications(user: User, limit: int = 20) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(user: User) -> None:
    db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                  Notification.read_at.is_(None))
                       .values(read_at=utcnow()))
