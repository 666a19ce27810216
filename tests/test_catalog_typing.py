"""Catalog forms keep what people type (issue 7, defect 2).

A condition's refresh used to re-render the whole field block on every ``change``, replacing the
input being typed into: a date typed with the keyboard ended empty, and a number typed right
after tabbing out of a controlling field was overwritten. Now only the fields that other fields
depend on ask for a refresh, and the refresh answers with the conditional fields' markers alone
(out of band, by their ids), so no input is ever replaced. The browser test types like a hurried
person and reads what arrived from the database; the others pin the markup and the response.
"""
import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import CatalogItem, FieldType, FormField, Ticket
from test_browser_journey import sign_in

T = FieldType
HTMX = {"HX-Request": "true"}


def _field(key, label, kind, position, **extra):
    if "choices" in extra:
        extra["choices"] = json.dumps(extra["choices"])
    return FormField(key=key, label=label, field_type=kind, position=position, **extra)


@pytest.fixture
def desk(make_category):
    """Three conditions, each controlled by a different kind of input (text, radios, checkbox),
    with a plain field right after each controller so that typing follows a refresh at once."""
    item = CatalogItem(name="New starter kit", category=make_category("Hardware"), summary="Desk and laptop")
    item.fields = [
        _field("dept", "Department", T.TEXT, 1),
        _field("seats", "Seats", T.NUMBER, 2, min_value=1, max_value=500),
        _field("cost", "Cost centre", T.TEXT, 3, show_if_key="dept", show_if_value="Finance"),
        _field("model", "Laptop model", T.CHOICE, 4, choices=["Standard", "Power"]),
        _field("start", "Needed by", T.DATE, 5),
        _field("why", "Justification", T.LONG_TEXT, 6, required=True, show_if_key="model",
               show_if_value="Power"),
        _field("remote", "Works remotely", T.CHECKBOX, 7),
        _field("screens", "Monitors", T.NUMBER, 8),
        _field("vpn", "VPN group", T.TEXT, 9, show_if_key="remote", show_if_value="yes"),
    ]
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def ann(make_user, login):
    return login(make_user("ann"))


def _catalog_ticket() -> Ticket:
    db.session.rollback()  # see what the live server committed
    return db.session.scalar(select(Ticket).where(Ticket.catalog_item_id.is_not(None)))


def _tab_out_of(page, input_id):
    """Tab until focus leaves the input: Chromium's date input takes more than one Tab (its
    parts, its calendar button)."""
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") != input_id:
            return
    raise AssertionError(f"focus stuck in #{input_id}")


def _retype(page, label, text):
    """Replace a text input's value from the keyboard, then leave it with Tab (its change)."""
    page.get_by_label(label, exact=True).click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)
    page.keyboard.press("Tab")


# --- In a real browser ----------------------------------------------------------------------

def test_fast_typing_survives_the_conditions(live_url, browser, make_user, desk):
    make_user("Ann Employee")
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    refreshes, failures, refresh_url = [], [], f"{live_url}/catalog/{desk.id}/fields"
    page.on("request", lambda r: refreshes.append(r.method) if r.url == refresh_url else None)
    page.on("response", lambda r: failures.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    page.on("console", lambda msg: failures.append(msg.text) if "Content Security Policy" in msg.text else None)
    sign_in(page, live_url, "ann.employee@example.com")
    page.goto(f"{live_url}/catalog/{desk.id}")
    page.wait_for_load_state("networkidle")
    cost, why, vpn = (page.get_by_label(name, exact=True) for name in ("Cost centre", "Justification", "VPN group"))
    for dependent in (cost, why, vpn):
        expect(dependent).to_be_hidden()

    # A controlling text field, Tab, and a number typed at once while its refresh is in flight.
    page.get_by_label("Department").click()
    page.keyboard.type("Finance")
    page.keyboard.press("Tab")
    page.keyboard.type("20", delay=40)
    expect(cost).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.type("CC-42")
    # Radios: Tab onto the group, an arrow picks "Power"; Tab on to the date, typed by keyboard.
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.type("05152027", delay=40)
    expect(why).to_be_visible()
    _tab_out_of(page, "q_start")
    page.keyboard.type("Runs the forecasting models")
    # A checkbox ticked with Space, and the number after it typed straight away.
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("2", delay=40)
    expect(vpn).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.type("vpn-finance")

    # Conditions toggled: dependents go and come back with what was typed in them.
    _retype(page, "Department", "Sales")
    expect(cost).to_be_hidden()
    _retype(page, "Department", "Finance")
    expect(cost).to_be_visible()
    page.get_by_label("Standard", exact=True).check()
    expect(why).to_be_hidden()
    page.get_by_label("Power", exact=True).check()
    expect(why).to_be_visible()
    page.get_by_label("Works remotely").uncheck()
    expect(vpn).to_be_hidden()

    page.wait_for_load_state("networkidle")
    for label, value in (("Seats", "20"), ("Needed by", "2027-05-15"), ("Monitors", "2"),
                         ("Cost centre", "CC-42"), ("Justification", "Runs the forecasting models")):
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved", exact=False).first).to_be_visible()
    assert json.loads(_catalog_ticket().answers) == {
        "dept": "Finance", "seats": "20", "cost": "CC-42", "model": "Power", "start": "2027-05-15",
        "why": "Runs the forecasting models", "remote": "", "screens": "2",
        "vpn": "vpn-finance"}  # a draft keeps even what is hidden, in case it comes back

    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("submitted", exact=False).first).to_be_visible()
    assert json.loads(_catalog_ticket().answers) == {
        "dept": "Finance", "seats": 20, "cost": "CC-42", "model": "Power", "start": "2027-05-15",
        "why": "Runs the forecasting models", "remote": False, "screens": 2}  # vpn: hidden, dropped
    assert refreshes == ["POST"] * 8  # one per change of a controlling field, none while typing
    assert not failures, failures


# --- The markup and the refresh -------------------------------------------------------------

def _markers(html: str) -> dict[str, str]:
    """Each conditional field's marker: "met" or "unmet", by input name."""
    return {name: "unmet" if unmet else "met" for name, unmet in
            re.findall(r'<span id="(q_\w+)-condition" class="item-condition( unmet)?"', html)}


def test_only_fields_that_a_condition_reads_ask_for_a_refresh(client, ann, desk):
    page = client.get(f"/catalog/{desk.id}").get_data(as_text=True)
    asking = re.findall(r'class="field item-field"[^>]*hx-post="([^"]+)"[^>]*>\s*'
                        r'(?:<legend class="label">|<label class="\w+"(?: for="\w+")?>(?:<input[^>]*> )?)([\w ]+)', page)
    assert asking == [(f"/catalog/{desk.id}/fields", name) for name in ("Department", "Laptop model", "Works remotely")]
    assert page.count('hx-swap="none"') == 3 and page.count('hx-sync="#item-form-fields:replace"') == 3
    assert _markers(page) == {"q_cost": "unmet", "q_why": "unmet", "q_vpn": "unmet"}


def test_the_refresh_answers_with_the_conditional_markers_only(client, ann, desk):
    response = client.post(f"/catalog/{desk.id}/fields", headers=HTMX, data={
        "q_dept": "Finance", "q_seats": "20", "q_model": "Standard", "q_remote": "yes", "q_why": "typed"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _markers(html) == {"q_cost": "met", "q_why": "unmet", "q_vpn": "met"}
    assert html.count('hx-swap-oob="true"') == 3 == html.count("<span")
    assert not re.search(r"<(input|textarea|select|div|fieldset)\b", html) and "typed" not in html


def test_the_refresh_costs_the_same_few_queries_for_any_form(client, ann, desk, count_queries):
    small = CatalogItem(name="Desk only", category=desk.category, fields=[
        _field("dept", "Department", T.TEXT, 1),
        _field("cost", "Cost centre", T.TEXT, 2, show_if_key="dept", show_if_value="Finance")])
    db.session.add(small)
    db.session.commit()
    def refresh(item):
        return lambda: client.post(f"/catalog/{item.id}/fields", headers=HTMX, data={"q_dept": "Finance"})

    refresh(small)()  # the session's first request does one-time work
    counts = [count_queries(refresh(item)) for item in (small, desk)]
    assert counts[0] == counts[1] <= 6  # session, user, item, category, fields: none per field


@pytest.mark.parametrize("data", [
    {},  # nothing answered
    {"q_dept": "x" * 100_000, "q_model": "<script>alert(1)</script>"},  # too long, not an option
    {"q_model": ["Standard", "Power"], "q_remote": "maybe", "q_nope": "1"},  # twice, odd, unknown
    {"q_dept": "Finance ", "q_remote": ""},  # trailing space is trimmed, an empty box unticked
])
def test_odd_answers_to_the_refresh_are_judged_not_refused(client, ann, desk, data):
    response = client.post(f"/catalog/{desk.id}/fields", data=data, headers=HTMX)
    assert response.status_code == 200
    markers = _markers(response.get_data(as_text=True))
    assert set(markers) == {"q_cost", "q_why", "q_vpn"}
    assert markers["q_cost"] == ("met" if data.get("q_dept") == "Finance " else "unmet")


def test_the_refresh_refuses_what_is_not_a_refresh(app, client, ann, desk):
    assert client.get(f"/catalog/{desk.id}/fields").status_code == 405
    assert client.post("/catalog/999/fields", headers=HTMX).status_code == 404
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/catalog/{desk.id}/fields", headers=HTMX).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_without_javascript_a_full_post_shows_the_same_fields(client, ann, desk):
    """No refresh without JavaScript: saving or submitting renders the markers the same way,
    and the show-if and required-if rules are enforced there."""
    response = client.post(f"/catalog/{desk.id}", data={
        "q_dept": "Finance", "q_remote": "yes", "q_vpn": "vpn-a", "action": "draft"}, follow_redirects=True)
    assert _markers(response.get_data(as_text=True)) == {"q_cost": "met", "q_why": "unmet", "q_vpn": "met"}
    draft = _catalog_ticket()
    response = client.post(f"/catalog/drafts/{draft.id}", data={
        "q_dept": "Sales", "q_model": "Power", "q_why": "", "q_vpn": "vpn-a", "action": "submit",
        "version": str(draft.version)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Justification is required." in page
    assert _markers(page) == {"q_cost": "unmet", "q_why": "met", "q_vpn": "unmet"}
