"""People and the teams they work in."""
import enum
import hmac
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import str_enum, utcnow


class Role(enum.StrEnum):
    EMPLOYEE = "employee"
    AGENT = "agent"
    APPROVER = "approver"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"agent": "Technician"}.get(self.value, self.value.capitalize())


def new_session_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits, 43 URL-safe characters


def session_tokens_match(token: str | None, stored: str | None) -> bool:
    """A session's token against the user's: constant-time, so timing tells nothing about the
    stored token; an empty token on either side never matches."""
    if not token or not stored:
        return False
    return hmac.compare_digest(token.encode(), stored.encode())


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: cannot sign in
    phone: Mapped[str | None] = mapped_column(String(40))
    location: Mapped[str | None] = mapped_column(String(120))
    department: Mapped[str | None] = mapped_column(String(120))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every session's id (see get_id): replacing it ends all of this user's sessions at
    # once, on every web process, with nothing kept in Redis. Never shared, never empty.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)

    manager: Mapped["User | None"] = relationship(remote_side=[id])
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    # Loaded when first used (team checks), not with every signed-in request: live polls that
    # find nothing changed never need it.
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What the session stores: "<id>:<session_token>" (Flask-Login's alternative tokens),
        so a session copied before the token changed no longer names anyone."""
        return f"{self.id}:{self.session_token}"

    def holds_session_token(self, token: str) -> bool:
        return session_tokens_match(token, self.session_token)

    def rotate_session_token(self) -> None:
        """End every session of this user (the current one too, unless re-issued)."""
        self.session_token = new_session_token()

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_agent(self) -> bool:
        return self.has_role(Role.AGENT, Role.ADMIN)

    @property
    def team_ids(self) -> set[int]:
        return {m.team_id for m in self.memberships}

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        str_enum(Role, "role"),
        primary_key=True,
    )
    user: Mapped[User] = relationship(back_populates="role_rows")


class Team(db.Model):
    __tablename__ = "teams"
    __table_args__ = (CheckConstraint("tier BETWEEN 1 AND 3", name="tier_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    # Where tickets go when this team escalates them (tier 1 -> tier 2 ...).
    escalation_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    escalation_team: Mapped["Team | None"] = relationship(remote_side=[id])
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class Membership(db.Model):
    __tablename__ = "memberships"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)

    team: Mapped[Team] = relationship(back_populates="memberships", lazy="joined")
    user: Mapped[User] = relationship(back_populates="memberships")
