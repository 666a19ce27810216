"""Teams: their settings, their escalation chain and who works in them."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import Membership, Role, Team, User
from app.services.errors import NotFound, ValidationFailed
from app.services.users import set_membership, set_roles

TIERS = (1, 2, 3)


@dataclass
class TeamInput:
    name: str
    description: str | None = None
    tier: int = 1
    escalation_team_id: int | None = None
    active: bool = True


def all_teams() -> list[Team]:
    """Every team, for selects (inactive ones too: a current value must stay selectable)."""
    return list(db.session.scalars(select(Team).order_by(Team.tier, func.lower(Team.name))))


def list_teams() -> list[Team]:
    """Every team with its members and escalation target loaded (the list shows them all)."""
    return list(db.session.scalars(
        select(Team).options(selectinload(Team.memberships).selectinload(Membership.user),
                             joinedload(Team.escalation_team))
        .order_by(Team.tier, func.lower(Team.name))).unique())


def count_teams() -> tuple[int, int]:
    """(all teams, active teams) for the admin overview."""
    return tuple(db.session.execute(
        select(func.count(Team.id), func.count(Team.id).filter(Team.active))).one())


def save_team(team: Team | None, data: TeamInput) -> Team:
    """Create (``team`` None) or update a team. Refused with field errors: a name another team
    holds (case-insensitive), a tier outside 1–3, and an escalation target that is the team
    itself or that escalates back to it (tickets would bounce forever)."""
    errors = _team_errors(team, data)
    if errors:
        raise ValidationFailed("Check the highlighted fields.", errors)
    if team is None:
        team = Team()
        db.session.add(team)
    team.name, team.description = data.name.strip(), (data.description or "").strip() or None
    team.tier, team.escalation_team_id, team.active = data.tier, data.escalation_team_id, data.active
    db.session.flush()
    return team


def _team_errors(team: Team | None, data: TeamInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    clash = db.session.scalar(select(Team.id).where(func.lower(Team.name) == data.name.strip().lower()))
    if clash is not None and (team is None or clash != team.id):
        errors["name"] = ["Another team already has this name."]
    if data.tier not in TIERS:
        errors["tier"] = ["Choose tier 1, 2 or 3."]
    if data.escalation_team_id is not None:
        message = _escalation_error(team, data.escalation_team_id)
        if message:
            errors["escalation_team_id"] = [message]
    return errors


def _escalation_error(team: Team | None, target_id: int) -> str | None:
    target = db.session.get(Team, target_id)
    if target is None:
        return "Choose a team from the list."
    if team is None:
        return None
    first, seen = target, set()
    while target is not None and target.id not in seen:
        if target.id == team.id:
            return ("A team cannot escalate to itself." if target is first
                    else f"{first.name} escalates back to this team.")
        seen.add(target.id)
        target = target.escalation_team
    return None


def member_candidates(team: Team) -> list[User]:
    """Active people not yet in ``team``, by name."""
    members = select(Membership.user_id).where(Membership.team_id == team.id)
    return list(db.session.scalars(
        select(User).where(User.active, User.id.not_in(members)).order_by(func.lower(User.name))))


def add_member(team: Team, user_id: int | None, *, is_lead: bool = False,
               make_agent: bool = False) -> Membership:
    """Put an active person in ``team``; someone already in it is refused, not changed.

    A team is a queue of IT work, and only technicians may work tickets, so a member who is
    not one would be listed but could not claim or be assigned anything (like Zammad's groups
    and Jira Service Management's agents). Such a person is refused unless the admin also
    gives them the Technician role (``make_agent``), a choice made knowingly, never implied."""
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active:
        raise ValidationFailed("Choose an active person.", {"user_id": ["Choose an active person from the list."]})
    if db.session.get(Membership, (team.id, user.id)) is not None:
        raise ValidationFailed("Already a member.", {"user_id": [f"{user.name} is already in this team."]})
    if not user.is_agent:
        if not make_agent:
            raise ValidationFailed(f"{user.name} is not a technician.", {"make_agent": [
                f"{user.name} is not a technician, and only technicians work a team's tickets. "
                f"Tick this to give {user.name} the Technician role as well, or choose someone else."]})
        set_roles(user, user.roles | {Role.AGENT})
    return set_membership(team, user, is_lead=is_lead)


def set_lead(team: Team, user: User, is_lead: bool) -> Membership:
    """Mark or unmark a member as a lead of ``team`` (a team may have several leads)."""
    membership = db.session.get(Membership, (team.id, user.id))
    if membership is None:
        raise NotFound(f"{user.name} is not in {team.name}.")
    return set_membership(team, user, is_lead=is_lead)

