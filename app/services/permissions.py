"""Who may see and do what: plain predicates, no queries, used by views (to abort) and by
templates (to hide buttons)."""
from app.models import FINAL_STATUSES, Role, Status, Ticket, User

# Not drafts, not finished, and not while approval is pending: no team works it yet, and an
# assignee would be a party to the ticket its approvers are weighing (see approval_conflict).
CLAIMABLE_STATUSES = tuple(s for s in Status
                           if s not in FINAL_STATUSES and s not in (Status.DRAFT, Status.UNDER_REVIEW))

# Four eyes: the positions on a ticket whose holder may not decide its approval steps, each with
# the reason they are told; the first that applies is the one given. Whoever asked for it,
# whoever filed it (an agent on someone's behalf, or IT's own proactive work with no requester)
# and whoever works it all have a stake in its going ahead.
APPROVAL_CONFLICTS = (
    ("requester_id", "You cannot approve your own request."),
    ("created_by_id", "You filed this ticket, so someone else must approve it."),
    ("assignee_id", "You are assigned to this ticket, so someone else must approve it."),
)


def can_view_ticket(user: User, ticket: Ticket) -> bool:
    """Drafts are their author's alone; otherwise the requester and IT staff."""
    if ticket.is_draft:
        return ticket.requester_id == user.id or ticket.created_by_id == user.id
    return ticket.requester_id == user.id or user.is_agent


def can_work_ticket(user: User, ticket: Ticket) -> bool:
    """Agent actions: status moves, notes, priority, links."""
    return user.is_agent and not ticket.is_draft


def can_see_internal(user: User) -> bool:
    return user.is_agent


def can_claim_ticket(user: User, ticket: Ticket) -> bool:
    """Claim from your own teams' queues (admins from any), while the ticket can be worked."""
    if not can_work_ticket(user, ticket) or ticket.status not in CLAIMABLE_STATUSES:
        return False
    return ticket.team_id is None or ticket.team_id in user.team_ids or user.has_role(Role.ADMIN)


def is_admin(user: User) -> bool:
    return user.has_role(Role.ADMIN)


def approval_conflict(user_id: int, ticket) -> str | None:
    """Why ``user_id`` may not decide an approval step of ``ticket``, or None if they may.

    The one place of the four-eyes rule: approvals leave these people off a step when it is
    planned and refuse their decision later (the ticket may have been reassigned since); the
    inbox and the decision buttons hide on it. ``ticket`` is a Ticket or any row with its
    requester_id, created_by_id and assignee_id (the inbox count reads just those columns).
    """
    return next((reason for column, reason in APPROVAL_CONFLICTS
                 if getattr(ticket, column) == user_id), None)


def may_decide_approvals(user_id: int, ticket) -> bool:
    return approval_conflict(user_id, ticket) is None


def can_publish_queue_views(user: User) -> bool:
    """Publishing a queue view to a team or a role shapes other people's workspace: admins only."""
    return user.has_role(Role.ADMIN)


def can_manage_queue_view(user: User, view) -> bool:
    """Rename or delete: a personal view by its owner, a published one by an admin."""
    return view.owner_id == user.id if view.owner_id is not None else can_publish_queue_views(user)
