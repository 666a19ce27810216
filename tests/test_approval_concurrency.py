"""Two approvers of an all-of step decide at the same moment: both decisions count once, the
step is approved once and the ticket moves on once. The same approver twice: one decision.

Each decider runs in its own thread with its own app context (own session and connection), as
two web processes would; a Barrier releases them together; each race is repeated.
"""
import pytest
from sqlalchemy import func, select

from app.database import begin_write_transaction
from app.extensions import db
from app.models import ApprovalDecision, Decision, Status, StepState, Ticket, TicketEvent, User
from app.services import approvals
from app.services.errors import Conflict
from tests.concurrency import run_together
from tests.test_approvals import all_of, submit, world  # noqa: F401 (fixtures)

ROUNDS = 5


def _decider(app, step_id: int, user_id: int):
    def job(barrier):
        with app.app_context():
            barrier.wait()
            begin_write_transaction()  # as every POST request does
            try:
                approvals.decide(step_id, db.session.get(User, user_id), Decision.APPROVED)
            except Conflict as lost:
                db.session.rollback()
                return lost
            db.session.commit()
            return "ok"
    return job


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_approvers_of_an_all_of_step_at_once(app, world, all_of, round_):  # noqa: F811
    ticket = submit(world, all_of)
    step_id, ticket_id = approvals.ticket_steps(ticket)[0].id, ticket.id
    results = run_together(_decider(app, step_id, world.amy.id), _decider(app, step_id, world.bob.id))
    assert results == ["ok", "ok"]
    db.session.rollback()  # end the test's own snapshot to see the threads' commits
    step = approvals.ticket_steps(db.session.get(Ticket, ticket_id))[0]
    assert step.state == StepState.APPROVED and len(step.decisions) == 2
    assert db.session.get(Ticket, ticket_id).status == Status.OPEN
    assert _count(TicketEvent, TicketEvent.ticket_id == ticket_id, TicketEvent.action == "status_changed",
                  TicketEvent.new_value == "open") == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_same_approver_twice_at_once(app, world, all_of, round_):  # noqa: F811
    ticket = submit(world, all_of)
    step_id = approvals.ticket_steps(ticket)[0].id
    results = run_together(_decider(app, step_id, world.amy.id), _decider(app, step_id, world.amy.id))
    assert sorted(map(str, results)) == ["You have already decided on this step.", "ok"], results
    db.session.rollback()
    assert _count(ApprovalDecision, ApprovalDecision.step_id == step_id) == 1
    assert approvals.ticket_steps(db.session.get(Ticket, ticket.id))[0].state == StepState.PENDING
