"""Find a ticket from the top bar in a real browser: by words (results refresh as one types, the
words marked), and by number (straight to the ticket)."""
import os
import re

from playwright.sync_api import expect

from app.extensions import db
from app.models import Role
from app.services import comments
from test_browser_journey import sign_in

SHOTS = os.environ.get("SEARCH_SHOTS")  # a folder: also keep screenshots to look at


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_search_by_words_and_by_number_from_the_top_bar(live_url, browser, make_user, make_team,
                                                        make_category, make_ticket):
    team = make_team("Service Desk")
    category = make_category("Hardware", team=team)
    ann = make_user("Ann Employee")
    agent_user = make_user("Tom Agent", roles=[Role.AGENT], teams=[team])
    printer = make_ticket(ann, category=category, title="Printer on the 3rd floor jams",
                          description="Paper jams in tray 2 <every> morning since the move.")
    comments.add_comment(printer, agent_user, "Ordered a new pickup roller for the printer", internal=True)
    db.session.commit()
    other = make_ticket(ann, category=category, title="VPN drops at lunch")

    for width, height in ((1280, 900), (390, 844)):
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        sign_in(page, live_url, "tom.agent@example.com")

        box = page.get_by_role("search").get_by_label("Search tickets")
        box.fill("printer roll")
        box.press("Enter")
        page.wait_for_url(re.compile(r"/search\?q=printer(\+|%20)roll"))
        hits = page.locator("#search-results .search-hit")
        expect(hits).to_have_count(1)
        expect(hits.first.locator("mark").first).to_have_text("Printer")
        expect(hits.first.locator(".search-hit-snippet")).to_contain_text("pickup roller")
        shot(page, f"results-{width}")

        # Refining on the results page refreshes the list as one types, and the URL follows.
        page.get_by_label("Search tickets").fill("vpn")
        expect(hits.first).to_contain_text(other.number)
        expect(page).to_have_url(re.compile(r"q=vpn"))

        page.get_by_label("Search tickets").fill(printer.number.lower())
        page.get_by_label("Search tickets").press("Enter")
        page.wait_for_url(re.compile(f"/agent/tickets/{printer.number}"))
        expect(page.get_by_role("search").get_by_label("Search tickets")).to_be_visible()
        shot(page, f"ticket-{width}")
        assert not [e for e in errors if "Content Security Policy" in e], errors
        page.context.close()
