"""In-app notifications (the bell), one job per domain event asking who is told what.

Who is told: a team, of a ticket landing in its queue; approvers, of a step waiting for them;
the requester, of IT's public replies, of IT waiting for their answer (On Hold), of the
resolution and of the approvals' outcome; the assignee, of the requester's replies and of a
colleague giving them the ticket. Nobody is told of their own action, and an internal note
tells nobody. Each notice is written once per (event, recipient): the outbox message's id is
its key, so a re-delivered job adds nothing.
"""
from sqlalchemy import func, select, update

from app.database import upsert
from app.extensions import db
from app.models import Membership, Notification, Status, Ticket, User, utcnow
from app.services.priority import PRIORITY_LABELS


def _write(user_ids, ticket: Ticket, kind: str, message: str, outbox_id: int) -> int:
    """One notice per person in ``user_ids``, keyed by the outbox message, so a re-delivered
    job adds nothing; returns how many people were addressed."""
    rows = [{"user_id": uid, "ticket_id": ticket.id, "kind": kind, "message": message[:300],
             "dedupe_key": f"outbox:{outbox_id}", "created_at": utcnow()} for uid in user_ids]
    if rows:
        db.session.execute(upsert(Notification).values(rows).on_conflict_do_nothing())
    return len(rows)


def notify_team_ticket_queued(ticket_id: int, team_id: int, outbox_id: int) -> int:
    """Tell every member of ``team_id`` that a ticket landed in their queue.

    Idempotent: the outbox message id is the dedupe key, so a re-delivered job adds nothing.
    Returns the number of members addressed.
    """
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.team_id != team_id:
        return 0  # deleted or moved on since: nothing to say
    member_ids = db.session.scalars(select(Membership.user_id).where(Membership.team_id == team_id)).all()
    return _write(member_ids, ticket, "ticket_queued", f"{ticket.number} in {ticket.team.name}'s queue: "
                  f"{ticket.title} ({PRIORITY_LABELS[ticket.priority]})", outbox_id)


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
    return _write(user_ids, ticket, "approval_requested",
                  f"Approval needed: {ticket.number} {ticket.title} (for {who}; {step.name})", outbox_id)


def _tell(user_id: int | None, actor_id: int | None, ticket: Ticket, kind: str, message: str,
          outbox_id: int) -> int:
    """One notice to ``user_id``, unless there is nobody to tell or they did it themselves."""
    if user_id is None or user_id == actor_id:
        return 0
    return _write([user_id], ticket, kind, message, outbox_id)


def is_public_reply(_ticket: Ticket, *, internal: bool, **_payload) -> bool:
    return not internal


def _status_notice(old: Status, new: Status, actor_id: int | None) -> str | None:
    """The kind of notice a move gives the requester, or None for a move they need not hear of."""
    if old == Status.UNDER_REVIEW and new == Status.OPEN:
        return "approved"
    if old == Status.UNDER_REVIEW and new == Status.CANCELLED and actor_id is None:
        return "rejected"
    return {Status.ON_HOLD: "waiting_for_you", Status.RESOLVED: "resolved"}.get(new)


def tells_requester(_ticket: Ticket, *, old: str, new: str, actor_id: int | None = None, **_payload) -> bool:
    return _status_notice(Status(old), Status(new), actor_id) is not None


def notify_comment_added(ticket_id: int, comment_id: int, internal: bool, author_id: int, outbox_id: int) -> int:
    """A public reply by the requester tells the assignee; one by anyone else tells the
    requester."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or internal:
        return 0
    if author_id == ticket.requester_id:
        name = ticket.requester.name
        return _tell(ticket.assignee_id, author_id, ticket, "requester_replied",
                     f"{name} replied on {ticket.number}: {ticket.title}", outbox_id)
    return _tell(ticket.requester_id, author_id, ticket, "replied",
                 f"IT replied on {ticket.number}: {ticket.title}", outbox_id)


def notify_status_changed(ticket_id: int, old: str, new: str, actor_id: int | None, outbox_id: int) -> int:
    """The moves the requester waits to hear of. A ticket that has since left On Hold or
    Resolved again tells nothing: the news is stale."""
    ticket = db.session.get(Ticket, ticket_id)
    kind = _status_notice(Status(old), Status(new), actor_id)
    if ticket is None or kind is None:
        return 0
    if kind in ("waiting_for_you", "resolved") and ticket.status != Status(new):
        return 0
    text = {"approved": "{n} was approved and is with IT: {t}", "rejected": "{n} was not approved: {t}",
            "waiting_for_you": "IT needs your answer on {n}: {t}", "resolved": "{n} was resolved: {t}"}[kind]
    return _tell(ticket.requester_id, actor_id, ticket, kind, text.format(n=ticket.number, t=ticket.title),
                 outbox_id)


def notify_assigned(ticket_id: int, assignee_id: int, actor_id: int, outbox_id: int) -> int:
    """A technician given a ticket by a colleague (not one they took), while it is still theirs."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.assignee_id != assignee_id:
        return 0
    actor = db.session.get(User, actor_id)
    who = actor.name if actor else "IT"
    return _tell(assignee_id, actor_id, ticket, "assigned",
                 f"{who} assigned {ticket.number} to you: {ticket.title}", outbox_id)


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent_notifications(user: User, limit: int = 20) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def by_ticket(notifications: list[Notification]) -> list[tuple[Ticket | None, list[Notification]]]:
    """``notifications`` (newest first) grouped by their ticket, the group with the newest
    notice first; notices about no ticket form a group of their own (ticket None)."""
    groups: dict[int | None, list[Notification]] = {}
    for notification in notifications:
        groups.setdefault(notification.ticket_id, []).append(notification)
    return [(entries[0].ticket, entries) for entries in groups.values()]


def mark_read(user: User, notification_id: int) -> bool:
    """Mark one of ``user``'s notifications read (again is fine); False when it is not theirs
    or no longer exists."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        return False
    if notification.read_at is None:
        notification.read_at = utcnow()
    return True


def mark_all_read(user: User) -> None:
    db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                  Notification.read_at.is_(None))
                       .values(read_at=utcnow()))
