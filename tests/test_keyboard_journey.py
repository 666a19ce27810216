"""Keyboard shortcuts in a real browser (Debian's Chromium via Playwright): j/k move the current
row and c claims it, "?" opens the sheet and Esc closes it, keys typed into the search box stay
text, x selects, / goes to the search, c claims on the ticket page, g then q goes back."""
import re

from playwright.sync_api import expect

from app.extensions import db
from app.models import Role, Ticket
from test_browser_journey import sign_in

WAIT = 15000  # ms: CI runs these on a loaded machine


def _desk(make_user, make_team, make_category, make_ticket, n=3):
    desk = make_team("Service Desk")
    category = make_category("Laptops", team=desk)
    tom = make_user("Tom Agent", roles=[Role.AGENT], teams=[desk])
    ann = make_user("Ann Employee")
    return tom, [make_ticket(ann, category, title=f"Laptop {i} will not boot") for i in range(n)]


def test_j_k_and_c_claim_the_current_row(live_url, browser, make_user, make_team, make_category,
                                         make_ticket):
    tom, tickets = _desk(make_user, make_team, make_category, make_ticket)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_url, "tom.agent@example.com")
    page.goto(f"{live_url}/agent/?view=team&sort=number")
    expect(page.locator("#queue-table tbody tr")).to_have_count(3, timeout=WAIT)

    # Typing into the search box is text, never a shortcut.
    search = page.locator("#topsearch-q")
    search.click()
    page.keyboard.type("jcx")
    expect(search).to_have_value("jcx")
    expect(page.locator("#queue-table tr.kb-current")).to_have_count(0)
    search.fill("")
    page.locator("h1").click()  # focus back on the page

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    current = page.locator(f"#row-{tickets[1].number}")
    expect(current).to_have_class("kb-current", timeout=WAIT)
    expect(current.locator("td.num a")).to_be_focused()
    page.keyboard.press("x")
    expect(page.get_by_label(f"Select {tickets[1].number}")).to_be_checked()
    page.keyboard.press("x")
    expect(page.get_by_label(f"Select {tickets[1].number}")).not_to_be_checked()

    page.keyboard.press("c")
    expect(page.locator("#queue-notices")).to_contain_text(f"You claimed {tickets[1].number}", timeout=WAIT)
    # (The row may already have left "My teams", which lists unassigned work: the database says.)
    db.session.rollback()  # a new transaction sees what the browser did
    assert db.session.get(Ticket, tickets[1].id).assignee_id == tom.id
    assert db.session.get(Ticket, tickets[0].id).assignee_id is None

    page.keyboard.press("?")
    sheet = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(sheet).to_be_visible(timeout=WAIT)
    expect(sheet).to_contain_text("Claim the row")
    page.keyboard.press("c")  # keys do nothing while the sheet is open
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden(timeout=WAIT)
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(sheet).to_be_visible(timeout=WAIT)
    sheet.get_by_role("button", name="Close").click()
    expect(sheet).to_be_hidden(timeout=WAIT)

    page.keyboard.press("/")
    expect(search).to_be_focused()
    page.keyboard.press("c")
    expect(search).to_have_value("c")
    db.session.rollback()  # a new transaction sees what the browser did
    assert db.session.get(Ticket, tickets[0].id).assignee_id is None


def test_c_on_the_ticket_page_and_g_q_back(live_url, browser, make_user, make_team, make_category,
                                           make_ticket):
    tom, tickets = _desk(make_user, make_team, make_category, make_ticket, n=1)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_url, "tom.agent@example.com")
    page.goto(f"{live_url}/agent/?view=open&priority=2")
    page.goto(f"{live_url}/agent/tickets/{tickets[0].number}")
    claim = re.compile(rf"^Claim\b.*{tickets[0].number}")  # named with its ticket
    expect(page.get_by_role("button", name=claim)).to_be_visible(timeout=WAIT)
    # "← Queues" goes back to the queue with its filters.
    expect(page.get_by_role("link", name="← Queues")).to_have_attribute("href", "/agent/?view=open&priority=2")
    page.keyboard.press("c")
    expect(page.locator("#ticket-head")).to_contain_text("Assigned to you", timeout=WAIT)
    page.keyboard.press("g")
    page.keyboard.press("q")
    page.wait_for_url(f"{live_url}/agent/", timeout=WAIT)
    expect(page.locator("h1")).to_have_text("Queues")
