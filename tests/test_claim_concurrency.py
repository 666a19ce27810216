"""Two technicians claim the same ticket at the same moment: exactly one wins.

Each claimer runs in its own thread with its own app context, hence its own session and
database connection, as two web processes would; a Barrier releases them together. The race is
run several times, through the service (as a request does: write transaction, load, claim,
commit) and through two HTTP clients.
"""

import pytest
from sqlalchemy import func, select

from app.database import begin_write_transaction
from app.extensions import db
from app.models import Role, Ticket, TicketEvent, User
from app.services import assignment
from app.services.errors import Conflict
from app.sessions import session_values
from tests.concurrency import run_together

ROUNDS = 5


@pytest.fixture
def race(make_team, make_category, make_user):
    team = make_team("Desk")
    return type("Race", (), dict(
        category=make_category("Network", team=team),
        tom=make_user("tom", roles=[Role.AGENT], teams=[team]),
        sue=make_user("sue", roles=[Role.AGENT], teams=[team]),
        ann=make_user("ann")))


def _claimed_events(ticket_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(TicketEvent).where(
        TicketEvent.ticket_id == ticket_id, TicketEvent.action == "claimed"))


def _assert_one_winner(ticket_id: int, winner_names: list[str]) -> None:
    ticket = db.session.get(Ticket, ticket_id)
    assert len(winner_names) == 1
    assert ticket.assignee.name == winner_names[0]
    assert _claimed_events(ticket_id) == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_threads_claiming_via_the_service(app, race, make_ticket, round_):
    ticket_id = make_ticket(race.ann, race.category).id

    def claimer(user_id):
        def job(barrier):
            with app.app_context():
                barrier.wait()
                begin_write_transaction()  # as every POST request does
                agent = db.session.get(User, user_id)
                ticket = db.session.get(Ticket, ticket_id)
                try:
                    assignment.claim_ticket(ticket, agent)
                except Conflict as lost:
                    db.session.rollback()
                    return lost
                db.session.commit()
                return agent.name
        return job

    results = run_together(claimer(race.tom.id), claimer(race.sue.id))
    db.session.rollback()  # end the test's own read snapshot (SQLite WAL) to see the claims
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(losers) == 1, results
    _assert_one_winner(ticket_id, winners)
    assert f"already claimed by {winners[0]}" in losers[0].message


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_clients_claiming_over_http(app, race, make_ticket, round_):
    ticket = make_ticket(race.ann, race.category)
    number, ticket_id = ticket.number, ticket.id

    def claimer(user):
        client = app.test_client()
        with client.session_transaction() as session:
            session.update(session_values(user))

        def job(barrier):
            with app.app_context():
                barrier.wait()
                response = client.post(f"/agent/tickets/{number}/claim", headers={"HX-Request": "true"})
                return response.status_code, response.get_data(as_text=True)
        return job

    results = run_together(claimer(race.tom), claimer(race.sue))
    assert sorted(status for status, _ in results) == [200, 409], results
    body_of_loser = next(body for status, body in results if status == 409)
    db.session.rollback()  # end the test's own read snapshot (SQLite WAL) to see the claims
    winner = db.session.get(Ticket, ticket_id).assignee.name
    _assert_one_winner(ticket_id, [winner])
    assert f"{number} was already claimed by {winner}" in body_of_loser
