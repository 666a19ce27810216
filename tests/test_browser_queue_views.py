"""Saved queue views in a real browser: filter the queue, save it as a view, open it from the
sidebar, and see its count there."""
import re

from playwright.sync_api import expect

from app.models import Role
from test_browser_journey import sign_in


def test_save_a_view_and_open_it(live_url, browser, make_user, make_team, make_category, make_ticket):
    team = make_team("Service Desk")
    category = make_category("Hardware", team=team)
    ann = make_user("Ann Employee")
    make_user("Tom Agent", roles=[Role.AGENT], teams=[team])
    make_ticket(ann, category, title="Dock not detected")
    make_ticket(ann, category, title="Projector flickers")

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_url, "tom.agent@example.com")
    page.goto(f"{live_url}/agent/")
    page.get_by_label("Requester").fill("ann")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"requester=ann"))
    page.get_by_role("link", name=re.compile("^Title")).click()
    page.wait_for_url(re.compile(r"sort=title"))

    page.get_by_text("Save as a view").click()
    page.get_by_label("Name").fill("Ann's, by title")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("Saved the view", exact=False)).to_be_visible()

    page.goto(f"{live_url}/agent/?view=mine")
    page.wait_for_load_state("networkidle")
    link = page.locator("#queue-views").get_by_role("link", name=re.compile("Ann's, by title"))
    expect(link).to_contain_text("2", timeout=15000)  # the sidebar fetches its counts once loaded
    link.click()
    page.wait_for_url(re.compile(r"requester=ann.*sort=title"))
    rows = page.locator("#queue-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Dock not detected")
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Title")
    expect(page.locator("#queue-views [aria-current=page]")).to_contain_text("Ann's, by title")
    assert not [e for e in errors if "Content Security Policy" in e], errors
