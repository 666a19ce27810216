"""In a real browser: IT replies, a real worker delivers the notice, and the employee's bell
shows it without a reload; the notice leads to the ticket and its reply."""
from playwright.sync_api import expect
from rq import Queue, SimpleWorker

from app.extensions import db
from app.job_catalog import QUEUES
from app.models import Role, Ticket
from app.services import assignment
from app.services.comments import add_comment
from test_browser_journey import sign_in

WAIT = 15000


def test_the_employee_sees_it_reply_appear_in_the_bell_without_reloading(
        app, live_url, browser, make_user, make_team, make_category, make_ticket):
    team = make_team("Service Desk")
    ann = make_user("Ann Employee")
    tom = make_user("Tom Tech", roles=[Role.AGENT], teams=[team])
    ticket = make_ticket(ann, make_category("Hardware", team=team))
    number, title, ticket_id, tom_id = ticket.number, ticket.title, ticket.id, tom.id
    assignment.claim_ticket(ticket, tom)
    db.session.commit()

    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(page, live_url, "ann.employee@example.com")
    page.goto(f"{live_url}/my")
    bell = page.locator("#bell a.bell")
    expect(bell).to_have_attribute("aria-label", "Notifications: 0 unread")

    add_comment(db.session.get(Ticket, ticket_id), db.session.get(type(tom), tom_id),
                "Could you restart it and tell me what you see?")
    db.session.commit()
    queues = [Queue(name, connection=app.extensions["redis"]) for name in QUEUES]
    SimpleWorker(queues, connection=app.extensions["redis"]).work(burst=True)

    expect(page.get_by_test_id("bell-count")).to_have_text("1", timeout=WAIT)  # no reload
    expect(bell).to_have_attribute("aria-label", "Notifications: 1 unread")
    bell.click()
    notice = page.get_by_role("link", name=f"IT replied on {number}: {title}")
    expect(notice).to_be_visible(timeout=WAIT)
    notice.click()
    page.wait_for_url(f"{live_url}/tickets/{number}", timeout=WAIT)
    expect(page.get_by_text("Could you restart it and tell me what you see?")).to_be_visible()
    page.context.close()
