"""The agent workspace over HTTP: queues, claim, the ticket page and its actions, tickets filed on
someone's behalf."""
import io
import re
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select, update

from app.extensions import db
from app.models import Channel, Comment, Level, Role, Status, Ticket, TicketEvent, utcnow
from app.services import assignment, live, tickets
from app.services.comments import visible_comments

HX = {"HX-Request": "true"}


@pytest.fixture
def desk(make_team, make_category, make_user):
    """A Desk team with Tom and Sue, its Network category, and Ann who asks for help."""
    team = make_team("Desk")
    return type("Desk", (), dict(
        team=team, category=make_category("Network", team=team),
        tom=make_user("tom", roles=[Role.AGENT], teams=[team]),
        sue=make_user("sue", roles=[Role.AGENT], teams=[team]),
        ann=make_user("ann", department="Finance")))


def numbers(html: str) -> list[str]:
    """Ticket numbers in the queue table, in row order."""
    return re.findall(r'<tr id="row-([A-Z]{3}\d{6})"', html)


def age(ticket: Ticket, days: float) -> None:
    """Pretend ``ticket`` was filed ``days`` ago (test set-up only)."""
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id)
                       .values(created_at=utcnow() - timedelta(days=days))
                       .execution_options(synchronize_session=False))
    db.session.commit()


# Access -------------------------------------------------------------------------------------

def test_employee_gets_403_on_agent_pages(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.ann)
    for url in ("/agent/", "/agent/new", f"/agent/tickets/{ticket.number}", "/agent/users/search?q=an"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/agent/tickets/{ticket.number}/claim").status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/agent/").status_code == 302


# Queues -------------------------------------------------------------------------------------

def test_tabs_show_team_mine_and_all_open(client, login, desk, make_ticket, make_category):
    other = make_ticket(desk.ann, make_category("Printers"), title="Printer jammed again")
    waiting = make_ticket(desk.ann, desk.category, title="VPN drops every hour")
    mine = make_ticket(desk.ann, desk.category, title="Wifi slow on floor 3")
    assignment.claim_ticket(mine, desk.tom)
    db.session.commit()
    login(desk.tom)

    team = client.get("/agent/").get_data(as_text=True)
    assert numbers(team) == [waiting.number]
    assert re.search(r"My teams <span class=\"count\">1</span>", team)
    assert re.search(r"Assigned to me <span class=\"count\">1</span>", team)
    assert re.search(r"All open <span class=\"count\">3</span>", team)
    assert numbers(client.get("/agent/?view=mine").get_data(as_text=True)) == [mine.number]
    assert set(numbers(client.get("/agent/?view=open").get_data(as_text=True))) == {
        other.number, waiting.number, mine.number}


def test_queue_row_shows_columns_and_claim_button(client, login, desk, make_ticket, make_category):
    ticket = make_ticket(desk.ann, desk.category)
    foreign = make_ticket(desk.ann, make_category("Printers"))
    login(desk.tom)
    html = client.get("/agent/?view=open").get_data(as_text=True)
    row = html[html.index(f'id="row-{ticket.number}"'):]
    row = row[:row.index("</tr>")]
    for text in (ticket.title, "Ann", "Network", "P2 High", "New", "Desk", "Claim", "just now"):
        assert text in row
    foreign_row = html[html.index(f'id="row-{foreign.number}"'):]
    assert "Unassigned" in foreign_row[:foreign_row.index("</tr>")]


def test_filters_status_priority_category_age(client, login, desk, make_ticket, make_category):
    p1 = make_ticket(desk.ann, desk.category, impact=Level.HIGH, urgency=Level.HIGH)
    p5 = make_ticket(desk.ann, desk.category, impact=Level.LOW, urgency=Level.LOW)
    printer = make_ticket(desk.ann, make_category("Printers", team=desk.team))
    lifecycle_open = make_ticket(desk.ann, desk.category)
    from app.services.lifecycle import transition_ticket
    transition_ticket(lifecycle_open, Status.OPEN, desk.tom)
    db.session.commit()
    age(p5, 10)
    login(desk.tom)

    def shown(query):
        return set(numbers(client.get(f"/agent/?view=team&{query}").get_data(as_text=True)))

    assert shown("priority=1") == {p1.number}
    assert shown(f"category={printer.category_id}") == {printer.number}
    assert shown("status=open") == {lifecycle_open.number}
    assert shown("age=7") == {p5.number}
    assert shown("age=30") == set()
    assert shown("priority=5&age=3") == {p5.number}


def test_sort_orders(client, login, desk, make_ticket):
    old_p3 = make_ticket(desk.ann, desk.category, impact=Level.MEDIUM, urgency=Level.MEDIUM)
    new_p1 = make_ticket(desk.ann, desk.category, impact=Level.HIGH, urgency=Level.HIGH)
    mid_p3 = make_ticket(desk.ann, desk.category, impact=Level.MEDIUM, urgency=Level.MEDIUM)
    age(old_p3, 5)
    age(mid_p3, 2)
    login(desk.tom)

    def order(sort):
        return numbers(client.get(f"/agent/?sort={sort}").get_data(as_text=True))

    assert order("priority") == [new_p1.number, old_p3.number, mid_p3.number]
    assert order("created") == [old_p3.number, mid_p3.number, new_p1.number]
    assert order("-created") == [new_p1.number, mid_p3.number, old_p3.number]
    tickets.change_priority(old_p3, desk.tom, 2, "VIP")
    db.session.commit()
    assert order("-updated")[0] == old_p3.number


def test_pagination(app, client, login, desk, make_ticket):
    for _ in range(app.config["QUEUE_PAGE_SIZE"] + 3):
        make_ticket(desk.ann, desk.category)
    login(desk.tom)
    first = client.get("/agent/").get_data(as_text=True)
    assert len(numbers(first)) == 25 and "Page 1 of 2 · 28 tickets" in first
    assert 'rel="next"' in first and "page=2" in first
    second = client.get("/agent/?page=2").get_data(as_text=True)
    assert len(numbers(second)) == 3 and not set(numbers(first)) & set(numbers(second))
    # Filtered pages keep their filters in the page links.
    assert "priority=2" in client.get("/agent/?priority=2").get_data(as_text=True)


@pytest.mark.parametrize("query", ["page=abc", "page=-3", "page=0", "page=99999", "page=" + "9" * 40])
def test_bad_page_is_ignored(client, login, desk, make_ticket, query):
    make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = client.get(f"/agent/?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["status=bogus", "status=draft", "priority=9", "priority=x",
                                   "category=abc", "category=999", "age=2", "age=old", "sort=random"])
def test_bad_filter_value_is_a_clear_400(client, login, desk, make_ticket, query):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = client.get(f"/agent/?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "not understood" in html.lower() and numbers(html) == [ticket.number]  # ignored, still a queue
    fragment = client.get(f"/agent/?{query}", headers=HX)
    assert fragment.status_code == 400 and "not understood" in fragment.get_data(as_text=True).lower()


def test_unknown_view_falls_back_to_team(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    assert numbers(client.get("/agent/?view=everything").get_data(as_text=True)) == [ticket.number]


def test_live_fragment_and_204_when_unchanged(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    fragment = client.get("/agent/?view=team&priority=2", headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.lstrip().startswith('<div id="queue-table"')
    assert "<html" not in html and 'class="tabs"' not in html
    assert 'hx-trigger="every 5s"' in html and 'hx-swap="outerHTML"' in html
    since = re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "priority=2" in since and "since=" in since
    unchanged = client.get(since, headers=HX)
    assert unchanged.status_code == 204 and unchanged.get_data() == b""
    assignment.claim_ticket(ticket, desk.sue)
    db.session.commit()
    changed = client.get(since, headers=HX)
    assert changed.status_code == 200 and numbers(changed.get_data(as_text=True)) == []
    # The full page carries the same fragment, and says it varies on HX-Request.
    page = client.get("/agent/")
    assert 'id="queue-table"' in page.get_data(as_text=True) and "HX-Request" in page.headers["Vary"]


def test_history_restore_gets_the_whole_page(client, login, desk):
    login(desk.tom)
    html = client.get("/agent/", headers={**HX, "HX-History-Restore-Request": "true"}).get_data(as_text=True)
    assert "<html" in html


def _get_ok(client, url):
    """A request that must succeed, to hand to count_queries; it starts from an empty session,
    exactly like a real request (nothing of the test's objects is used afterwards)."""
    def get():
        db.session.close()
        assert client.get(url).status_code == 200
    return get


def _forget_cached_state():
    """The test client shares the test's app context: drop its session's objects and the user
    Flask-Login cached on ``g``, so the next request loads what a real one would."""
    db.session.close()
    g.pop("_login_user", None)


@pytest.mark.parametrize("view", ["team", "open", "mine"])
def test_queue_queries_do_not_grow_with_rows(app, client, login, desk, make_ticket, make_user,
                                             make_category, view, count_queries):
    def add(n):
        for i in range(n):
            requester = make_user(f"caller{len(db.session.scalars(select(Ticket.id)).all())}x{i}")
            category = make_category(f"Cat {requester.id}", team=desk.team)
            ticket = make_ticket(requester, category)
            if view == "mine":
                assignment.claim_ticket(ticket, db.session.merge(desk.tom))
        db.session.commit()

    login(desk.tom)
    add(2)
    few = count_queries(_get_ok(client, f"/agent/?view={view}"))
    add(20)
    many = count_queries(_get_ok(client, f"/agent/?view={view}"))
    assert many == few
    assert count_queries(_get_ok(client, f"/agent/?view={view}&priority=2")) == few + 1  # one filtered count


# Claim --------------------------------------------------------------------------------------

def test_claim_via_htmx_returns_the_row_showing_you(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = client.post(f"/agent/tickets/{ticket.number}/claim", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith(f'<tr id="row-{ticket.number}"')
    assert "<strong>You</strong>" in html
    db.session.refresh(ticket)
    assert ticket.assignee_id == desk.tom.id and ticket.status == Status.IN_PROGRESS


def test_claim_loser_gets_409_naming_the_winner(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    assignment.claim_ticket(ticket, desk.sue)
    db.session.commit()
    login(desk.tom)
    response = client.post(f"/agent/tickets/{ticket.number}/claim", headers=HX)
    assert response.status_code == 409
    assert f"{ticket.number} was already claimed by Sue" in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#flashes"
    as_json = client.post(f"/agent/tickets/{ticket.number}/claim", headers={"Accept": "application/json"})
    assert as_json.status_code == 409 and "already claimed by Sue" in as_json.json["error"]


def test_claim_outside_my_teams_is_403(client, login, desk, make_ticket, make_user, make_team):
    ticket = make_ticket(desk.ann, desk.category)
    outsider = make_user("otto", roles=[Role.AGENT], teams=[make_team("Network Ops")])
    login(outsider)
    response = client.post(f"/agent/tickets/{ticket.number}/claim", headers=HX)
    assert response.status_code == 403 and "not a member" in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.assignee_id is None


def test_plain_claim_flashes_and_redirects_back(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = client.post(f"/agent/tickets/{ticket.number}/claim?next=/agent/%3Fview%3Dmine")
    assert response.status_code == 303 and response.headers["Location"] == "/agent/?view=mine"
    assert f"You claimed {ticket.number}" in client.get("/agent/?view=mine").get_data(as_text=True)
    evil = client.post(f"/agent/tickets/{ticket.number}/claim?next=//evil.example")
    assert evil.status_code == 303 and evil.headers["Location"] == f"/agent/tickets/{ticket.number}"
    assert "already claimed by Tom" in client.get(evil.headers["Location"]).get_data(as_text=True)


def test_claim_unknown_ticket_is_404(client, login, desk):
    login(desk.tom)
    assert client.post("/agent/tickets/INC999999/claim").status_code == 404


# Creating on behalf -------------------------------------------------------------------------

def _new_ticket_data(desk, **overrides):
    data = {"ticket_type": "incident", "title": "Cannot print payslips", "description": "Toner error on P3.",
            "category_id": str(desk.category.id), "impact": "medium", "urgency": "high",
            "channel": "phone", "q": "", "team_id": ""}
    data.update(overrides)
    return data


def test_user_search_returns_radio_buttons(client, login, desk):
    login(desk.tom)
    html = client.get("/agent/users/search?q=ann", headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="requester-results"')
    assert f'name="requester_id" value="{desk.ann.id}"' in html and "ann@example.com" in html
    assert "Finance" in html
    assert "No one matches" in client.get("/agent/users/search?q=zzzz").get_data(as_text=True)


def test_create_for_a_found_requester(client, login, desk):
    login(desk.tom)
    response = client.post("/agent/new", data=_new_ticket_data(desk, q="Ann", requester_id=str(desk.ann.id)))
    assert response.status_code == 303
    ticket = db.session.scalar(select(Ticket).where(Ticket.title == "Cannot print payslips"))
    assert response.headers["Location"] == f"/agent/tickets/{ticket.number}"
    assert ticket.requester_id == desk.ann.id and ticket.created_by_id == desk.tom.id
    assert ticket.channel == Channel.PHONE and ticket.team_id == desk.team.id
    assert ticket.status == Status.NEW


def test_create_by_typing_an_exact_email_without_js(client, login, desk, make_team):
    other = make_team("Field Service")
    login(desk.tom)
    data = _new_ticket_data(desk, q="ANN@example.com", channel="walk_in", ticket_type="change",
                            team_id=str(other.id))
    data["attachments"] = (io.BytesIO(b"cable diagram"), "notes.txt")
    assert client.post("/agent/new", data=data, content_type="multipart/form-data").status_code == 303
    ticket = db.session.scalar(select(Ticket).where(Ticket.requester_id == desk.ann.id))
    assert ticket.number.startswith("CHG") and ticket.channel == Channel.WALK_IN
    assert ticket.team_id == other.id


def test_create_proactive_without_requester(client, login, desk):
    login(desk.tom)
    response = client.post("/agent/new", data=_new_ticket_data(desk, channel="agent", q="ignored"))
    assert response.status_code == 303
    ticket = db.session.scalar(select(Ticket))
    assert ticket.requester_id is None and ticket.channel == Channel.AGENT
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "None (IT's own work)" in page


def test_missing_requester_is_reported_next_to_the_field(client, login, desk):
    login(desk.tom)
    response = client.post("/agent/new", data=_new_ticket_data(desk, q="Ann"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="q-err"' in html and "pick them" in html
    assert f'value="{desk.ann.id}"' in html  # the matches are offered to pick from, without JS
    assert "Cannot print payslips" in html
    assert db.session.scalar(select(Ticket)) is None


def test_unknown_email_is_a_missing_requester(client, login, desk):
    login(desk.tom)
    response = client.post("/agent/new", data=_new_ticket_data(desk, q="nobody@example.com"))
    assert response.status_code == 422 and 'id="q-err"' in response.get_data(as_text=True)


def test_missing_fields_are_422_and_typed_text_is_kept(client, login, desk):
    login(desk.tom)
    data = _new_ticket_data(desk, requester_id=str(desk.ann.id), title="Hi", description="",
                            impact="", category_id="")
    response = client.post("/agent/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("at least 5 characters", "Describe the problem", "Choose a category",
                    "how many people"):
        assert message in html
    assert 'value="Hi"' in html and "checked" in html  # title and the picked requester kept
    assert db.session.scalar(select(Ticket)) is None


@pytest.mark.parametrize("field,value", [("category_id", "99999"), ("team_id", "x"), ("channel", "pigeon"),
                                         ("ticket_type", "problem"), ("requester_id", "abc")])
def test_bad_choices_on_create_are_422(client, login, desk, field, value):
    login(desk.tom)
    data = _new_ticket_data(desk, **{"requester_id": str(desk.ann.id), field: value})
    assert client.post("/agent/new", data=data).status_code == 422


def test_bad_attachment_is_refused_and_nothing_is_created(client, login, desk):
    login(desk.tom)
    data = _new_ticket_data(desk, requester_id=str(desk.ann.id))
    data["attachments"] = (io.BytesIO(b"MZ\x90\x00binary"), "tool.exe")
    response = client.post("/agent/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "not accepted" in response.get_data(as_text=True)
    assert db.session.scalar(select(Ticket)) is None


# The ticket page ----------------------------------------------------------------------------

def test_ticket_page_shows_header_sidebar_and_conversation(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category, description="Since **Monday**.")
    login(desk.tom)
    html = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    for text in (ticket.number, ticket.title, "P2 High", "Incident", "via Portal", 'class="meta"',
                 "ann@example.com", "+44 20 7946 0000", "Network", "Desk (tier 1)",
                 "<strong>Monday</strong>", "Claim and start work", 'id="conversation"'):
        assert text in html, text
    assert re.search(r'name="impact"[^>]*>.*?<option selected value="medium"', html, re.S)
    assert re.search(r'name="urgency"[^>]*>.*?<option selected value="high"', html, re.S)
    assert 'value="in_progress"' not in html  # Claim starts the work: no second "Start work"
    assert client.get(f"/agent/tickets/{ticket.number.lower()}").status_code == 200
    assert client.get("/agent/tickets/INC424242").status_code == 404


def test_ticket_live_part_polls_and_204s(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    html = client.get(f"/agent/tickets/{ticket.number}", headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith(f'<div id="ticket-{ticket.number}-live"')
    assert 'hx-swap-oob="true"' in html and "<html" not in html
    since = f"/agent/tickets/{ticket.number}?tab=conversation&since={live.ticket_stamp(ticket.id)}"
    assert client.get(since, headers=HX).status_code == 204
    assignment.claim_ticket(ticket, desk.sue)
    db.session.commit()
    changed = client.get(since, headers=HX)
    assert changed.status_code == 200 and "Assigned to Sue" in changed.get_data(as_text=True)


def _status(client, ticket, target, headers=None, **data):
    db.session.refresh(ticket)
    form = {"target": target, "version": str(ticket.version), **data}
    return client.post(f"/agent/tickets/{ticket.number}/status", data=form, headers=headers or {})


def test_status_buttons_move_the_ticket(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = _status(client, ticket, "in_progress")
    assert response.status_code == 303
    db.session.refresh(ticket)
    assert ticket.status == Status.IN_PROGRESS
    fragment = _status(client, ticket, "on_hold", headers=HX)
    assert fragment.status_code == 200
    assert fragment.get_data(as_text=True).lstrip().startswith(f'<div id="ticket-{ticket.number}"')
    assert "Claim and start work" in fragment.get_data(as_text=True)  # unassigned: claiming resumes it
    assignment.claim_ticket(ticket, desk.tom)
    db.session.commit()
    assert _status(client, ticket, "on_hold", headers=HX).status_code == 200
    assert 'value="in_progress" class="btn btn-primary">Resume' in client.get(
        f"/agent/tickets/{ticket.number}").get_data(as_text=True)


def test_illegal_transition_is_409_for_htmx_and_json_and_a_flash_for_plain(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    htmx = _status(client, ticket, "closed", headers=HX)
    assert htmx.status_code == 409 and "cannot move from New to Closed" in htmx.get_data(as_text=True)
    as_json = _status(client, ticket, "closed", headers={"Accept": "application/json"})
    assert as_json.status_code == 409 and "cannot move" in as_json.json["error"]
    plain = _status(client, ticket, "closed")
    assert plain.status_code == 303
    assert "cannot move from New to Closed" in client.get(plain.headers["Location"]).get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.status == Status.NEW


def test_stale_version_is_409_naming_who_changed_it(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    old_version = ticket.version
    assignment.claim_ticket(ticket, desk.sue)
    db.session.commit()
    login(desk.tom)
    response = client.post(f"/agent/tickets/{ticket.number}/status", headers=HX,
                           data={"target": "on_hold", "version": str(old_version)})
    assert response.status_code == 409
    assert "changed by Sue meanwhile" in response.get_data(as_text=True)


def test_resolve_without_reason_is_an_error_next_to_the_field(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = _status(client, ticket, "resolved", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Please say why." in html and 'id="reason-resolved-err"' in html
    assert '<details class="transition" open>' in html  # the failed move's own reason box, open
    assert _status(client, ticket, "resolved", reason="Restarted the router").status_code == 303
    db.session.refresh(ticket)
    assert ticket.status == Status.RESOLVED and ticket.resolution == "Restarted the router"


@pytest.mark.parametrize("target", ["", "flying"])
def test_unknown_target_is_422(client, login, desk, make_ticket, target):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    assert _status(client, ticket, target, headers=HX).status_code == 422


def test_internal_note_is_hidden_from_the_requester(app, client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    url = f"/agent/tickets/{ticket.number}/comments"
    assert client.post(url, data={"body": "Checked the switch logs", "visibility": "internal"}).status_code == 303
    assert client.post(url, data={"body": "We are on it.", "visibility": "public"}, headers=HX).status_code == 200
    agent_page = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    assert "Checked the switch logs" in agent_page and "Internal note" in agent_page
    seen_by_ann = [c.body for c in visible_comments(ticket, desk.ann)]
    assert seen_by_ann == ["We are on it."]
    if "portal.ticket_detail" in app.view_functions:
        login(desk.ann)
        _forget_cached_state()
        portal = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
        assert "We are on it." in portal and "Checked the switch logs" not in portal


def test_empty_comment_is_422_and_keeps_the_choice(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = client.post(f"/agent/tickets/{ticket.number}/comments", headers=HX,
                           data={"body": "  ", "visibility": "internal"})
    assert response.status_code == 422 and "Write a message." in response.get_data(as_text=True)
    assert db.session.scalar(select(Comment)) is None


def _properties(ticket, **changes) -> dict:
    """The properties form as the page shows it for ``ticket``, with ``changes`` typed in."""
    db.session.refresh(ticket)
    form = {"version": str(ticket.version), "ticket_type": ticket.ticket_type.value,
            "category_id": str(ticket.category_id), "impact": ticket.impact.value,
            "urgency": ticket.urgency.value, "priority": "", "priority_reason": "",
            "team_id": str(ticket.team_id), "reason": "", "assignee_id": str(ticket.assignee_id or "")}
    return {**form, **changes}


def test_priority_override_needs_a_reason_and_history_shows_old_and_new(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    url = f"/agent/tickets/{ticket.number}/properties"
    missing = client.post(url, data=_properties(ticket, priority="1"), headers=HX)
    assert missing.status_code == 422
    assert "Say why the priority differs from impact × urgency." in missing.get_data(as_text=True)
    assert client.post(url, data=_properties(ticket, priority="1", priority_reason="CEO's laptop")).status_code == 303
    page = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    assert '<option selected value="1">P1 Critical</option>' in page  # opens on the current value
    history = client.get(f"/agent/tickets/{ticket.number}?tab=history").get_data(as_text=True)
    assert "Priority changed" in history and "P2 High" in history and "P1 Critical" in history
    assert "CEO&#39;s laptop" in history
    assert client.post(url, data=_properties(ticket, priority="7"), headers=HX).status_code == 422


def test_link_to_unknown_number_is_an_error_next_to_the_field(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    other = make_ticket(desk.ann, desk.category, title="Same VPN problem")
    login(desk.tom)
    url = f"/agent/tickets/{ticket.number}/links"
    unknown = client.post(url, data={"number": "INC777777", "link_type": "related"}, headers=HX)
    html = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and 'id="number-err"' in html and "No ticket has that number." in html
    assert 'value="INC777777"' in html
    assert client.post(url, data={"number": other.number.lower(), "link_type": "duplicate_of"}).status_code == 303
    page = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    assert "Duplicate of" in page and other.number in page
    again = client.post(url, data={"number": other.number, "link_type": "duplicate_of"}, headers=HX)
    assert again.status_code == 422 and "Already linked." in again.get_data(as_text=True)
    assert client.post(url, data={"number": other.number, "link_type": "sibling"}, headers=HX).status_code == 422


def test_attach_files(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    url = f"/agent/tickets/{ticket.number}/files"
    ok = client.post(url, data={"attachments": (io.BytesIO(b"ping 10.0.0.1: timeout"), "ping.log")},
                     content_type="multipart/form-data")
    assert ok.status_code == 303
    assert "ping.log" in client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    none = client.post(url, data={}, content_type="multipart/form-data", headers=HX)
    assert none.status_code == 422 and "Choose a file first." in none.get_data(as_text=True)
    bad = client.post(url, data={"attachments": (io.BytesIO(b"MZ\x90\x00"), "x.exe")},
                      content_type="multipart/form-data", headers=HX)
    assert bad.status_code == 422 and "not accepted" in bad.get_data(as_text=True)


def test_actions_on_a_closed_ticket_are_refused_not_500(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    from app.services.lifecycle import transition_ticket
    transition_ticket(ticket, Status.CANCELLED, desk.tom, reason="Duplicate")
    db.session.commit()
    login(desk.tom)
    assert client.post(f"/agent/tickets/{ticket.number}/claim", headers=HX).status_code == 409
    assert _status(client, ticket, "in_progress", headers=HX).status_code == 409
    assert client.get(f"/agent/tickets/{ticket.number}").status_code == 200


def test_history_records_one_claim_event(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    client.post(f"/agent/tickets/{ticket.number}/claim")
    actions = db.session.scalars(select(TicketEvent.action).where(TicketEvent.ticket_id == ticket.id)).all()
    assert actions.count("claimed") == 1
