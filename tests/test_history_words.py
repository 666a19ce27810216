"""The History tab reads in words: status labels, priority names, names instead of ids, catalog
field labels instead of keys, yes/no for booleans, instants in the viewer's time zone; long
values wrap and the table never widens a phone's page."""
import json
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import CatalogItem, FieldType, FormField, Role, Status, Ticket
from app.services import tickets
from app.services.audit import record_event
from app.services.history import ticket_history
from app.services.lifecycle import transition_ticket
from test_browser_journey import sign_in


@pytest.fixture
def desk(make_user, make_team, make_category):
    team = make_team("Service Desk")
    other = make_team("Network")
    tom = make_user("tom", roles=[Role.AGENT], teams=[team])
    ann = make_user("ann")
    category = make_category("Hardware", team=team)
    return SimpleNamespace(team=team, other=other, tom=tom, ann=ann, category=category)


@pytest.fixture
def laptop_ticket(desk):
    item = CatalogItem(name="New laptop", category=desk.category, fields=[
        FormField(key="needs_dock", label="Needs a docking station", field_type=FieldType.CHECKBOX, position=0),
        FormField(key="start_date", label="Start date", field_type=FieldType.DATE, position=1),
        FormField(key="extras", label="Extras", field_type=FieldType.MULTI_CHOICE,
                  choices=json.dumps(["Mouse", "Bag"]), position=2)])
    db.session.add(item)
    db.session.commit()
    ticket = Ticket(status=Status.DRAFT, requester=desk.ann, created_by=desk.ann, ticket_type=item.ticket_type,
                    title="New laptop", category=desk.category, catalog_item=item, impact=item.impact,
                    urgency=item.urgency,
                    answers=json.dumps({"needs_dock": "yes", "start_date": "2026-12-07", "extras": ["Mouse"]}))
    db.session.add(ticket)
    db.session.flush()
    tickets.submit_ticket(ticket, desk.ann)
    db.session.commit()
    return ticket


def rows(ticket):
    return [(r.what, r.old.text, r.new.text) for r in ticket_history(ticket)]


def test_statuses_read_as_labels(desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    transition_ticket(ticket, Status.IN_PROGRESS, desk.tom)
    db.session.commit()
    assert ("Status changed", "New", "In Progress") in rows(ticket)
    assert not any("_" in (old + new) for _w, old, new in rows(ticket))


def test_ids_read_as_names_and_numbers_as_priority_and_tier(desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    record_event(ticket, desk.tom, "assigned", field="assignee", old=None, new=str(desk.tom.id))
    record_event(ticket, desk.tom, "transferred", field="team", old=str(desk.team.id), new=str(desk.other.id))
    record_event(ticket, desk.tom, "priority_changed", field="priority", old="3", new="1")
    record_event(ticket, desk.tom, "tier_changed", field="tier", old=1, new=2)
    record_event(ticket, desk.tom, "impact_changed", field="impact", old="low", new="high")
    db.session.commit()
    shown = rows(ticket)
    assert ("Assigned", "", "Tom") in shown
    assert ("Transferred", "Service Desk", "Network") in shown
    assert ("Priority changed", "P3 Moderate", "P1 Critical") in shown
    assert ("Tier changed", "Tier 1", "Tier 2") in shown
    assert ("Impact changed", "Low", "High") in shown


def test_an_approval_names_its_step_once(desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    record_event(ticket, desk.tom, "approval_rejected", field="approval", new="Line manager: rejected", note="No budget")
    db.session.commit()
    assert ("Rejected", "", "Line manager") in rows(ticket)


def test_names_written_as_names_stay_as_they_are(desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    record_event(ticket, desk.tom, "claimed", field="assignee", new="Tom")
    db.session.commit()
    assert ("Claimed", "", "Tom") in rows(ticket)


def test_catalog_answers_read_with_their_labels_and_in_their_own_terms(desk, laptop_ticket):
    record_event(laptop_ticket, desk.tom, "answer_changed", field="answers.needs_dock", old="true", new="false")
    record_event(laptop_ticket, desk.tom, "answer_changed", field="start_date", old="2026-12-07", new="2027-01-04")
    record_event(laptop_ticket, desk.tom, "answer_changed", field="answers.extras",
                 old=json.dumps(["Mouse"]), new=json.dumps(["Mouse", "Bag"]))
    db.session.commit()
    shown = rows(laptop_ticket)
    assert ("Answer changed: Needs a docking station", "yes", "no") in shown
    assert ("Answer changed: Start date", "7 Dec 2026", "4 Jan 2027") in shown
    assert ("Answer changed: Extras", "Mouse", "Mouse, Bag") in shown
    assert not any("needs_dock" in what or "start_date" in what for what, _o, _n in shown)


def test_booleans_and_instants_outside_the_catalog(desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    record_event(ticket, desk.tom, "vip_changed", field="vip", old="false", new="true")
    record_event(ticket, desk.tom, "due_changed", field="due", new="2026-12-24T16:30:00Z")
    db.session.commit()
    history = ticket_history(ticket)
    assert ("Vip changed", "no", "yes") in rows(ticket)
    due = next(r for r in history if r.what == "Due changed")
    assert due.new.instant is not None and due.new.instant.isoformat() == "2026-12-24T16:30:00"


def test_the_page_shows_words_and_times_for_the_viewer(client, login, desk, laptop_ticket):
    record_event(laptop_ticket, desk.tom, "answer_changed", field="answers.needs_dock", old="yes", new="")
    record_event(laptop_ticket, desk.tom, "due_changed", field="due", new="2026-12-24T16:30:00Z")
    db.session.commit()
    login(desk.tom)
    page = client.get(f"/agent/tickets/{laptop_ticket.number}?tab=history").get_data(as_text=True)
    html = page[page.index('<div class="table-wrap" id="history">'):]
    html = html[:html.index("</table>")]
    assert "Answer changed: Needs a docking station" in html and "needs_dock" not in html
    assert '<td data-label="To"><time datetime="2026-12-24T16:30:00Z"' in html  # local-time.js localises it
    assert "draft" not in html and '<td data-label="From">Draft</td>' in html


@pytest.mark.parametrize("width", [390, 1280])
def test_history_never_widens_the_page(live_url, browser, desk, make_ticket, width):
    ticket = make_ticket(desk.ann, desk.category)
    record_event(ticket, desk.tom, "linked", field="link", new="Related " + "INC000001" * 12,
                 note="A very long reason without breaks: " + "x" * 200)
    transition_ticket(ticket, Status.IN_PROGRESS, desk.tom, reason="Working on it")
    db.session.commit()
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, live_url, "tom@example.com")
    page.goto(f"{live_url}/agent/tickets/{ticket.number}?tab=history")
    expect(page.locator("#history")).to_be_visible(timeout=15000)
    expect(page.locator("#history").get_by_text("In Progress")).to_be_visible(timeout=15000)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not re.search(r"\b\w+_\w+\b", page.locator("#history").inner_text().replace("x" * 200, ""))
