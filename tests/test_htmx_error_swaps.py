"""What htmx swaps in when a request is refused (4xx): under the strict CSP (no inline style, no
inline script) the browser reports no violation, whatever the kind of swap, a resized textarea
included; and a boosted navigation that ends on an error page gets the whole page, top bar
included."""
from playwright.sync_api import expect

from app.models import Role
from test_browser_journey import sign_in

WAIT = 15000
CSP = "Content Security Policy"


def test_refused_htmx_swaps_break_no_csp_rule(live_url, browser, make_user, make_team, make_category,
                                              make_ticket):
    team = make_team("Service Desk")
    category = make_category("Hardware", team=team)
    make_user("Tom Agent", roles=[Role.AGENT], teams=[team])
    ticket = make_ticket(make_user("Ann Employee"), category)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    console = []
    page.on("console", lambda msg: console.append(msg.text))
    sign_in(page, live_url, "tom.agent@example.com")

    # A boosted form refused (422): the page comes back whole and htmx swaps the body. Its
    # textarea was resized first, as a person does by its handle (the browser writes an inline
    # height): htmx must not copy that style attribute onto the new textarea.
    page.goto(f"{live_url}/new")
    page.get_by_label("Description").evaluate("box => { box.style.height = '20rem'; }")
    with page.expect_response(lambda r: r.url.endswith("/new") and r.request.method == "POST") as posted:
        page.get_by_role("button", name="Submit").click()
    assert posted.value.status == 422
    expect(page.locator("#error-summary")).to_be_visible(timeout=WAIT)

    # An htmx fragment refused (422): swapped over its own part of the page (outerHTML).
    page.goto(f"{live_url}/agent/tickets/{ticket.number}")
    page.get_by_label("Ticket number").fill("no such ticket")
    with page.expect_response(lambda r: r.url.endswith("/links")) as linked:
        page.get_by_role("button", name="Add link").click()
    assert linked.value.status == 422
    expect(page.locator("#ticket-links .error, #ticket-links [role=alert]").first).to_be_visible(timeout=WAIT)

    # A boosted link to a page that is not there (404): the error page, still with its top bar.
    page.evaluate("""() => { const a = document.createElement('a'); a.id = 'stale-link';
                             a.href = '/agent/tickets/INC999999'; a.textContent = 'An old link';
                             document.querySelector('main').prepend(a); htmx.process(a); }""")
    with page.expect_response(lambda r: "INC999999" in r.url) as missing:
        page.locator("#stale-link").click()
    assert missing.value.status == 404
    expect(page.locator(".error-card")).to_contain_text("There is nothing here", timeout=WAIT)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("search", name="Tickets")).to_be_visible()

    assert not [text for text in console if CSP in text], console
    # The listener hears a violation when there is one (the browser's wording has not moved on).
    with page.expect_console_message(lambda msg: CSP in msg.text, timeout=WAIT):
        page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.context.close()


def test_a_boosted_request_that_fails_gets_the_whole_page(client, login, make_user):
    login(make_user("Ann Employee"))
    boosted = client.get("/tickets/INC999999", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted.status_code == 404
    assert '<nav id="mainnav"' in boosted.get_data(as_text=True)
    fragment = client.get("/tickets/INC999999", headers={"HX-Request": "true"})
    assert fragment.status_code == 404
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="card error-card" id="error">') and "mainnav" not in html
