"""Issue 3's journey in a real browser (Debian's Chromium via Playwright).

An admin builds an approval policy of two steps and a catalog item whose form has a
conditional field; an employee fills it in the catalog, sees the conditional field appear when
choosing the value that triggers it, and submits; the first approver approves from the inbox
(htmx, no reload), the second rejects with a reason; the employee sees that reason on the ticket.
"""
import re

from playwright.sync_api import expect

from app.models import Role
from test_browser_journey import sign_in

ITEM = "Ergonomic laptop"
POLICY = "Manager, then Desktop lead"
REASON = "The standard model covers this role; ask again when you join the data team."
# The decision buttons, named with their request ("Approve REQ000012"), not their "Reject…" opener.
DECIDE = {word: re.compile(rf"^{word} [A-Z]+\d+$") for word in ("Approve", "Reject")}


def _page(browser, errors):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page


def _reloads_counted(page):
    """A mark that a full page load would wipe: it must survive an htmx action."""
    page.evaluate("window.__kept = true")


def _not_reloaded(page):
    assert page.evaluate("window.__kept === true"), "the page was reloaded"


def admin_creates_policy(page, base):
    page.goto(f"{base}/admin/approval-policies/new")
    page.locator("#name").fill(POLICY)  # its label also says "(required)"
    page.locator("#steps-0-name").fill("Line manager")
    page.locator("#steps-0-manager").check()
    page.get_by_role("button", name="Add a step").click()
    page.locator("#steps-1-name").fill("Desktop lead")
    page.locator("#steps-1-users").select_option(label="Ivan Lead (ivan.lead@example.com)")
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_text(f"Saved {POLICY}.")).to_be_visible()


def admin_creates_item(page, base):
    page.goto(f"{base}/admin/catalog/items/new")
    page.locator("#name").fill(ITEM)
    page.get_by_label("Category").select_option(label="Hardware")
    page.get_by_label("Summary").fill("A laptop with a separate keyboard, mouse and stand.")
    page.get_by_label("Approval").select_option(label=POLICY)
    page.get_by_role("button", name="Create item").click()
    # A new item starts inactive, on its own page, where its fields come next.
    expect(page.get_by_role("heading", name="Inactive until you activate it")).to_be_visible(timeout=15000)

    page.get_by_role("link", name="Add field").first.click()
    page.get_by_label("Label").fill("Specification")
    page.get_by_label("Key").fill("spec")
    page.get_by_label("Type").select_option(label="Choice")
    page.get_by_label("Required", exact=True).check()
    page.get_by_label("Options (one per line)").fill("Standard\nAbove standard spec")
    page.get_by_role("button", name="Add field").click()
    expect(page.get_by_text("Saved the field Specification.")).to_be_visible()

    page.get_by_role("link", name="Add field").first.click()
    page.get_by_label("Label").fill("Justification")
    page.get_by_label("Key").fill("justification")
    page.get_by_label("Type").select_option(label="Long text")
    page.get_by_label("Required", exact=True).check()
    page.get_by_label("Show only when").select_option(label="Specification")
    page.get_by_label("has the answer").fill("Above standard spec")
    page.get_by_role("button", name="Add field").click()
    fields = page.locator("#item-fields")
    expect(fields.get_by_text("Only when spec is “Above standard spec”")).to_be_visible()
    page.locator("#item-state").get_by_role("button", name="Activate").click()
    expect(page.get_by_text(f"{ITEM} is now offered in the catalog.")).to_be_visible(timeout=15000)


def employee_submits(page, base) -> str:
    page.goto(f"{base}/catalog/")
    card = page.locator(".catalog-card", has_text=ITEM)
    expect(card.get_by_text("Approval needed")).to_be_visible()
    card.get_by_role("link", name=ITEM).click()
    justification = page.get_by_label("Justification")
    expect(justification).to_be_hidden()
    _reloads_counted(page)
    page.get_by_label("Standard", exact=True).check()
    expect(justification).to_be_hidden()
    page.get_by_label("Above standard spec").check()
    expect(justification).to_be_visible()  # htmx brought the conditional field in
    _not_reloaded(page)
    justification.fill("I run the forecasting models all day; 16 GB is not enough.")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("It now waits for approval")).to_be_visible()
    panel = page.locator("#approval-panel")
    expect(panel.get_by_text("Line manager")).to_be_visible()
    expect(panel.get_by_text("Waiting for decision")).to_be_visible()
    return page.url


def first_approver_approves(page, base):
    sign_in(page, base, "mona.manager@example.com")
    page.get_by_role("link", name="Approvals").click()
    entry = page.locator(".approval-entry", has_text=ITEM)
    expect(entry.get_by_text("Step 1 of 2: Line manager")).to_be_visible()
    expect(entry.get_by_text("I run the forecasting models")).to_be_visible()
    _reloads_counted(page)
    entry.get_by_label("Comment (optional)").fill("Fine by me.")
    entry.get_by_role("button", name=DECIDE["Approve"]).click()
    expect(page.locator(".approval-done").get_by_text("Approved")).to_be_visible(timeout=15000)  # a loaded CI machine
    _not_reloaded(page)


def second_approver_rejects(page, base):
    sign_in(page, base, "ivan.lead@example.com")
    page.get_by_role("link", name="Approvals").click()
    entry = page.locator(".approval-entry", has_text=ITEM)
    expect(entry.get_by_text("Step 2 of 2: Desktop lead")).to_be_visible()
    _reloads_counted(page)
    entry.locator("summary", has_text="Reject").click()
    entry.get_by_role("button", name=DECIDE["Reject"]).click()  # no reason: refused in place
    expect(entry.get_by_text("Say why, so the requester knows what to do.")).to_be_visible()
    entry.get_by_label("Reason for rejecting").fill(REASON)
    entry.get_by_role("button", name=DECIDE["Reject"]).click()
    expect(page.locator(".approval-done").get_by_text("Rejected")).to_be_visible(timeout=15000)
    _not_reloaded(page)


def test_catalog_item_conditional_field_two_step_approval(live_url, browser, make_user, make_team,
                                                          make_category):
    make_category("Hardware", team=make_team("Desktop Support"))
    make_user("Ada Admin", roles=[Role.ADMIN])
    manager = make_user("Mona Manager", roles=[Role.EMPLOYEE, Role.APPROVER])
    make_user("Ivan Lead", roles=[Role.AGENT, Role.APPROVER])
    make_user("Ann Employee", manager=manager)
    errors = []

    admin = _page(browser, errors)
    sign_in(admin, live_url, "ada.admin@example.com")
    admin_creates_policy(admin, live_url)
    admin_creates_item(admin, live_url)

    employee = _page(browser, errors)
    sign_in(employee, live_url, "ann.employee@example.com")
    ticket_url = employee_submits(employee, live_url)

    first_approver_approves(_page(browser, errors), live_url)
    second_approver_rejects(_page(browser, errors), live_url)

    employee.goto(ticket_url)
    expect(employee.get_by_text("Cancelled", exact=True).first).to_be_visible()
    rejection = employee.locator(".approval-rejected")
    expect(rejection.get_by_text("Rejected by Ivan Lead")).to_be_visible()
    expect(rejection.get_by_text(REASON)).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors
