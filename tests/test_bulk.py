"""The queue's bulk bar over HTTP and its service: one action on many tickets, each through the
service a single change uses, each refusal reported alone while the others are done."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Comment, Role, Status, Ticket, TicketEvent, TicketType
from app.services import assignment
from app.services.bulk import MAX_TICKETS, BulkAction, BulkKind, apply_bulk, bulk_targets
from app.services.lifecycle import transition_ticket

HX = {"HX-Request": "true"}


@pytest.fixture
def desk(make_team, make_category, make_user):
    team = make_team("Desk")
    return type("Desk", (), dict(
        team=team, category=make_category("Network", team=team),
        printers=make_category("Printers", team=team),
        tom=make_user("tom", roles=[Role.AGENT], teams=[team]),
        sam=make_user("sam lee", roles=[Role.AGENT], teams=[team]),
        ann=make_user("ann")))


def refs(*tickets) -> list[str]:
    return [f"{t.id}:{t.version}" for t in tickets]


def post(client, tickets, headers=None, **fields):
    data = {"ticket": tickets, "back": "/agent/?view=open&status=new", **fields}
    return client.post("/agent/bulk", data=data, headers=headers or {})


def test_bulk_assign_does_the_fresh_ones_and_refuses_the_stale_one(client, login, desk, make_ticket):
    tickets = [make_ticket(desk.ann, desk.category, title=f"Broken {i}") for i in range(3)]
    sent = refs(*tickets)  # what the queue rows showed
    assignment.claim_ticket(tickets[1], desk.sam)  # changed after the page was drawn
    db.session.commit()
    login(desk.tom)
    response = post(client, sent, HX, action="assign", assign_to=f"user:{desk.tom.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="queue-table"')
    assert 'hx-swap-oob="innerHTML:#bulk-result"' in html
    assert "Done: 2 of 3." in html
    assert f"{tickets[1].number} was changed by Sam Lee meanwhile" in html
    db.session.expire_all()
    assert [t.assignee_id for t in tickets] == [desk.tom.id, desk.sam.id, desk.tom.id]
    audited = db.session.scalar(select(func.count()).select_from(TicketEvent).where(
        TicketEvent.action == "assigned", TicketEvent.actor_id == desk.tom.id))
    assert audited == 2


def test_plain_post_flashes_the_outcome_and_returns_to_the_same_queue(client, login, desk, make_ticket):
    tickets = [make_ticket(desk.ann, desk.category) for _ in range(2)]
    login(desk.tom)
    response = post(client, refs(*tickets), action="priority", priority="1", text="Whole floor is down")
    assert response.status_code == 303
    assert response.headers["Location"] == "/agent/?view=open&status=new"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Done: 2 of 2" in page
    db.session.expire_all()
    assert {t.priority for t in tickets} == {1}
    assert {t.priority_reason for t in tickets} == {"Whole floor is down"}


def test_an_illegal_move_is_refused_by_number_and_the_rest_move(client, login, desk, make_ticket):
    done, closed = make_ticket(desk.ann, desk.category), make_ticket(desk.ann, desk.category)
    transition_ticket(closed, Status.RESOLVED, desk.tom, reason="Fixed")
    transition_ticket(closed, Status.CLOSED, desk.tom)
    db.session.commit()
    login(desk.tom)
    html = post(client, refs(done, closed), HX, action="status", status="in_progress").get_data(as_text=True)
    assert "Done: 1 of 2." in html
    assert re.search(rf"{closed.number}: An? incident cannot move from Closed to In Progress", html)
    db.session.expire_all()
    assert (done.status, closed.status) == (Status.IN_PROGRESS, Status.CLOSED)


def test_a_policy_refusal_is_one_ticket_only(app, desk, make_ticket):
    """A category change goes through edit_properties, so its checks run per ticket: a ticket
    with no impact set fails there, the other is recategorised."""
    good, odd = make_ticket(desk.ann, desk.category), make_ticket(desk.ann, desk.category)
    odd.impact = None
    db.session.commit()
    outcomes = apply_bulk(desk.tom, BulkAction(BulkKind.CATEGORY, category=desk.printers),
                          bulk_targets([(good.id, good.version), (odd.id, odd.version)]))
    db.session.commit()
    assert [o.done for o in outcomes] == [True, False]
    assert "Say how many people" in outcomes[1].reason
    db.session.expire_all()
    assert (good.category_id, odd.category_id) == (desk.printers.id, desk.category.id)


def test_internal_note_on_each_and_transfer_to_a_team(client, login, desk, make_ticket, make_team):
    tickets = [make_ticket(desk.ann, desk.category) for _ in range(2)]
    network = make_team("Network", tier=2)
    login(desk.tom)
    assert post(client, refs(*tickets), HX, action="note", text="Outage, see CHG000001").status_code == 200
    notes = db.session.scalar(select(func.count()).select_from(Comment).where(Comment.is_internal))
    assert notes == 2
    db.session.expire_all()
    response = post(client, refs(*tickets), HX, action="assign", assign_to=f"team:{network.id}",
                    text="Switch room problem")
    assert "Done: 2 of 2." in response.get_data(as_text=True)
    db.session.expire_all()
    assert {t.team_id for t in tickets} == {network.id}


@pytest.mark.parametrize("fields, message", [
    ({"action": "assign", "assign_to": ""}, "Choose a person or a team."),
    ({"action": "status", "status": "resolved"}, "asks for a reason"),
    ({"action": "status", "status": "draft"}, "Choose one from the list."),
    ({"action": "priority", "priority": "9", "text": "x"}, "Choose one from the list."),
    ({"action": "priority", "priority": "2"}, "Say why"),
    ({"action": "note"}, "Write the note."),
    ({"action": "explode"}, "Press one of the"),
    ({"action": "category", "category_id": "999999"}, "Choose one from the list."),
])
def test_bad_values_are_refused_whole_with_422(client, login, desk, make_ticket, fields, message):
    ticket = make_ticket(desk.ann, desk.category)
    version = ticket.version
    login(desk.tom)
    for headers in ({}, HX):
        response = post(client, refs(ticket), headers, **fields)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#bulk-result"
    db.session.expire_all()
    assert ticket.version == version


def test_a_person_who_may_not_work_tickets_is_not_offered(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = post(client, refs(ticket), action="assign", assign_to=f"user:{desk.ann.id}")
    assert response.status_code == 422
    assert "Choose one from the list." in response.get_data(as_text=True)


@pytest.mark.parametrize("tickets, message", [
    ([], "Select at least one ticket."),
    (["abc", "12"], "Not understood"),
    (["999999:1"], "Unknown tickets: 999999."),
])
def test_bad_selections_are_refused_with_422(client, login, desk, tickets, message):
    login(desk.tom)
    response = post(client, tickets, action="note", text="hello")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_too_many_tickets_are_refused(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = post(client, [f"{ticket.id + i}:1" for i in range(MAX_TICKETS + 1)], action="note", text="x")
    assert response.status_code == 422
    assert f"Select at most {MAX_TICKETS} tickets" in response.get_data(as_text=True)


def test_a_draft_is_an_unknown_ticket(client, login, desk):
    draft = Ticket(ticket_type=TicketType.INCIDENT, status=Status.DRAFT, requester=desk.ann,
                   created_by=desk.ann, title="Half written")
    db.session.add(draft)
    db.session.commit()
    login(desk.tom)
    response = post(client, [f"{draft.id}:1"], action="note", text="x")
    assert response.status_code == 422 and "Unknown tickets" in response.get_data(as_text=True)


@pytest.mark.parametrize("back", ["//evil.example/agent/", "https://evil.example/agent/", "/portal/",
                                  "/agent/tickets/INC000001", "/\\evil.example"])
def test_back_is_only_ever_the_queue(client, login, desk, make_ticket, back):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = client.post("/agent/bulk", data={"ticket": refs(ticket), "back": back, "action": "note",
                                                "text": "hi"})
    assert response.status_code == 303 and response.headers["Location"] == "/agent/"


def test_employees_cannot_post_bulk(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.ann)
    assert post(client, refs(ticket), action="note", text="x").status_code == 403


def test_queue_page_has_the_bar_and_named_row_controls(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    html = client.get("/agent/?view=team").get_data(as_text=True)
    assert 'id="bulk-form"' in html and 'id="select-all"' in html
    assert f'aria-label="Select {ticket.number}"' in html
    assert f'value="{ticket.id}:{ticket.version}" form="bulk-form"' in html
    assert f'Claim<span class="sr-only"> {ticket.number}</span>' in html
    assert 'id="shortcuts"' in html and "Keyboard shortcuts" in html


def test_the_answer_shows_the_keyset_page_the_bar_was_posted_from(client, login, desk, make_ticket):
    """A bulk post from page 2 reached by Next (after=…) answers with page 2's rows, read the way the page was."""
    tickets = [make_ticket(desk.ann, desk.category, title=f"Broken {i}") for i in range(30)]
    login(desk.tom)
    first = client.get("/agent/?view=open&sort=number").get_data(as_text=True)
    after = re.search(r'href="(/agent/\?[^"]*after=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(after).get_data(as_text=True)
    on_second = [t for t in tickets if f'id="row-{t.number}"' in second]
    assert on_second and len(on_second) < 30
    db.session.refresh(on_second[0])
    response = client.post("/agent/bulk", headers=HX, data={
        "ticket": refs(on_second[0]), "back": after, "action": "note", "text": "Checked"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert all(f'id="row-{t.number}"' in html for t in on_second)
    assert not any(f'id="row-{t.number}"' in html for t in tickets if t not in on_second)
