"""Approval policies as admins define them: a named list of steps, each any-of or all-of, with
approvers named as people, a role, the requester's manager or a team's leads.

Saving replaces the policy's steps as a whole: tickets already filed keep the steps copied onto
them (services.approvals), so editing a policy never moves a ticket that is waiting.
"""
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.extensions import db
from app.models import (ApprovalPolicy, ApprovalStepDef, ApproverKind, CatalogItem, Role, StepMode,
                        Team, User, ValidationRule)
from app.services.errors import ValidationFailed


@dataclass
class StepInput:
    name: str
    mode: StepMode
    approvers: list[dict]  # specs, as stored on ApprovalStepDef.approvers


@dataclass
class PolicyInput:
    name: str
    description: str = ""
    active: bool = True
    steps: list[StepInput] = field(default_factory=list)


@dataclass
class PolicyRow:
    policy: ApprovalPolicy
    items: int  # catalog items that ask for it
    rules: int  # validation rules that ask for it


def list_policies() -> list[PolicyRow]:
    """Every policy with how many items and rules use it (two grouped counts, not one per row)."""
    items = dict(db.session.execute(select(CatalogItem.approval_policy_id, func.count())
                                    .group_by(CatalogItem.approval_policy_id)).all())
    rules = dict(db.session.execute(select(ValidationRule.approval_policy_id, func.count())
                                    .group_by(ValidationRule.approval_policy_id)).all())
    policies = db.session.scalars(select(ApprovalPolicy).order_by(ApprovalPolicy.name))
    return [PolicyRow(p, items.get(p.id, 0), rules.get(p.id, 0)) for p in policies]


def approver_candidates() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active).order_by(User.name)))


def team_choices() -> list[Team]:
    return list(db.session.scalars(select(Team).where(Team.active).order_by(Team.name)))


def specs_of(step: ApprovalStepDef) -> list[dict]:
    return json.loads(step.approvers or "[]")


def describe_spec(spec: dict, users: dict[int, User], teams: dict[int, Team]) -> str:
    """"Ann Lee", "everyone with the Approver role", "the requester's manager", "leads of Network"."""
    kind = spec.get("kind")
    if kind == ApproverKind.USER:
        user = users.get(spec.get("user_id"))
        return user.name if user else "(a removed person)"
    if kind == ApproverKind.ROLE:
        return f"everyone with the {Role(spec['role']).label} role"
    if kind == ApproverKind.MANAGER:
        return "the requester's manager"
    team = teams.get(spec.get("team_id"))
    return f"leads of {team.name}" if team else "(a removed team's leads)"


def step_summaries(policy: ApprovalPolicy) -> list[str]:
    """One line per step, e.g. "Manager — any one of: the requester's manager"."""
    specs = [s for step in policy.steps for s in specs_of(step)]
    user_ids = {s.get("user_id") for s in specs if s.get("kind") == ApproverKind.USER}
    team_ids = {s.get("team_id") for s in specs if s.get("kind") == ApproverKind.TEAM_LEAD}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    teams = {t.id: t for t in db.session.scalars(select(Team).where(Team.id.in_(team_ids)))} if team_ids else {}
    return [f"{step.name} — {step.mode.label.lower()}: "
            + ", ".join(describe_spec(s, users, teams) for s in specs_of(step)) for step in policy.steps]


def form_data(policy: ApprovalPolicy) -> dict:
    """The policy as the edit form's initial data."""
    steps = []
    for step in policy.steps:
        specs = specs_of(step)
        steps.append({
            "name": step.name, "mode": step.mode.value, "position": step.position,
            "users": [s["user_id"] for s in specs if s.get("kind") == ApproverKind.USER],
            "roles": [s["role"] for s in specs if s.get("kind") == ApproverKind.ROLE],
            "manager": any(s.get("kind") == ApproverKind.MANAGER for s in specs),
            "teams": [s["team_id"] for s in specs if s.get("kind") == ApproverKind.TEAM_LEAD],
        })
    return {"name": policy.name, "description": policy.description, "active": policy.active,
            "steps": steps}


def _spec_errors(spec: dict, user_ids: set[int], team_ids: set[int]) -> str | None:
    kind = spec.get("kind")
    if kind == ApproverKind.USER and spec.get("user_id") not in user_ids:
        return "Pick people from the list of active users."
    if kind == ApproverKind.ROLE and spec.get("role") not in {r.value for r in Role}:
        return "Pick a role from the list."
    if kind == ApproverKind.TEAM_LEAD and spec.get("team_id") not in team_ids:
        return "Pick teams from the list."
    if kind not in {k.value for k in ApproverKind}:
        return "Unknown kind of approver."
    return None


def _field_of(spec: dict) -> str:
    return {"user": "users", "role": "roles", "team_lead": "teams"}.get(spec.get("kind"), "manager")


def validate_policy(policy: ApprovalPolicy | None, data: PolicyInput) -> dict[str, list[str]]:
    """Every problem at once, keyed by form field (``steps-<n>-<field>`` for the n-th step)."""
    errors: dict[str, list[str]] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = ["Enter a name."]
    else:
        clash = db.session.scalar(select(ApprovalPolicy.id).where(
            func.lower(ApprovalPolicy.name) == name.lower()))
        if clash is not None and (policy is None or clash != policy.id):
            errors["name"] = ["Another approval policy has this name."]
    if not data.steps:
        errors["steps"] = ["Keep at least one step: a policy without steps approves nothing."]
    user_ids = set(db.session.scalars(select(User.id).where(User.active)))
    team_ids = set(db.session.scalars(select(Team.id).where(Team.active)))
    for n, step in enumerate(data.steps):
        if not step.name.strip():
            errors[f"steps-{n}-name"] = ["Name the step, e.g. \"Manager approval\"."]
        if not step.approvers:
            errors[f"steps-{n}-users"] = ["Name at least one approver: people, a role, the manager or team leads."]
        for spec in step.approvers:
            message = _spec_errors(spec, user_ids, team_ids)
            if message:
                errors.setdefault(f"steps-{n}-{_field_of(spec)}", []).append(message)
    return errors


def save_policy(policy: ApprovalPolicy | None, data: PolicyInput) -> ApprovalPolicy:
    """Create or update a policy and replace its steps; refused input changes nothing."""
    errors = validate_policy(policy, data)
    if errors:
        raise ValidationFailed("Check the policy and its steps.", errors)
    if policy is None:
        policy = ApprovalPolicy()
        db.session.add(policy)
    policy.name, policy.description, policy.active = data.name.strip(), (data.description or "").strip(), data.active
    policy.steps = [ApprovalStepDef(position=n + 1, name=s.name.strip(), mode=s.mode,
                                    approvers=json.dumps(s.approvers, sort_keys=True))
                    for n, s in enumerate(data.steps)]
    db.session.flush()
    return policy
