"""Who works a ticket: claiming it, assigning it to a colleague, transferring it to another team
and escalating it to the next tier.

A hand-off moves only the ticket's team, tier and assignee: its history, notes, links and
approvals belong to the ticket and so go with it. Each change writes one audit event (old and
new value) and a transfer or escalation publishes ``ticket.queued`` so the new team hears of it.
"""
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Membership, Role, Status, Team, Ticket, User, UserRole, utcnow
from app.services import events
from app.services.audit import record_event
from app.services.errors import Conflict, PermissionDenied, ValidationFailed
from app.services.lifecycle import available_transitions, check_version, transition_ticket
from app.services.permissions import CLAIMABLE_STATUSES as CLAIMABLE, can_claim_ticket

MAX_TIER = 3  # teams are tier 1 to 3 (Team's tier_range constraint)
AGENT_ROLES = (Role.AGENT, Role.ADMIN)


def claim_ticket(ticket: Ticket, agent: User) -> Ticket:
    """Take an unassigned ticket. One conditional UPDATE decides between concurrent claimers,
    on any number of processes or hosts: its row count says who won.

    A ticket Under Review cannot be claimed (nor get an assignee any other way): its approvers
    were chosen as people with no stake in it, and an assignee would be one."""
    if agent.is_agent and ticket.status not in CLAIMABLE:
        raise Conflict(_unassignable(ticket, "claimed"))
    if not can_claim_ticket(agent, ticket):
        if not agent.is_agent:
            raise PermissionDenied("Only IT staff can claim tickets.")
        raise PermissionDenied(f"{ticket.reference} is in {ticket.team.name}'s queue; "
                               "you are not a member of that team.")
    won = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.assignee_id.is_(None), Ticket.status.in_(CLAIMABLE))
        .values(assignee_id=agent.id, version=Ticket.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(ticket)
    if not won:
        if ticket.assignee is not None:
            raise Conflict(f"{ticket.reference} was already claimed by {ticket.assignee.name}.")
        raise Conflict(_unassignable(ticket, "claimed"))
    record_event(ticket, agent, "claimed", field="assignee", new=agent.name)
    # Claiming starts the work where the type allows it (a change waits for its approval).
    if any(t.target == Status.IN_PROGRESS for t in available_transitions(ticket, agent)):
        transition_ticket(ticket, Status.IN_PROGRESS, agent)
    return ticket


def _unassignable(ticket: Ticket, verb: str) -> str:
    if ticket.status == Status.UNDER_REVIEW:
        return f"{ticket.reference} waits for approval; it can be {verb} once it is approved."
    return f"{ticket.reference} is {ticket.status.label} and cannot be {verb}."


def assignable_agents(team: Team | None) -> list[User]:
    """The people a ticket of ``team`` may be assigned to: its active members who work tickets
    (IT staff or admins), by name. One query; empty for no team."""
    if team is None:
        return []
    agents = select(UserRole.user_id).where(UserRole.role.in_(AGENT_ROLES))
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team.id, User.active, User.id.in_(agents))
        .order_by(func.lower(User.name))))


def may_work_for(user: User, team: Team | None) -> bool:
    """Whether ``user`` may be the assignee of a ticket in ``team``: active IT staff, and a
    member of the team when there is one."""
    return user.active and user.is_agent and (team is None or team.id in user.team_ids)


def assign_ticket(ticket: Ticket, actor: User, assignee: User | None) -> Ticket:
    """Give the ticket to a colleague (or back to the queue with None). The status stays: the
    new assignee starts the work when they pick it up."""
    if assignee is not None and ticket.status not in CLAIMABLE:
        raise Conflict(_unassignable(ticket, "assigned"), {"assignee_id": [_unassignable(ticket, "assigned")]})
    if assignee is not None and not may_work_for(assignee, ticket.team):
        team = ticket.team.name if ticket.team else "IT"
        raise ValidationFailed(f"{assignee.name} cannot work {team}'s tickets.",
                               {"assignee_id": [f"Choose a member of {team} who works tickets."]})
    if assignee != ticket.assignee:
        old = ticket.assignee.name if ticket.assignee else None
        ticket.assignee = assignee
        record_event(ticket, actor, "assigned" if assignee else "unassigned", field="assignee",
                     old=old, new=assignee.name if assignee else None)
        if assignee is not None:
            events.publish("ticket.assigned", ticket, assignee_id=assignee.id, actor_id=actor.id)
    return ticket


def transfer_ticket(ticket: Ticket, actor: User, team: Team, reason: str, *,
                    action: str = "transferred") -> Ticket:
    """Move the ticket to another team's queue, at that team's tier. The reason is required:
    the receiving team must know why it is theirs. The assignee stays only if they also work
    for the new team; otherwise the ticket waits, unassigned, in its queue."""
    _check_open(ticket, "transferred")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("A transfer needs a reason.",
                               {"reason": ["Say why the ticket goes to another team."]})
    if ticket.team_id == team.id:
        raise ValidationFailed(f"{ticket.reference} is already with {team.name}.",
                               {"team_id": [f"It is already with {team.name}."]})
    if not team.active:
        raise ValidationFailed(f"{team.name} no longer takes tickets.",
                               {"team_id": [f"{team.name} no longer takes tickets."]})
    _move_to(ticket, actor, team, team.tier, reason, action)
    return ticket


def escalate_ticket(ticket: Ticket, actor: User, reason: str, expected_version: int | None = None) -> Ticket:
    """Hand the ticket up to the team its team escalates to (the team's "Escalates to"
    setting), one tier higher at least: a tier-1 ticket sent to a tier-3 team is tier 3."""
    check_version(ticket, expected_version)
    _check_open(ticket, "escalated")
    target = ticket.team.escalation_team if ticket.team else None
    if target is None:
        name = ticket.team.name if ticket.team else "This ticket's team"
        raise Conflict(f"{name} has no team to escalate to; transfer the ticket instead.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("An escalation needs a reason.",
                               {"reason": ["Say what was tried and why it goes up a tier."]})
    _move_to(ticket, actor, target, escalation_of(ticket)[1], reason, "escalated")
    return ticket


def escalation_of(ticket: Ticket) -> tuple[Team, int] | None:
    """Where escalating would send the ticket and at which tier, or None when its team has no
    escalation team. No query beyond the team's own escalation target."""
    target = ticket.team.escalation_team if ticket.team else None
    if target is None:
        return None
    return target, min(max(ticket.tier + 1, target.tier), MAX_TIER)


def _check_open(ticket: Ticket, verb: str) -> None:
    """A resolved or finished ticket stays with the team that finished it."""
    if not ticket.is_open:
        raise Conflict(f"{ticket.reference} is {ticket.status.label} and cannot be {verb}.")


def _move_to(ticket: Ticket, actor: User, team: Team, tier: int, reason: str, action: str) -> None:
    """Team, tier and (when they do not work for ``team``) assignee change, audited one event
    per changed property, the reason on each."""
    record_event(ticket, actor, action, field="team", old=ticket.team.name if ticket.team else None,
                 new=team.name, note=reason)
    if tier != ticket.tier:
        record_event(ticket, actor, "tier_changed", field="tier", old=ticket.tier, new=tier, note=reason)
    ticket.team, ticket.tier = team, tier
    if ticket.assignee is not None and not may_work_for(ticket.assignee, team):
        record_event(ticket, actor, "unassigned", field="assignee", old=ticket.assignee.name,
                     note=f"Not in {team.name}")
        ticket.assignee = None
    ticket.updated_at = utcnow()
    events.publish("ticket.queued", ticket, team_id=team.id)


def active_teams() -> list[Team]:
    """The teams a ticket can be transferred to, by tier then name."""
    return list(db.session.scalars(select(Team).where(Team.active).order_by(Team.tier, func.lower(Team.name))))
