"""The error summary in a real browser: an incomplete catalog form is refused, the summary at the
top takes the focus (on the boosted post's htmx swap, and on a full page load), and each of its
links moves the focus to its field."""
import json
import os
import re

from playwright.sync_api import expect

from app.extensions import db
from app.models import CatalogItem, FieldType, FormField
from test_browser_journey import sign_in

SHOTS = os.environ.get("ERROR_SUMMARY_SHOTS")  # a folder: also keep screenshots to look at
WAIT = 15000  # ms: a loaded CI machine (PostgreSQL) can be slow to answer


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def expect_focus(page, element_id: str) -> None:
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id",
                           arg=element_id, timeout=WAIT)


def test_refused_catalog_form_focuses_the_summary_whose_links_reach_the_fields(
        live_url, browser, make_user, make_category):
    category = make_category("Access")
    item = CatalogItem(name="VPN access", category=category, summary="Work from anywhere", delivery_days=1)
    item.fields = [
        FormField(key="device", label="Device", field_type=FieldType.CHOICE, position=1, required=True,
                  choices=json.dumps(["Company laptop", "Own laptop"])),
        FormField(key="why", label="Why you need it", field_type=FieldType.LONG_TEXT, position=2,
                  required=True),
        FormField(key="devices", label="Devices", field_type=FieldType.NUMBER, position=3, max_value=3),
    ]
    db.session.add(item)
    db.session.commit()
    make_user("Ann Employee")

    for width, height in ((1280, 900), (390, 844)):
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        sign_in(page, live_url, "ann.employee@example.com")

        # Arrive by a boosted link (htmx swaps the page in, the head's scripts stay those of
        # the first page), fill one field wrongly and submit: a boosted post, refused.
        page.goto(f"{live_url}/catalog/")
        page.get_by_role("main").get_by_role("link", name=re.compile("VPN access")).first.click()
        page.wait_for_url(re.compile(rf"/catalog/{item.id}$"), timeout=WAIT)
        page.get_by_label("Devices").fill("9")
        page.get_by_role("button", name="Submit").click()

        summary = page.locator("#error-summary")
        expect(summary).to_be_visible(timeout=WAIT)
        expect_focus(page, "error-summary")
        links = summary.get_by_role("link")
        expect(links).to_have_count(3)
        expect(links.nth(0)).to_have_text("Device is required.")
        expect(links.nth(1)).to_have_text("Why you need it is required.")
        expect(links.nth(2)).to_have_text("Devices: Enter at most 3.")
        shot(page, f"catalog-refused-{width}")

        # Each link moves the focus to its field (a group's first option) with its label in view.
        for index, target in enumerate(["q_device-1", "q_why", "q_devices"]):
            summary.get_by_role("link").nth(index).click()
            expect_focus(page, target)
            label = page.locator(f"fieldset:has(#{target}) legend, label[for='{target}']").first
            expect(label).to_be_in_viewport(timeout=WAIT)
            assert label.evaluate("el => el.getBoundingClientRect().top >= "
                                  "document.querySelector('.topbar').getBoundingClientRect().bottom")
            page.evaluate("window.scrollTo(0, 0)")

        # The keyboard way, on a full page load of the draft the refusal kept: the summary is
        # focused, Tab reaches its first link, Enter moves the focus to the field.
        page.reload()
        page.wait_for_load_state("networkidle")
        page.get_by_role("radio", name="Own laptop").check()
        page.get_by_label("Devices").fill("2")
        page.get_by_role("button", name="Submit").click()
        expect(links).to_have_count(1, timeout=WAIT)
        expect_focus(page, "error-summary")
        # From the summary, Tab reaches its first link. (Focused again first: in CI on PostgreSQL
        # the focus had left the summary by the time the Tab was pressed; see the closing note.)
        summary.focus()
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#q_why", focused
        page.keyboard.press("Enter")
        expect_focus(page, "q_why")
        page.keyboard.type("Travelling for the audit")
        page.get_by_role("button", name="Submit").click()
        page.wait_for_url(re.compile(r"/tickets/[A-Z]{3}\d+$"), timeout=WAIT)
        assert not [e for e in errors if "Content Security Policy" in e], errors
        page.context.close()


def test_full_page_load_of_a_refused_form_focuses_the_summary(live_url, browser, make_user, make_category):
    """Without htmx in the way (a plain post, as without JavaScript): autofocus does it."""
    make_category("Hardware")
    make_user("Ann Employee")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_url}/login")
    page.get_by_label("Email").fill("ann.employee@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT)
    page.goto(f"{live_url}/new")
    page.get_by_label("Title").fill("Dock")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#error-summary")).to_be_visible(timeout=WAIT)
    expect_focus(page, "error-summary")
    page.locator("#error-summary").get_by_role("link", name=re.compile("Title")).click()
    expect_focus(page, "title")
    shot(page, "portal-refused-nojs")
    context.close()
