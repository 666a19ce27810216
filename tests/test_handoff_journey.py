"""Hand-offs in a real browser (Debian's Chromium via Playwright): a technician changes the
category and transfers the ticket from the sidebar (the assignee list follows the team picked),
then the receiving technician escalates it to the next tier."""
from playwright.sync_api import expect

from app.extensions import db
from app.models import Role
from test_browser_journey import sign_in


def test_sidebar_edit_transfer_and_escalation(live_url, browser, make_user, make_team, make_category,
                                              make_ticket):
    desk, apps, vendor = make_team("Service Desk"), make_team("Applications", tier=2), make_team("App Vendor", tier=3)
    apps.escalation_team = vendor
    db.session.commit()
    laptops = make_category("Laptops", team=desk)
    software = make_category("Software", team=apps)
    make_user("Tom Agent", roles=[Role.AGENT], teams=[desk])
    make_user("Alice Apps", roles=[Role.AGENT], teams=[apps])
    ticket = make_ticket(make_user("Ann Employee"), laptops)
    errors = []

    def new_page():
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        return page

    page = new_page()

    sign_in(page, live_url, "tom.agent@example.com")
    page.goto(f"{live_url}/agent/tickets/{ticket.number}")
    sidebar = page.locator("#ticket-properties")
    sidebar.get_by_label("Category").select_option(label=software.name)
    sidebar.get_by_label("Team").select_option(label="Applications (tier 2)")
    expect(sidebar.get_by_label("Assignee").locator("option", has_text="Alice Apps")).to_have_count(1)
    sidebar.get_by_role("button", name="Save").click()
    expect(sidebar.locator("#reason-err")).to_contain_text("Say why the ticket goes to another team.")
    sidebar.get_by_label("Reason for the transfer").fill("Excel add-in, not the laptop")
    sidebar.get_by_role("button", name="Save").click()
    expect(page.locator("#ticket-escalation")).to_contain_text("Tier 2 · Applications")

    page = new_page()
    sign_in(page, live_url, "alice.apps@example.com")
    page.goto(f"{live_url}/agent/tickets/{ticket.number}")
    escalation = page.locator("#ticket-escalation")
    escalation.get_by_label("Why escalate").fill("Crash is inside the vendor's add-in")
    escalation.get_by_role("button", name="Escalate to App Vendor (tier 3)").click()
    expect(page.locator("#ticket-escalation")).to_contain_text("Tier 3 · App Vendor")
    page.get_by_role("link", name="History").click()
    expect(page.locator("#history")).to_contain_text("Excel add-in, not the laptop")
    expect(page.locator("#history")).to_contain_text("Crash is inside the vendor's add-in")
    # Only script errors count: the favicon's 404 and the refused first Save's 422 are expected.
    assert not [e for e in errors if "404" not in e and "422" not in e], errors
