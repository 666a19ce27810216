"""Who may see and do what: plain predicates, no queries, used by views (to abort) and by
templates (to hide buttons)."""
from app.models import FINAL_STATUSES, Role, Status, Ticket, User

# Not drafts, not finished, and not while approval is pending: no team works it yet, and an
# assignee would be a party to the ticket its approvers are weighing (see approval_conflict).
CLAIMABLE_STATUSES = tuple(s for s in Status
                           if s not in FINAL_STATUSES and s not in (Status.DRAFT, Status.UNDER_REVIEW))


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
