"""Approvals: policies admins define, and the approval steps a ticket goes through."""
import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import str_enum, utcnow
from app.models.ticket import Ticket
from app.models.user import User


class StepMode(enum.StrEnum):
    ANY = "any"  # one approval completes the step
    ALL = "all"  # every approver must approve

    @property
    def label(self) -> str:
        return {"any": "Any one of", "all": "All of"}[self.value]


class ApproverKind(enum.StrEnum):
    USER = "user"  # a named person
    ROLE = "role"  # everyone holding a role (e.g. approver)
    MANAGER = "manager"  # the requester's manager
    TEAM_LEAD = "team_lead"  # the leads of a team

    @property
    def label(self) -> str:
        return {"user": "Person", "role": "Role", "manager": "Requester's manager",
                "team_lead": "Team lead"}[self.value]


class ApprovalPolicy(db.Model):
    __tablename__ = "approval_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    steps: Mapped[list["ApprovalStepDef"]] = relationship(
        back_populates="policy", cascade="all, delete-orphan", order_by="ApprovalStepDef.position",
        lazy="selectin")


class ApprovalStepDef(db.Model):
    """One step of a policy. ``approvers`` is a JSON list of specs, each
    {"kind": "user", "user_id": 7} | {"kind": "role", "role": "approver"} | {"kind": "manager"}
    | {"kind": "team_lead", "team_id": 2}; they are resolved to people when a ticket is filed."""

    __tablename__ = "approval_step_defs"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("approval_policies.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(120))
    mode: Mapped[StepMode] = mapped_column(str_enum(StepMode, "step_mode"), default=StepMode.ANY)
    approvers: Mapped[str] = mapped_column(Text, default="[]")

    policy: Mapped[ApprovalPolicy] = relationship(back_populates="steps")


class StepState(enum.StrEnum):
    WAITING = "waiting"  # a later step; not yet asked
    PENDING = "pending"  # asked now
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # the ticket ended before this step was decided

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ApprovalStep(db.Model):
    """A step a ticket must pass, copied from its policy when the ticket was filed."""

    __tablename__ = "approval_steps"
    __table_args__ = (UniqueConstraint("ticket_id", "position", name="uq_approval_steps_ticket_pos"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    mode: Mapped[StepMode] = mapped_column(str_enum(StepMode, "step_mode"))
    state: Mapped[StepState] = mapped_column(str_enum(StepState, "step_state"), default=StepState.WAITING)
    policy_name: Mapped[str] = mapped_column(String(120))
    asked_at: Mapped[datetime | None]  # when it became pending: the inbox's "oldest first"
    decided_at: Mapped[datetime | None]

    ticket: Mapped[Ticket] = relationship()
    assignments: Mapped[list["ApprovalAssignment"]] = relationship(
        back_populates="step", cascade="all, delete-orphan", lazy="selectin")
    decisions: Mapped[list["ApprovalDecision"]] = relationship(
        back_populates="step", cascade="all, delete-orphan", lazy="selectin",
        order_by="ApprovalDecision.id")


class ApprovalAssignment(db.Model):
    """Who may decide a step (resolved from the policy's specs when the ticket was filed)."""

    __tablename__ = "approval_assignments"
    __table_args__ = (Index("ix_approval_assignments_user", "user_id", "step_id"),)

    step_id: Mapped[int] = mapped_column(ForeignKey("approval_steps.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    step: Mapped[ApprovalStep] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship(lazy="joined")


class Decision(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class ApprovalDecision(db.Model):
    """One person's decision on one step; the unique key makes "approve twice" impossible."""

    __tablename__ = "approval_decisions"
    __table_args__ = (UniqueConstraint("step_id", "approver_id", name="uq_approval_decisions_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("approval_steps.id", ondelete="CASCADE"))
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[Decision] = mapped_column(str_enum(Decision, "decision"))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    step: Mapped[ApprovalStep] = relationship(back_populates="decisions")
    approver: Mapped[User] = relationship(lazy="joined")
