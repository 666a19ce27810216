"""The bulk bar in a real browser (Debian's Chromium via Playwright): ten tickets selected with
a shift-click range, one of them claimed by a colleague after the page was drawn; the bulk
assign does nine and reports the tenth by number."""
from playwright.sync_api import expect

from app.extensions import db
from app.models import Role, Ticket
from app.services import assignment
from test_browser_journey import sign_in

WAIT = 15000  # ms: CI runs these on a loaded machine


def test_bulk_assign_of_ten_with_one_stale(live_url, browser, make_user, make_team, make_category,
                                           make_ticket):
    desk = make_team("Service Desk")
    category = make_category("Laptops", team=desk)
    make_user("Tom Agent", roles=[Role.AGENT], teams=[desk])
    sam = make_user("Sam Lee", roles=[Role.AGENT], teams=[desk])
    ann = make_user("Ann Employee")
    tickets = [make_ticket(ann, category, title=f"Laptop {i:02d} will not boot") for i in range(10)]
    errors = []
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_url, "tom.agent@example.com")
    page.goto(f"{live_url}/agent/?view=open&sort=number")
    rows = page.locator("#queue-table tbody tr")
    expect(rows).to_have_count(10, timeout=WAIT)
    bar = page.locator("#bulk-form")
    expect(bar).to_be_hidden()

    page.get_by_label(f"Select {tickets[0].number}").click()
    expect(bar).to_be_visible(timeout=WAIT)
    expect(bar.locator("[data-bulk-count]")).to_have_text("1 selected")
    page.get_by_label(f"Select {tickets[9].number}").click(modifiers=["Shift"])
    expect(bar.locator("[data-bulk-count]")).to_have_text("10 selected")
    expect(page.locator("#select-all")).to_be_checked()

    # A colleague claims one after the page was drawn: its row still shows the old version.
    stale = db.session.get(Ticket, tickets[4].id)
    assignment.claim_ticket(stale, sam)
    db.session.commit()

    bar.get_by_label("Assign to").select_option(label="Tom Agent")
    bar.get_by_role("button", name="Assign", exact=True).click()
    result = page.locator("#bulk-result")
    expect(result).to_contain_text("Done: 9 of 10.", timeout=WAIT)
    expect(result.locator(".bulk-refusals li")).to_have_count(1)
    expect(result).to_contain_text(f"{tickets[4].number} was changed by Sam Lee meanwhile")
    expect(bar).to_be_hidden(timeout=WAIT)  # the refreshed table has nothing selected
    expect(page.locator(f"#row-{tickets[0].number} td.assignee")).to_contain_text("You", timeout=WAIT)
    db.session.rollback()  # a new transaction sees what the browser did
    assert sorted(t.assignee.name for t in tickets) == ["Sam Lee"] + ["Tom Agent"] * 9
    assert not [e for e in errors if "404" not in e], errors


def test_selection_and_select_all(live_url, browser, make_user, make_team, make_category, make_ticket):
    desk = make_team("Service Desk")
    category = make_category("Laptops", team=desk)
    make_user("Tom Agent", roles=[Role.AGENT], teams=[desk])
    ann = make_user("Ann Employee")
    tickets = [make_ticket(ann, category, title=f"Printer {i}") for i in range(4)]
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_url, "tom.agent@example.com")
    page.goto(f"{live_url}/agent/?view=open&sort=number")
    expect(page.locator("#queue-table tbody tr")).to_have_count(4, timeout=WAIT)
    page.get_by_label(f"Select {tickets[1].number}").click()
    page.get_by_label(f"Select {tickets[2].number}").click(modifiers=["Shift"])
    expect(page.locator("[data-bulk-count]")).to_have_text("2 selected", timeout=WAIT)
    head = page.locator("#select-all")
    assert head.evaluate("el => el.indeterminate")
    page.locator("#bulk-form [data-bulk-clear]").click()
    expect(page.locator("#bulk-form")).to_be_hidden(timeout=WAIT)
    # The header box is in the (visually hidden) head on a phone: check it the way a keyboard would.
    head.evaluate("el => el.click()")
    expect(page.locator("[data-bulk-count]")).to_have_text("4 selected", timeout=WAIT)


def test_a_row_claimed_by_a_colleague_leaves_with_a_notice(live_url, browser, make_user, make_team,
                                                           make_category, make_ticket):
    desk = make_team("Service Desk")
    category = make_category("Laptops", team=desk)
    make_user("Tom Agent", roles=[Role.AGENT], teams=[desk])
    sam = make_user("Sam Lee", roles=[Role.AGENT], teams=[desk])
    ann = make_user("Ann Employee")
    taken, left = make_ticket(ann, category), make_ticket(ann, category)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_url, "tom.agent@example.com")
    page.goto(f"{live_url}/agent/?view=team")
    expect(page.locator("#queue-table tbody tr")).to_have_count(2, timeout=WAIT)
    assignment.claim_ticket(db.session.get(Ticket, taken.id), sam)
    db.session.commit()
    expect(page.locator("#queue-notices")).to_contain_text(f"{taken.number} was claimed by Sam Lee.",
                                                           timeout=WAIT)
    expect(page.locator(f"#row-{taken.number}")).to_have_count(0)
    expect(page.locator(f"#row-{left.number}")).to_have_count(1)
    page.locator("#queue-notices [data-notice-dismiss]").click()
    expect(page.locator("#queue-notices .notice")).to_have_count(0)
