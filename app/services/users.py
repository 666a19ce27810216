"""Accounts, roles and teams."""
from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import Membership, Role, Team, User
from app.services.errors import ValidationFailed
from app.services.passwords import hash_password, verify_password


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
    user.password_hash = hash_password(password)


def set_roles(user: User, roles) -> None:
    from app.models import UserRole

    wanted = {Role(r) for r in roles}
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    have = user.roles
    user.role_rows.extend(UserRole(role=r) for r in wanted - have)


def search_users(query: str, limit: int = 8) -> list[User]:
    """Active people whose name or email contains ``query`` (case-insensitive)."""
    q = (query or "").strip().lower()
    if len(q) < 2:
        return []
    pattern = f"%{q}%"
    return list(db.session.scalars(
        select(User).where(User.active, or_(func.lower(User.name).like(pattern),
                                            User.email.like(pattern)))
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
