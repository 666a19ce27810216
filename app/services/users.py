"""Accounts, roles and teams."""
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Membership, Role, Team, User, UserRole
from app.services.errors import ValidationFailed
from app.services.passwords import hash_password, password_problems, verify_password
from app.services.search import contains


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same cost either way)."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password or "")
    return user if ok and user and user.active else None


def create_user(email: str, name: str, password: str | None = None, roles=(Role.EMPLOYEE,),
                **details) -> User:
    email = normalize_email(email)
    if find_user_by_email(email):
        raise ValidationFailed("That email is taken.", {"email": ["A user with this email exists."]})
    user = User(email=email, name=name.strip(), **details)
    if password:
        user.password_hash = hash_password(password)
    db.session.add(user)
    set_roles(user, roles)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """A new password ends every session of the user: whoever knew the old one is out."""
    user.password_hash = hash_password(password)
    user.rotate_session_token()


def end_sessions(user: User) -> None:
    """Sign ``user`` out everywhere: every session and "keep me signed in" cookie, on every
    device, stops opening pages at its next request (sign-out, deactivation, role removal)."""
    user.rotate_session_token()


def set_roles(user: User, roles) -> None:
    """Give ``user`` exactly ``roles``. Losing one ends their sessions, so a page or a form
    they opened with the old rights is not theirs to use any more."""
    wanted = {Role(r) for r in roles}
    if user.roles - wanted:
        end_sessions(user)
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    have = user.roles
    user.role_rows.extend(UserRole(role=r) for r in wanted - have)


def search_users(query: str, limit: int = 8) -> list[User]:
    """Active people whose name or email contains ``query`` (case-insensitive)."""
    q = (query or "").strip().lower()
    if len(q) < 2:
        return []
    return list(db.session.scalars(
        select(User).where(User.active, or_(contains(User.name, q), contains(User.email, q)))
        .order_by(User.name).limit(limit)))


def set_membership(team: Team, user: User, *, is_lead: bool = False) -> Membership:
    membership = db.session.get(Membership, (team.id, user.id))
    if membership is None:
        membership = Membership(team=team, user=user)
        db.session.add(membership)
    membership.is_lead = is_lead
    return membership


def remove_membership(team: Team, user: User) -> None:
    membership = db.session.get(Membership, (team.id, user.id))
    if membership is not None:
        db.session.delete(membership)


def change_own_password(user: User, current: str, new: str) -> None:
    """``user`` replaces their own password, proving they know the current one. Refused with
    field errors: a wrong current password, a new one equal to it, too short or too easy to
    guess. Every session of the user ends; the view re-issues the one the change was made from."""
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed("Check the highlighted fields.",
                               {"current_password": ["This is not your current password."]})
    problems = password_problems(new, user_inputs=(user.email, user.name))
    if new == current:
        problems = ["Choose a password different from your current one."]
    if problems:
        raise ValidationFailed("Check the highlighted fields.", {"new_password": problems})
    set_password(user, new)
    db.session.flush()


# --- Administration (the admin area's user pages) -----------------------------------------------


@dataclass
class UserInput:
    """What an admin can set on an account; ``password`` None or "" keeps the current one."""

    email: str
    name: str
    roles: list[Role] = field(default_factory=list)
    active: bool = True
    phone: str | None = None
    location: str | None = None
    department: str | None = None
    manager_id: int | None = None
    password: str | None = None


def user_page(query: str = "", role: Role | None = None, page: int = 1, per_page: int = 25):
    """One page of all accounts (inactive too), by name; ``query`` matches name or email."""
    stmt = select(User).options(selectinload(User.memberships)).order_by(func.lower(User.name), User.id)
    q = (query or "").strip().lower()
    if q:
        stmt = stmt.where(or_(contains(User.name, q), contains(User.email, q)))
    if role:
        stmt = stmt.where(User.role_rows.any(UserRole.role == role))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def manager_candidates(user: User | None) -> list[User]:
    """Who may be picked as ``user``'s manager: active people other than the user, plus the
    current manager even if inactive (so saving the form does not silently drop them)."""
    people = select(User).where(User.active)
    if user is not None:
        people = select(User).where(or_(User.active, User.id == user.manager_id), User.id != user.id)
    return list(db.session.scalars(people.order_by(func.lower(User.name))))


def count_users() -> tuple[int, int]:
    """(all accounts, active accounts) for the admin overview."""
    total, active = db.session.execute(
        select(func.count(User.id), func.count(User.id).filter(User.active))).one()
    return total, active


def save_user(user: User | None, data: UserInput, actor: User) -> User:
    """Create (``user`` None) or update an account as ``actor``, an admin.

    Refused with field errors: an email another account holds (emails compare lower-case), a
    manager who is the user themselves, a password too short or too easy to guess, and an admin
    removing their own admin role or deactivating themselves (nobody else may be left to undo
    it). A new password, deactivation or a role taken away ends the user's sessions.
    """
    errors = _user_errors(user, data, actor)
    if errors:
        raise ValidationFailed("Check the highlighted fields.", errors)
    details = dict(phone=data.phone or None, location=data.location or None,
                   department=data.department or None, manager_id=data.manager_id, active=data.active)
    if user is None:
        return create_user(data.email, data.name, data.password or None, roles=data.roles, **details)
    if user.active and not data.active:
        end_sessions(user)
    user.email, user.name = normalize_email(data.email), data.name.strip()
    for key, value in details.items():
        setattr(user, key, value)
    set_roles(user, data.roles)
    if data.password:
        set_password(user, data.password)
    db.session.flush()
    return user


def _user_errors(user: User | None, data: UserInput, actor: User) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    holder = find_user_by_email(data.email)
    if holder is not None and holder is not user:
        errors["email"] = ["Another account already uses this email."]
    if user is not None and data.manager_id == user.id:
        errors["manager_id"] = ["A person cannot be their own manager."]
    if data.password:
        problems = password_problems(data.password, user_inputs=(data.email, data.name))
        if problems:
            errors["password"] = problems
    if user is not None and user.is_agent and user.memberships and not {Role(r) for r in data.roles} & {
            Role.AGENT, Role.ADMIN}:
        # Team members work the team's queue (services.teams.add_member): not without the role.
        names = ", ".join(sorted(m.team.name for m in user.memberships))
        errors["roles"] = [f"{user.name} works in {names}: remove them from the team first, or keep "
                           "the Technician role."]
    if user is not None and user.id == actor.id:
        if Role.ADMIN not in data.roles:
            errors.setdefault("roles", []).append("You cannot remove your own admin role.")
        if not data.active:
            errors["active"] = ["You cannot deactivate your own account."]
    return errors
