"""The queue's filters, sorting, paging and density, and saved views (personal and published)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Channel, Level, QueueView, Role, Status, Ticket, TicketType, utcnow
from app.services import queue_views, queues

HX = {"HX-Request": "true"}


@pytest.fixture
def desk(make_team, make_category, make_user):
    """Desk and Network teams; Tom and Sue on the Desk, Nia on Network, Ada the admin; Ann and
    Bob ask for help."""
    team, network = make_team("Desk"), make_team("Network")
    return type("Desk", (), dict(
        team=team, network=network, category=make_category("Wifi", team=team),
        net_category=make_category("Cabling", team=network),
        tom=make_user("tom", roles=[Role.AGENT], teams=[team]),
        sue=make_user("sue", roles=[Role.AGENT], teams=[team]),
        nia=make_user("nia", roles=[Role.AGENT], teams=[network]),
        ada=make_user("ada", roles=[Role.ADMIN]),
        ann=make_user("ann"), bob=make_user("bob")))


def numbers(html: str) -> list[str]:
    return re.findall(r'<tr id="row-([A-Z]{3}\d{6})"', html)


def setup(ticket: Ticket, **values) -> None:
    """Put ``ticket`` in a given state directly (test set-up only: status, assignee, times)."""
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def shown(client, query: str) -> list[str]:
    response = client.get(f"/agent/?{query}")
    assert response.status_code == 200, (query, response.get_data(as_text=True)[:500])
    return numbers(response.get_data(as_text=True))


# Every status, every filter --------------------------------------------------------------------

@pytest.mark.parametrize("status", [s for s in Status if s != Status.DRAFT])
def test_every_status_is_reachable(client, login, desk, make_ticket, status):
    ticket = make_ticket(desk.ann, desk.category)
    setup(ticket, status=status)
    other = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    assert shown(client, f"view=open&status={status.value}") == [ticket.number] if status != Status.NEW \
        else set(shown(client, "view=open&status=new")) == {ticket.number, other.number}


def test_any_status_and_the_tab_default(client, login, desk, make_ticket):
    closed, new = make_ticket(desk.ann, desk.category), make_ticket(desk.ann, desk.category)
    setup(closed, status=Status.CLOSED)
    login(desk.tom)
    assert shown(client, "view=open") == [new.number]
    assert set(shown(client, "view=open&status=all")) == {closed.number, new.number}


def test_filter_by_team_assignee_requester_type_channel(client, login, desk, make_ticket):
    desk_ticket = make_ticket(desk.ann, desk.category, title="Desk one")
    net_ticket = make_ticket(desk.bob, desk.net_category, channel=Channel.EMAIL,
                             ticket_type=TicketType.SERVICE_REQUEST, title="Net one")
    toms = make_ticket(desk.ann, desk.category)
    sues = make_ticket(desk.ann, desk.category)
    setup(toms, assignee_id=desk.tom.id, status=Status.IN_PROGRESS)
    setup(sues, assignee_id=desk.sue.id, status=Status.IN_PROGRESS)
    login(desk.tom)
    assert shown(client, f"view=open&team={desk.network.id}") == [net_ticket.number]
    assert shown(client, "view=open&assignee=me") == [toms.number]
    assert shown(client, f"view=open&assignee={desk.sue.id}") == [sues.number]
    assert set(shown(client, "view=open&assignee=none")) == {desk_ticket.number, net_ticket.number}
    assert shown(client, "view=open&requester=BOB") == [net_ticket.number]
    assert shown(client, "view=open&requester=bob%40example") == [net_ticket.number]
    assert shown(client, "view=open&ticket_type=service_request") == [net_ticket.number]
    assert shown(client, "view=open&channel=email") == [net_ticket.number]


def test_filter_by_created_and_updated_days(client, login, desk, make_ticket):
    old, recent = make_ticket(desk.ann, desk.category), make_ticket(desk.ann, desk.category)
    ten_days_ago = utcnow() - timedelta(days=10)
    setup(old, created_at=ten_days_ago, updated_at=ten_days_ago)
    day = lambda d: (utcnow() - timedelta(days=d)).date().isoformat()  # noqa: E731
    login(desk.tom)
    assert shown(client, f"view=open&created_to={day(9)}") == [old.number]
    assert shown(client, f"view=open&created_from={day(1)}") == [recent.number]
    assert shown(client, f"view=open&created_from={day(10)}&created_to={day(10)}") == [old.number]
    assert shown(client, f"view=open&updated_from={day(2)}") == [recent.number]
    assert shown(client, f"view=open&updated_to={day(5)}") == [old.number]


# Sorting, paging, density ----------------------------------------------------------------------

@pytest.mark.parametrize("key", list(queues.SORT_COLUMNS))
def test_each_column_sorts_both_ways(client, login, desk, make_ticket, key):
    a = make_ticket(desk.ann, desk.category, title="Alpha", impact=Level.HIGH, urgency=Level.HIGH)
    b = make_ticket(desk.bob, desk.net_category, title="Bravo", impact=Level.LOW, urgency=Level.LOW)
    setup(a, created_at=utcnow() - timedelta(days=2), updated_at=utcnow() - timedelta(days=2),
          assignee_id=desk.sue.id, status=Status.IN_PROGRESS)
    setup(b, assignee_id=desk.tom.id, status=Status.ON_HOLD)
    login(desk.tom)
    up = client.get(f"/agent/?view=open&sort={key}").get_data(as_text=True)
    down = client.get(f"/agent/?view=open&sort=-{key}").get_data(as_text=True)
    # a sorts first ascending on every column: number, title, Ann < Bob, Cabling > Wifi is the
    # exception (category), priority 1 < 5, In progress before On hold, Desk < Network, Sue > Tom.
    first = {"category": b, "assignee": a}.get(key, a)
    if key == "assignee":
        first = a if "Sue" < "Tom" else b
    assert numbers(up)[0] == first.number and numbers(down)[0] != first.number, key
    assert 'aria-sort="ascending"' in up and 'aria-sort="descending"' in down
    assert f"sort=-{key}" in up  # the sorted header's link reverses it


def test_rows_per_page_and_density(client, login, desk, make_ticket):
    for _ in range(55):
        make_ticket(desk.ann, desk.category)
    login(desk.tom)
    assert len(shown(client, "")) == 25
    assert len(shown(client, "per_page=50")) == 50
    assert len(shown(client, "per_page=100")) == 55
    second = client.get("/agent/?per_page=50&page=2").get_data(as_text=True)
    assert len(numbers(second)) == 5 and "per_page=50" in second
    assert 'class="data queue compact"' in client.get("/agent/?density=compact").get_data(as_text=True)
    assert 'class="data queue"' in client.get("/agent/").get_data(as_text=True)


def test_counts_stop_at_the_cap(client, login, desk, make_ticket, monkeypatch):
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    for _ in range(5):
        make_ticket(desk.ann, desk.category)
    login(desk.tom)
    html = client.get("/agent/?per_page=25").get_data(as_text=True)
    assert re.search(r'My teams <span class="count">3\+</span>', html)
    page = queues.queue_page(desk.tom, "team", queues.QueueFilters(), 1, 25)
    assert page.capped and len(page.items) == 5 and page.pages == 1


@pytest.mark.parametrize("query", [
    "status=draft", "status=nope", "team=abc", "team=99999", "assignee=someone", "assignee=99999",
    "requester=" + "x" * 121, "ticket_type=bug", "channel=pigeon", "created_from=yesterday",
    "created_to=2026-13-45", "updated_from=1.1.2026", "sort=colour", "sort=-", "per_page=30",
    "per_page=abc", "density=tiny", "created_from=2026-12-05&created_to=2026-12-01",
])
def test_bad_filter_is_a_clear_400_and_still_a_queue(client, login, desk, make_ticket, query):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = client.get(f"/agent/?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400, query
    assert "not understood" in html.lower() and numbers(html) == [ticket.number]


def test_a_page_too_deep_falls_back_to_the_first(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    assert shown(client, f"page={queues.MAX_PAGE_ROWS // 25 + 1}") == [ticket.number]


def test_live_poll_keeps_filters_and_answers_204(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    html = client.get("/agent/?view=open&status=all&sort=-updated&per_page=50", headers=HX).get_data(as_text=True)
    poll = re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert all(part in poll for part in ("status=all", "sort=-updated", "per_page=50", "since="))
    assert client.get(poll, headers=HX).status_code == 204
    setup(ticket, status=Status.CLOSED, updated_at=utcnow() + timedelta(seconds=1))
    changed = client.get(poll, headers=HX)
    assert changed.status_code == 200 and numbers(changed.get_data(as_text=True)) == [ticket.number]


# Saved views -----------------------------------------------------------------------------------

def save(client, name="Pending", query="view=open&status=pending", **extra):
    return client.post("/agent/views", data={"name": name, "query": query, **extra})


def test_save_open_rename_delete_a_personal_view(client, login, desk, make_ticket):
    pending = make_ticket(desk.ann, desk.category)
    setup(pending, status=Status.PENDING)
    make_ticket(desk.ann, desk.category)
    login(desk.tom)
    response = save(client, query="status=pending&view=open&bogus=1")
    assert response.status_code == 303 and response.headers["Location"] == "/agent/?view=open&status=pending"
    view = db.session.query(QueueView).one()
    assert view.owner_id == desk.tom.id and view.query == "view=open&status=pending"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert numbers(page) == [pending.number]
    # The page names the view at once, marked current; its counts come with the sidebar's first fetch.
    nav = page[page.index('id="queue-views"'):]
    assert re.search(r'aria-current="page">\s*<span class="view-name">Pending</span>\s*</a>', nav)
    assert 'hx-trigger="load, every' in nav
    load = re.search(r'hx-get="([^"]+)"', nav).group(1).replace("&amp;", "&")
    nav = client.get(load, headers=HX).get_data(as_text=True)
    assert re.search(r'aria-current="page">\s*<span class="view-name">Pending</span>\s*'
                     r'<span class="count"[^>]*>1</span>', nav)

    assert client.post(f"/agent/views/{view.id}", data={"name": "Waiting on vendors"}).status_code == 303
    assert "Waiting on vendors" in client.get("/agent/views").get_data(as_text=True)
    assert client.post(f"/agent/views/{view.id}/delete").status_code == 303
    assert db.session.query(QueueView).count() == 0


@pytest.mark.parametrize("data, error", [
    ({"name": ""}, "Give the view a name."), ({"name": "   "}, "Give the view a name."),
    ({"name": "x" * 81}, "under 80 characters"), ({"query": "x=" + "y" * 1000}, "too long"),
    ({"audience": "role:agent"}, "publishing is for admins"), ({"audience": "team:1"}, "publishing is for admins"),
])
def test_bad_view_form_is_a_field_error(client, login, desk, data, error):
    login(desk.tom)
    response = save(client, **{"name": "Mine", "query": "view=mine", **data})
    assert response.status_code == 422 and error in response.get_data(as_text=True)
    assert db.session.query(QueueView).count() == 0


def test_view_forms_need_their_csrf_token(app, client, login, desk):
    view = queue_views.create_view(desk.tom, "Mine", "view=mine")
    db.session.commit()
    login(desk.tom)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert save(client).status_code == 400
        assert client.post(f"/agent/views/{view.id}", data={"name": "New"}).status_code == 400
        assert client.post(f"/agent/views/{view.id}/delete").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.get(QueueView, view.id).name == "Mine"


@pytest.mark.parametrize("name, status", [("", 422), ("x" * 81, 422)])
def test_bad_rename_is_refused_next_to_the_field(client, login, desk, name, status):
    view = queue_views.create_view(desk.tom, "Mine", "view=mine")
    db.session.commit()
    login(desk.tom)
    response = client.post(f"/agent/views/{view.id}", data={"name": name})
    assert response.status_code == status and 'class="error"' in response.get_data(as_text=True)


def test_someone_elses_view_is_404_and_a_published_one_403(client, login, desk):
    toms = queue_views.create_view(desk.tom, "Tom's", "view=mine")
    published = queue_views.create_view(desk.ada, "Desk triage", "view=team", team=desk.team)
    db.session.commit()
    login(desk.sue)
    assert client.post(f"/agent/views/{toms.id}", data={"name": "Mine now"}).status_code == 404
    assert client.post(f"/agent/views/{toms.id}/delete").status_code == 404
    assert client.post(f"/agent/views/{published.id}", data={"name": "Ours"}).status_code == 403
    assert client.post(f"/agent/views/{published.id}/delete").status_code == 403
    assert client.post("/agent/views/999999/delete").status_code == 404


def test_published_views_reach_the_right_team_and_role_only(client, login, desk):
    login(desk.ada)
    assert save(client, "Desk triage", "view=team", audience=f"team:{desk.team.id}").status_code == 303
    assert save(client, "All pending", "view=open&status=pending", audience="role:agent").status_code == 303
    assert save(client, "Admins only", "view=open", audience="role:admin").status_code == 303
    assert save(client, "Mixed", "view=open", audience=f"team:{desk.network.id}x").status_code == 422

    def names(user):
        return {v.name for v in queue_views.visible_views(db.session.merge(user))}

    assert names(desk.tom) == {"Desk triage", "All pending"}
    assert names(desk.nia) == {"All pending"}
    assert names(desk.ada) == {"All pending", "Admins only"}
    login(desk.nia)
    assert "Desk triage" not in client.get("/agent/").get_data(as_text=True)


def test_service_refuses_publishing_by_a_technician(desk):
    from app.services.errors import PermissionDenied, ValidationFailed

    with pytest.raises(PermissionDenied):
        queue_views.create_view(desk.tom, "Team", "view=team", team=desk.team)
    with pytest.raises(ValidationFailed):
        queue_views.create_view(desk.ada, "Both", "view=team", team=desk.team, role=Role.AGENT)


def test_sidebar_counts_and_live_204(client, login, desk, make_ticket):
    queue_views.create_view(desk.tom, "Network work", f"view=open&team={desk.network.id}")
    db.session.commit()
    make_ticket(desk.ann, desk.net_category)
    login(desk.tom)
    nav = client.get("/agent/views", headers=HX)
    html = nav.get_data(as_text=True)
    assert nav.status_code == 200 and html.lstrip().startswith('<nav id="queue-views"')
    assert re.search(r'Network work</span>\s*<span class="count"[^>]*>1</span>', html)
    poll = re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert client.get(poll, headers=HX).status_code == 204
    make_ticket(desk.ann, desk.net_category)
    html = client.get(poll, headers=HX).get_data(as_text=True)
    assert re.search(r'Network work</span>\s*<span class="count"[^>]*>2</span>', html)
    queue_views.create_view(desk.tom, "Another", "view=mine")
    db.session.commit()
    assert client.get(poll.replace(poll.split("since=")[1].split("&")[0], "x"), headers=HX).status_code == 200


def test_employee_cannot_reach_views(client, login, desk):
    login(desk.ann)
    assert client.get("/agent/views").status_code == 403
    assert save(client).status_code == 403


# Query counts ---------------------------------------------------------------------------------

def _get_ok(client, url):
    def get():
        db.session.close()
        assert client.get(url).status_code == 200
    return get


@pytest.mark.parametrize("url", ["/agent/?view=open&status=all&sort=requester&per_page=100",
                                 "/agent/?view=open&sort=-updated&density=compact", "/agent/views"])
def test_queue_and_views_queries_do_not_grow_with_rows(client, login, desk, make_ticket, make_user,
                                                       count_queries, url):
    queue_views.create_view(desk.tom, "Open", "view=open")
    db.session.commit()
    login(desk.tom)

    def add(n):
        for i in range(n):
            make_ticket(make_user(f"asker{db.session.query(Ticket).count()}x{i}"), db.session.merge(desk.category))

    add(2)
    few = count_queries(_get_ok(client, url))
    add(15)
    assert count_queries(_get_ok(client, url)) == few


# My tickets (the employee's list) -----------------------------------------------------------------

def test_my_tickets_search_split_and_status(client, login, desk, make_ticket):
    vpn = make_ticket(desk.ann, desk.category, title="VPN drops")
    printer = make_ticket(desk.ann, desk.category, title="Printer jam")
    done = make_ticket(desk.ann, desk.category, title="Old VPN issue")
    setup(done, status=Status.CLOSED)
    make_ticket(desk.bob, desk.category, title="VPN for Bob")
    login(desk.ann)

    def listed(query):
        response = client.get(f"/my?{query}")
        assert response.status_code == 200
        return re.findall(r'/tickets/([A-Z]{3}\d{6})"', response.get_data(as_text=True))

    assert set(listed("q=vpn")) == {vpn.number, done.number}
    assert set(listed(f"q={printer.number.lower()}")) == {printer.number}
    assert set(listed("state=open")) == {vpn.number, printer.number}
    assert set(listed("state=closed")) == {done.number}
    assert set(listed("state=open&q=vpn")) == {vpn.number}
    assert set(listed("status=closed")) == {done.number}
    assert "None of your tickets match" in client.get("/my?q=nothing-like-this").get_data(as_text=True)
    fragment = client.get("/my?q=vpn", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section class="card card-flush" id="my-tickets"') and "q=vpn" in fragment


def test_a_rejected_request_says_rejected(client, login, desk, make_ticket):
    from app.models import ApprovalStep, StepMode, StepState

    rejected, withdrawn = make_ticket(desk.ann, desk.category), make_ticket(desk.ann, desk.category)
    for ticket in (rejected, withdrawn):
        setup(ticket, status=Status.CANCELLED)
    db.session.add(ApprovalStep(ticket_id=rejected.id, position=1, name="Manager", mode=StepMode.ANY,
                                state=StepState.REJECTED, policy_name="Purchases"))
    db.session.commit()
    login(desk.ann)
    html = client.get("/my").get_data(as_text=True)
    row = lambda t: html[html.index(f"/tickets/{t.number}"):].split("</tr>")[0]  # noqa: E731
    assert "Rejected" in row(rejected) and "Cancelled" not in row(rejected)
    assert "Cancelled" in row(withdrawn)


@pytest.mark.parametrize("query", ["state=gone", "status=draft", "status=nope", "q=" + "x" * 101])
def test_my_tickets_bad_filter_is_a_400_that_still_lists(client, login, desk, make_ticket, query):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.ann)
    response = client.get(f"/my?{query}")
    assert response.status_code == 400 and "not understood" in response.get_data(as_text=True).lower()
    assert ticket.number in response.get_data(as_text=True)


def test_my_tickets_filtered_queries_do_not_grow(client, login, desk, make_ticket, count_queries):
    login(desk.ann)

    def add(n):
        for _ in range(n):
            ticket = make_ticket(db.session.merge(desk.ann), db.session.merge(desk.category), title="VPN again")
            setup(ticket, status=Status.CANCELLED)

    add(2)
    few = count_queries(_get_ok(client, "/my?q=vpn&state=closed"))
    add(10)
    assert count_queries(_get_ok(client, "/my?q=vpn&state=closed")) == few
