"""The foundation's user journey in a real browser (Debian's Chromium via Playwright).

An employee saves a draft, resumes and submits it; a technician sees it appear in the queue
without reloading and claims it; the employee sees "In Progress" without reloading.
"""
import re

from playwright.sync_api import expect

from app.models import Role

PASSWORD = "correct horse battery"


def sign_in(page, base, email):
    """Sign in and wait until the browser has left the sign-in page (the boosted form posts in
    the background; acting before it lands would race it)."""
    page.goto(f"{base}/login")
    page.wait_for_load_state("networkidle")  # htmx loaded, so the form is boosted from here on
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url, timeout=15000)
    page.wait_for_load_state("networkidle")


def test_draft_submit_claim_live(live_url, browser, make_user, make_team, make_category):
    team = make_team("Service Desk")
    make_category("Hardware", team=team)
    make_user("Ann Employee")
    make_user("Tom Agent", roles=[Role.AGENT], teams=[team])

    employee = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    agent = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    console_errors = []
    for page in (employee, agent):
        page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    # The employee starts a ticket and saves it half-filled as a draft.
    sign_in(employee, live_url, "ann.employee@example.com")
    employee.goto(f"{live_url}/new")
    employee.get_by_label("Title").fill("Docking station not detected")
    employee.get_by_role("button", name="Save draft").click()
    expect(employee.get_by_text("Draft saved", exact=False).first).to_be_visible()

    # The technician opens the queue before the ticket exists.
    sign_in(agent, live_url, "tom.agent@example.com")
    agent.goto(f"{live_url}/agent/")
    expect(agent.locator("#queue-table")).to_be_visible()
    expect(agent.get_by_text("Docking station not detected")).to_have_count(0)

    # The employee resumes the draft from the drafts list and submits it.
    employee.goto(f"{live_url}/drafts")
    employee.get_by_role("link", name=re.compile("Docking station not detected")).first.click()
    employee.get_by_label("Description").fill("The USB-C dock shows no displays since Monday.")
    employee.get_by_label("Category").select_option(label="Hardware")
    employee.get_by_label("Impact").select_option("low")
    employee.get_by_label("Urgency").select_option("medium")
    employee.get_by_role("button", name="Submit").click()
    expect(employee.locator("[id^=ticket-INC]")).to_be_visible()
    expect(employee.get_by_text("New", exact=True).first).to_be_visible()

    # Without a reload, the ticket appears in the technician's queue; they claim it.
    row = agent.locator("#queue-table tr", has_text="Docking station not detected")
    expect(row).to_be_visible(timeout=15000)
    row.get_by_role("button", name="Claim").click()
    expect(agent.locator("#queue-table tr", has_text="Docking station not detected")).to_have_count(0, timeout=15000)

    # Without a reload, the employee sees it In Progress.
    expect(employee.get_by_text("In Progress", exact=True).first).to_be_visible(timeout=15000)
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
