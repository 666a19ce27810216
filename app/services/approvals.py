"""Approvals: when a ticket needs sign-off, the steps it must pass, and each decision.

Steps are copied from the policies onto the ticket when it is filed, with their approvers
resolved to people then (a later change to a policy or to someone's manager does not move a
ticket that is already waiting). The ticket waits Under Review; the first step is asked; each
step completes with one approval (any-of) or all of them (all-of); a rejection ends the ticket
as Cancelled with the approver's reason; full approval sends it on to its team's queue.

Four eyes: nobody decides a step of a ticket they requested, filed or are assigned to
(``permissions.approval_conflict``, the one place of that rule). Such people are left off a
step when it is planned, a step left with nobody refuses the submission, and a decision by
someone who gained a stake since (the ticket reassigned) is refused.

Deciding locks the step's row (SELECT … FOR UPDATE on PostgreSQL; on SQLite the write request's
BEGIN IMMEDIATE serialises writers), so two approvers of an all-of step deciding at the same
moment both count once and the step completes once. The unique (step, approver) key makes a
second decision by the same person impossible even if the checks above were bypassed.
"""
import json
from typing import NamedTuple

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    ApprovalAssignment, ApprovalDecision, ApprovalPolicy, ApprovalStep, ApprovalStepDef, ApproverKind,
    Decision, Membership, Role, Status, StepMode, StepState, Ticket, User, UserRole, utcnow,
)
from app.services import events
from app.services.audit import record_event
from app.services.errors import Conflict, PermissionDenied, ValidationFailed
from app.services.lifecycle import transition_ticket
from app.services.my_tickets import rejected_ids
from app.services.permissions import approval_conflict, may_decide_approvals


def resolve_approvers(spec: dict, ticket: Ticket) -> set[int]:
    """The active people a step's approver spec names for this ticket."""
    kind = ApproverKind(spec.get("kind"))
    if kind == ApproverKind.USER:
        query = select(User.id).where(User.id == spec.get("user_id"))
    elif kind == ApproverKind.ROLE:
        query = select(User.id).join(UserRole).where(UserRole.role == Role(spec.get("role")))
    elif kind == ApproverKind.MANAGER:
        manager_id = ticket.requester.manager_id if ticket.requester else None
        query = select(User.id).where(User.id == manager_id)
    else:
        query = select(Membership.user_id).join(User, User.id == Membership.user_id).where(
            Membership.team_id == spec.get("team_id"), Membership.is_lead)
    return set(db.session.scalars(query.where(User.active)))


def plan_approvals(ticket: Ticket, policies: list[ApprovalPolicy]) -> list[ApprovalStep]:
    """Copy the policies' steps onto ``ticket``, waiting (``ask_first_step`` asks the first
    once the ticket is Under Review).

    Four eyes: nobody is asked to approve a ticket they requested, filed or are assigned to
    (``permissions.approval_conflict``); an all-of step simply waits for the others. Refused
    (ValidationFailed) when a step would have nobody to ask, for example a manager step for a
    requester without a manager: the submitter is told before anything is filed.
    """
    steps = []
    for policy in policies:
        for step_def in policy.steps:
            approver_ids = _step_approvers(ticket, policy, step_def)
            step = ApprovalStep(ticket_id=ticket.id, position=len(steps) + 1, name=step_def.name,
                                mode=step_def.mode, policy_name=policy.name)
            step.assignments = [ApprovalAssignment(user_id=uid) for uid in sorted(approver_ids)]
            db.session.add(step)
            steps.append(step)
    return steps


def ask_first_step(ticket: Ticket) -> None:
    _ask(ticket, ticket_steps(ticket)[0])


def _step_approvers(ticket: Ticket, policy: ApprovalPolicy, step_def: ApprovalStepDef) -> set[int]:
    """The people a step asks on ``ticket``: those it names, less anyone with a stake in it."""
    named = set()
    for spec in json.loads(step_def.approvers or "[]"):
        named |= resolve_approvers(spec, ticket)
    asked = {uid for uid in named if may_decide_approvals(uid, ticket)}
    if asked:
        return asked
    intro = f"This request needs approval ({policy.name}: {step_def.name}), but"
    if not named:
        raise ValidationFailed(
            f"{intro} nobody can approve it for you yet (for example, no manager is set on your "
            "profile). Contact the IT service desk.")
    raise ValidationFailed(
        f"{intro} nobody else can approve it: everyone the step names requested this ticket, "
        "filed it or works on it, and nobody approves their own. Ask an admin to name another "
        "approver, or contact the IT service desk.")


def _ask(ticket: Ticket, step: ApprovalStep) -> None:
    step.state, step.asked_at = StepState.PENDING, utcnow()
    db.session.flush()
    events.publish("approval.requested", ticket, step_id=step.id)


def ticket_steps(ticket: Ticket) -> list[ApprovalStep]:
    return list(db.session.scalars(select(ApprovalStep).where(ApprovalStep.ticket_id == ticket.id)
                                   .order_by(ApprovalStep.position)))


def _locked_step(step_id: int) -> ApprovalStep:
    step = db.session.scalar(select(ApprovalStep).where(ApprovalStep.id == step_id)
                             .with_for_update().execution_options(populate_existing=True))
    if step is None:
        raise Conflict("This approval no longer exists.")
    db.session.refresh(step.ticket)  # a copy loaded before the lock may predate a decision
    return step


def can_decide(user: User, step: ApprovalStep) -> bool:
    """Asked now, named on it, no stake in the ticket, not decided yet (no queries): what
    shows the decision buttons, and the same checks ``decide`` makes."""
    return (step.state == StepState.PENDING
            and is_assigned(user, step)
            and may_decide_approvals(user.id, step.ticket)
            and all(d.approver_id != user.id for d in step.decisions))


def _check_may_decide(user: User, step: ApprovalStep) -> None:
    """Not yours (or a ticket you have a stake in: requested, filed, assigned, perhaps since the
    step was planned): PermissionDenied, whatever the step's state. Yours but already decided,
    or no longer (or not yet) asked: Conflict, someone or something got there first."""
    conflict = approval_conflict(user.id, step.ticket)
    if conflict:
        raise PermissionDenied(conflict)
    if all(a.user_id != user.id for a in step.assignments):
        raise PermissionDenied("This approval step is not yours to decide.")
    if any(d.approver_id == user.id for d in step.decisions):
        raise Conflict("You have already decided on this step.")
    if step.state == StepState.WAITING:
        raise Conflict("This step is not asked yet: an earlier step must be approved first.")
    if step.state != StepState.PENDING:
        raise Conflict(f"This step is already {step.state.label.lower()}; there is nothing to decide.")


def decide(step_id: int, approver: User, decision: Decision, comment: str = "") -> ApprovalStep:
    """Record ``approver``'s decision and move the ticket on when it completes the step."""
    step = _locked_step(step_id)
    comment = (comment or "").strip()
    _check_may_decide(approver, step)
    if decision == Decision.REJECTED and not comment:
        raise ValidationFailed("A rejection needs a reason.",
                               {"comment": ["Say why, so the requester knows what to do."]})
    try:
        with db.session.begin_nested():
            db.session.add(ApprovalDecision(step=step, approver_id=approver.id, decision=decision,
                                            comment=comment))
    except IntegrityError:
        raise Conflict("You have already decided on this step.") from None
    ticket = step.ticket
    ticket.updated_at = utcnow()  # bumps its version: live ticket pages show who has signed
    record_event(ticket, approver, "approval_" + decision.value, field="approval",
                 new=f"{step.name}: {decision.value}", note=comment or None)
    if decision == Decision.REJECTED:
        _finish(step, StepState.REJECTED)
        reason = f"Rejected by {approver.name}: {comment}"
        transition_ticket(ticket, Status.CANCELLED, None, reason=reason, actor_label="Approval")
        ticket.resolution = reason  # what the requester reads as the outcome
    elif step.mode == StepMode.ANY or _all_approved(step):
        _finish(step, StepState.APPROVED)
        _advance(ticket, step)
    return step


def _all_approved(step: ApprovalStep) -> bool:
    """Every approver still asked has approved: one who has since gained a stake in the ticket
    is no longer asked, so the step does not wait for a decision they may not make."""
    approved = {d.approver_id for d in step.decisions if d.decision == Decision.APPROVED}
    return approved >= {a.user_id for a in step.assignments
                        if may_decide_approvals(a.user_id, step.ticket)}


def _finish(step: ApprovalStep, state: StepState) -> None:
    """Close the step; later steps of a rejected ticket are closed by ``on_status_changed``."""
    step.state, step.decided_at = state, utcnow()


def _advance(ticket: Ticket, step: ApprovalStep) -> None:
    """Ask the next step, or, after the last, open the ticket and say it is approved."""
    following = [s for s in ticket_steps(ticket) if s.position > step.position]
    if following:
        _ask(ticket, following[0])
        return
    transition_ticket(ticket, Status.OPEN, None, reason="Fully approved", actor_label="Approval")
    events.publish("approval.completed", ticket)  # on to its team (app/subscriptions.py)


def _waiting_for(user: User, *columns):
    """``columns`` of the pending steps ``user`` is named on and has not decided yet."""
    decided = select(ApprovalDecision.step_id).where(ApprovalDecision.approver_id == user.id)
    return (select(*columns).select_from(ApprovalStep).join(ApprovalAssignment)
            .where(ApprovalAssignment.user_id == user.id, ApprovalStep.state == StepState.PENDING,
                   ApprovalStep.id.not_in(decided)))


def pending_count(user: User) -> int:
    """How many steps wait for ``user``'s decision (the nav badge): the inbox's rule, reading
    only the ticket columns the four-eyes check needs."""
    parties = db.session.execute(
        _waiting_for(user, Ticket.requester_id, Ticket.created_by_id, Ticket.assignee_id)
        .join(Ticket, Ticket.id == ApprovalStep.ticket_id))
    return sum(1 for row in parties if may_decide_approvals(user.id, row))


def inbox(user: User) -> list[ApprovalStep]:
    """Steps waiting for ``user``'s decision, oldest first; not those of a ticket they have
    gained a stake in since they were named (they may not decide it)."""
    steps = db.session.scalars(
        _waiting_for(user, ApprovalStep)
        .options(selectinload(ApprovalStep.ticket).selectinload(Ticket.requester),
                 selectinload(ApprovalStep.ticket).selectinload(Ticket.form_version))
        .order_by(ApprovalStep.asked_at, ApprovalStep.id))
    return [step for step in steps if may_decide_approvals(user.id, step.ticket)]


def step_counts(ticket_ids: list[int]) -> dict[int, int]:
    """How many steps each ticket has ("Step 1 of 2"), in one query."""
    rows = db.session.execute(select(ApprovalStep.ticket_id, func.count()).where(
        ApprovalStep.ticket_id.in_(ticket_ids)).group_by(ApprovalStep.ticket_id))
    return dict(rows.all())


def _kind_key(ticket):
    """What makes two tickets requests "of the same kind": the catalog item they were ordered
    from, or, for a ticket filed without one, its type and category."""
    if ticket.catalog_item_id is not None:
        return ticket.requester_id, ticket.catalog_item_id, None, None
    return ticket.requester_id, None, ticket.ticket_type, ticket.category_id


class PastRequest(NamedTuple):
    ticket: Ticket
    rejected: bool  # cancelled because an approver said no, which the list says in words


def similar_requests(tickets: list[Ticket], limit: int = 3) -> dict[int, list[PastRequest]]:
    """For each ticket, its requester's latest other submitted requests of the same kind (same
    catalog item; same type and category when filed without one), with their outcome: what an
    approver weighs a request against. Nothing else the requester filed is shown (an approver
    deciding a licence has no business reading their incidents). One query for the whole inbox:
    a window per requester and kind."""
    wanted = {_kind_key(t) for t in tickets if t.requester_id is not None}
    if not wanted:
        return {t.id: [] for t in tickets}
    uncatalogued = Ticket.catalog_item_id.is_(None)
    kind = (Ticket.requester_id, Ticket.catalog_item_id, case((uncatalogued, Ticket.ticket_type)),
            case((uncatalogued, Ticket.category_id)))
    rank = func.row_number().over(partition_by=kind, order_by=(Ticket.created_at.desc(), Ticket.id.desc()))
    items = {k[1] for k in wanted if k[1] is not None}
    types = {k[2] for k in wanted if k[1] is None}
    recent = (select(Ticket.id, rank.label("rank"))
              .where(Ticket.requester_id.in_({k[0] for k in wanted}), Ticket.status != Status.DRAFT,
                     or_(Ticket.catalog_item_id.in_(items), uncatalogued & Ticket.ticket_type.in_(types)))
              .subquery())
    rows = db.session.scalars(select(Ticket).join(recent, recent.c.id == Ticket.id)
                              .where(recent.c.rank <= limit + 1)
                              .order_by(Ticket.created_at.desc(), Ticket.id.desc()))
    by_kind: dict[tuple, list[Ticket]] = {}
    for row in rows:
        by_kind.setdefault(_kind_key(row), []).append(row)
    shown = {t.id: [r for r in by_kind.get(_kind_key(t), []) if r.id != t.id][:limit] for t in tickets}
    rejected = rejected_ids([r for rs in shown.values() for r in rs])
    return {tid: [PastRequest(r, r.id in rejected) for r in rs] for tid, rs in shown.items()}


def is_assigned(user: User, step: ApprovalStep) -> bool:
    """Named on the step (whatever its state): may read the request behind it (no queries)."""
    return any(a.user_id == user.id for a in step.assignments)


def on_status_changed(ticket: Ticket, old: str, new: str, actor_id: int | None = None) -> None:
    """A ticket that leaves Under Review other than by its approvals (withdrawn, cancelled by
    IT) closes its open steps, so they leave every approver's inbox."""
    if old != Status.UNDER_REVIEW or new == Status.OPEN:
        return
    for step in ticket_steps(ticket):
        if step.state in (StepState.PENDING, StepState.WAITING):
            step.state, step.decided_at = StepState.CANCELLED, utcnow()
