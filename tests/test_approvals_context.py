"""What an approver sees beside a request, and the top bar's count after a decision.

Beside each request the inbox shows the requester's earlier requests of the same kind (same
catalog item; same type and category for a request filed without one), with their outcome, and
nothing else they filed: a manager deciding a licence does not read their incidents."""
import json
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import (
    ApprovalPolicy, ApprovalStepDef, CatalogItem, Decision, FieldType, FormField, Role, Status,
    StepMode, Ticket, TicketType,
)
from app.services import approvals, tickets

HX = {"HX-Request": "true"}


@pytest.fixture
def world(make_category, make_team, make_user):
    team = make_team("Desktop Support")
    boss = make_user("boss", department="Finance")  # a manager, without the approver role
    ann = make_user("ann", manager_id=boss.id)
    amy = make_user("amy", roles=[Role.APPROVER])
    category = make_category("Software", team=team)
    policy = ApprovalPolicy(name="Manager", steps=[ApprovalStepDef(
        position=1, name="Manager approval", mode=StepMode.ANY, approvers=json.dumps([{"kind": "manager"}]))])

    def item(name):
        entry = CatalogItem(name=name, category=category, approval_policy=policy, fields=[
            FormField(key="why", label="Why", field_type=FieldType.TEXT, position=1)])
        db.session.add(entry)
        db.session.commit()
        return entry

    return SimpleNamespace(team=team, boss=boss, ann=ann, amy=amy, category=category, item=item)


def order(world, item, why="For work"):
    ticket = Ticket(status=Status.DRAFT, requester=world.ann, created_by=world.ann,
                    ticket_type=item.ticket_type, title=f"{item.name}: {why}", category=item.category,
                    impact=item.impact, urgency=item.urgency, catalog_item=item,
                    answers=json.dumps({"why": why}))
    db.session.add(ticket)
    db.session.flush()
    tickets.submit_ticket(ticket, world.ann)
    db.session.commit()
    return ticket


def step_of(ticket):
    return approvals.ticket_steps(ticket)[0]


def test_inbox_shows_earlier_requests_of_the_same_item_not_incidents(client, login, world, make_ticket):
    licence, monitor = world.item("Design licence"), world.item("Monitor")
    earlier = order(world, licence, why="Last year")
    other_item = order(world, monitor, why="Second screen")
    incident = make_ticket(world.ann, category=world.category, title="I clicked a phishing link")
    current = order(world, licence, why="Renewal")
    login(world.boss)
    page = client.get(f"/approvals/steps/{step_of(current).id}").get_data(as_text=True)
    assert "Ann's other requests for Design licence" in page
    assert earlier.number in page
    assert incident.number not in page and "phishing" not in page
    assert other_item.number not in page and "Second screen" not in page


def test_the_outcome_of_each_earlier_request_shows_in_words(client, login, world):
    licence = world.item("Design licence")
    refused = order(world, licence, why="Too early")
    approvals.decide(step_of(refused).id, world.boss, Decision.REJECTED, "Not this quarter")
    granted = order(world, licence, why="Project")
    approvals.decide(step_of(granted).id, world.boss, Decision.APPROVED)
    db.session.commit()
    current = order(world, licence, why="Again")
    past = approvals.similar_requests([current])[current.id]
    assert [(p.ticket.id, p.rejected) for p in past] == [(granted.id, False), (refused.id, True)]
    login(world.boss)
    page = client.get("/approvals/").get_data(as_text=True)
    assert '<span class="badge status-rejected">Rejected</span>' in page
    assert f'<span class="badge status-open">{Status.OPEN.label}</span>' in page


def test_only_a_few_latest_are_shown(world):
    licence = world.item("Design licence")
    made = [order(world, licence, why=f"n{n}") for n in range(5)]
    current = order(world, licence, why="latest")
    shown = [p.ticket.id for p in approvals.similar_requests([current], limit=3)[current.id]]
    assert shown == [t.id for t in reversed(made)][:3]


def test_without_a_catalog_item_same_type_and_category_count(world, make_ticket, make_category):
    change = make_ticket(world.ann, category=world.category, ticket_type=TicketType.CHANGE,
                         title="Upgrade the CAD plugin")
    same = make_ticket(world.ann, category=world.category, ticket_type=TicketType.CHANGE, title="Earlier change")
    make_ticket(world.ann, category=world.category, title="An incident in the same category")
    make_ticket(world.ann, category=make_category("Network"), ticket_type=TicketType.CHANGE, title="Other category")
    catalogued = order(world, world.item("Design licence"))
    past = approvals.similar_requests([change, catalogued])
    assert [p.ticket.id for p in past[change.id]] == [same.id]
    assert past[catalogued.id] == []


def test_someone_elses_requests_never_show(world, make_user):
    licence = world.item("Design licence")
    order(world, licence)
    current = order(world, licence)
    world.ann = make_user("bea", manager_id=world.boss.id)
    stranger = order(world, licence, why="Bea's own")
    past = approvals.similar_requests([current, stranger])
    assert all(p.ticket.requester_id == current.requester_id for p in past[current.id])
    assert past[stranger.id] == []


def test_the_inbox_loads_the_context_in_constant_queries(client, login, world, count_queries):
    licence, monitor = world.item("Design licence"), world.item("Monitor")
    order(world, licence), order(world, monitor)
    login(world.boss)
    few = count_queries(lambda: client.get("/approvals/"))
    for n in range(4):
        order(world, licence, why=f"more {n}"), order(world, monitor, why=f"more {n}")
    many = count_queries(lambda: client.get("/approvals/"))
    assert many <= few + 2  # items loaded once each, not once per entry


# --- The top bar's count ----------------------------------------------------------------------

def test_nav_link_shows_the_count_and_a_hidden_placeholder_when_nothing_waits(client, login, world):
    login(world.boss)
    empty = client.get("/approvals/nav", headers=HX).get_data(as_text=True)
    assert 'id="approvals-nav" hidden' in empty and "Approvals" not in empty
    order(world, world.item("Design licence"))
    shown = client.get("/approvals/nav", headers=HX).get_data(as_text=True)
    assert 'id="approvals-nav"' in shown and '<span class="count">1</span>' in shown


@pytest.mark.parametrize("origin", ["inbox", "step"])
def test_an_htmx_decision_updates_the_top_bar_count_out_of_band(client, login, world, origin):
    licence = world.item("Design licence")
    first, second = order(world, licence), order(world, licence)
    login(world.boss)
    body = client.post(f"/approvals/steps/{step_of(first).id}/decide", headers=HX,
                       data={"decision": "approved", "comment": "", "origin": origin}).get_data(as_text=True)
    assert '<a id="approvals-nav" href="/approvals/" hx-swap-oob="true">Approvals <span class="count">1</span></a>' in body
    body = client.post(f"/approvals/steps/{step_of(second).id}/decide", headers=HX,
                       data={"decision": "rejected", "comment": "No", "origin": origin}).get_data(as_text=True)
    assert '<span id="approvals-nav" hidden hx-swap-oob="true"></span>' in body


def test_a_plain_decision_leads_to_a_page_whose_count_is_fresh(client, login, world):
    licence = world.item("Design licence")
    first, _second = order(world, licence), order(world, licence)
    login(world.boss)
    response = client.post(f"/approvals/steps/{step_of(first).id}/decide",
                           data={"decision": "approved", "comment": "", "origin": "inbox"})
    assert response.status_code == 303
    assert '<span class="count">1</span>' in client.get("/approvals/nav", headers=HX).get_data(as_text=True)


def test_approvers_link_has_no_count_so_no_out_of_band_update(client, login, world, make_user):
    licence = world.item("Design licence")
    # amy (approver role) decides through a role step
    licence.approval_policy.steps[0].approvers = json.dumps([{"kind": "role", "role": "approver"}])
    db.session.commit()
    ticket = order(world, licence)
    login(world.amy)
    body = client.post(f"/approvals/steps/{step_of(ticket).id}/decide", headers=HX,
                       data={"decision": "approved", "comment": "", "origin": "inbox"}).get_data(as_text=True)
    assert "approvals-nav" not in body and 'id="inbox-count" hx-swap-oob="true"' in body


def test_in_a_browser_the_top_bar_count_follows_each_decision(live_url, browser, world):
    from playwright.sync_api import expect

    from test_browser_journey import sign_in

    licence = world.item("Design licence")
    first, second = order(world, licence, why="First"), order(world, licence, why="Second")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_url, "boss@example.com")
    page.goto(f"{live_url}/approvals/")
    nav = page.locator("#approvals-nav")
    expect(nav).to_have_text("Approvals 2", timeout=15000)
    page.locator(f"#approval-{step_of(first).id}").get_by_role("button", name=f"Approve {first.number}").click()
    expect(page.locator(".approval-done")).to_have_count(1, timeout=15000)
    expect(nav).to_have_text("Approvals 1", timeout=15000)
    page.locator(f"#approval-{step_of(second).id}").get_by_role("button", name=f"Approve {second.number}").click()
    expect(page.locator(".approval-done")).to_have_count(2, timeout=15000)
    expect(nav).to_be_hidden(timeout=15000)
