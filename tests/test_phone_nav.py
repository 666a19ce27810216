"""The top bar on a phone (390 px) in a real browser: the Menu button opens and closes the main
navigation (mouse, keyboard, Escape, a tap outside), every area's link shows and works; on a
desktop the links sit in the bar; without JavaScript they are there too, on a row of their own."""
import re

from playwright.sync_api import expect

from app.models import Role
from test_browser_journey import sign_in

WAIT = 15000
AREAS = [("My tickets", "/my"), ("Catalog", "/catalog/"), ("Report or request", "/new"),
         ("Queues", "/agent/"), ("Approvals", "/approvals/"), ("Admin", "/admin/")]
PHONE = {"width": 390, "height": 844}


def _admin(make_user, make_team):
    """Someone who sees every area: an admin who also works a team's queue."""
    return make_user("Ada Admin", roles=[Role.ADMIN, Role.AGENT], teams=[make_team("Service Desk")])


def test_the_menu_button_opens_and_closes_every_area_on_a_phone(live_url, browser, make_user, make_team):
    _admin(make_user, make_team)
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, live_url, "ada.admin@example.com")
    page.goto(f"{live_url}/my")
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_have_attribute("aria-controls", "mainnav")
    expect(nav).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    for label, _ in AREAS:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.keyboard.press("Escape")  # closes, and the focus is on the button again
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()

    page.keyboard.press("Enter")  # the keyboard opens it; Tab goes on into its links
    expect(nav).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="My tickets")).to_be_focused()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()

    menu.click()
    page.locator("main h1").click()  # a tap outside closes it
    expect(nav).to_be_hidden()

    for label, path in AREAS:
        menu = page.get_by_role("button", name="Menu")
        menu.click()
        nav.get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(f"{live_url}{path}", timeout=WAIT)
        expect(page.locator("#mainnav a[aria-current=page]")).to_have_text(label)
        expect(nav).to_be_hidden()  # the page arrives with its menu closed
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], label
    page.context.close()


def test_on_a_desktop_the_links_sit_in_the_bar(live_url, browser, make_user, make_team):
    _admin(make_user, make_team)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_url, "ada.admin@example.com")
    page.goto(f"{live_url}/admin/users")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    for label, _ in AREAS:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    # An admin table is in the Admin area: its link says so, without being the page itself.
    expect(nav.get_by_role("link", name="Admin")).to_have_attribute("aria-current", "true")
    page.context.close()


def test_without_javascript_the_links_are_on_a_row_of_their_own(live_url, browser, make_user, make_team):
    _admin(make_user, make_team)
    page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    sign_in(page, live_url, "ada.admin@example.com")
    page.goto(f"{live_url}/catalog/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    for label, _ in AREAS:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    nav.get_by_role("link", name="Queues").click()
    page.wait_for_url(re.compile(r"/agent/$"), timeout=WAIT)
    page.context.close()
