"""Keyset ("seek") paging of the queues: Next and Previous carry the edge row's sort key and id
(``after=`` / ``before=``), so rows with equal sort keys are neither repeated nor skipped, a
ticket arriving meanwhile does not shift the next page, and a cursor that does not parse is
ignored (``page=`` decides), never an error."""
import base64
import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Role, Status, Ticket, utcnow
from app.services import queues
from app.services.queues import QueueFilters, decode_cursor, encode_cursor, queue_page

HX = {"HX-Request": "true"}
SAME = datetime(2026, 3, 1, 9, 30)


@pytest.fixture
def desk(make_team, make_category, make_user):
    team = make_team("Desk")
    return type("Desk", (), dict(team=team, category=make_category("Wifi", team=team),
                                 tom=make_user("tom", roles=[Role.AGENT], teams=[team]),
                                 ann=make_user("ann")))


@pytest.fixture
def twins(desk, make_ticket):
    """Seven tickets alike in every sort key but their id (and number, title)."""
    tickets = [make_ticket(desk.ann, desk.category) for _ in range(7)]
    db.session.execute(update(Ticket).where(Ticket.id.in_([t.id for t in tickets]))
                       .values(priority=3, created_at=SAME, updated_at=SAME, status=Status.OPEN)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return sorted(t.id for t in tickets)


def _walk(user, sort: str, per_page: int = 2) -> tuple[list[list[int]], list[list[int]]]:
    """Every page forwards by ``after=`` to the end, then backwards by ``before=`` to the start."""
    filters = QueueFilters(sort=sort)
    page = queue_page(user, "open", filters, 1, per_page)
    forward = [[t.id for t in page.items]]
    while page.has_next:
        page = queue_page(user, "open", filters, page.next_num, per_page, after=page.next_cursor)
        forward.append([t.id for t in page.items])
    backward = [forward[-1]]
    while page.has_prev:
        page = queue_page(user, "open", filters, page.prev_num, per_page, before=page.prev_cursor)
        backward.append([t.id for t in page.items])
    assert page.page == 1
    return forward, backward


@pytest.mark.parametrize("sort", ["priority", "-priority", "created", "-created", "-updated", "status",
                                  "number", "-title"])
def test_next_and_previous_cross_equal_keys_without_repeats_or_gaps(desk, twins, sort):
    forward, backward = _walk(desk.tom, sort)
    everything = [i for page in forward for i in page]
    assert sorted(everything) == twins and len(set(everything)) == 7
    assert all(len(page) == 2 for page in forward[:-1]) and len(forward) == 4
    assert backward == forward[::-1]
    whole = [t.id for t in queue_page(desk.tom, "open", QueueFilters(sort=sort), 1, 25).items]
    assert everything == whole  # keyed pages read in the same order as one long page


def test_a_ticket_arriving_meanwhile_does_not_shift_the_next_page(desk, twins, make_ticket):
    filters = QueueFilters(sort="-created")
    first = queue_page(desk.tom, "open", filters, 1, 3)
    expected = queue_page(desk.tom, "open", filters, 2, 3).items
    make_ticket(desk.ann, desk.category)  # newest: lands on page 1 of "-created"
    second = queue_page(desk.tom, "open", filters, 2, 3, after=first.next_cursor)
    assert [t.id for t in second.items] == [t.id for t in expected]


def test_sorts_on_joined_names_page_by_number(desk, twins):
    page = queue_page(desk.tom, "open", QueueFilters(sort="requester"), 1, 2)
    assert page.next_cursor is None and page.prev_cursor is None and page.has_next
    second = queue_page(desk.tom, "open", QueueFilters(sort="requester"), 2, 2, after="anything")
    assert second.has_prev and len(second.items) == 2


def _raw(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize("text", [
    "", "!!!", "not base64 at all", "A" * 601, _raw({"a": 1}), _raw("priority"), _raw(7),
    _raw(["priority", 3]), _raw(["priority", "3", "2026-03-01T09:30:00", 4]),
    _raw(["priority", 3, "yesterday", 4]), _raw(["priority", 3, "2026-03-01T09:30:00+02:00", 4]),
    _raw(["priority", 3, "2026-03-01T09:30:00", 2**70]), _raw(["priority", True, "2026-03-01T09:30:00", 4]),
    _raw(["created", "2026-03-01T09:30:00", 4]), _raw(["-priority", 3, "2026-03-01T09:30:00", 4]),
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
])
def test_a_bad_cursor_decodes_to_nothing(text):
    assert decode_cursor("priority", text) is None


def test_a_good_cursor_round_trips(desk, twins):
    ticket = db.session.get(Ticket, twins[0])
    assert decode_cursor("priority", encode_cursor("priority", ticket)) == [3, SAME, ticket.id]
    assert decode_cursor("-title", encode_cursor("-title", ticket)) == [ticket.title, ticket.id]
    assert decode_cursor("requester", encode_cursor("priority", ticket)) is None


def _links(html: str) -> dict[str, str]:
    return {rel: href.replace("&amp;", "&") for href, rel in re.findall(r'href="([^"]+)" rel="(next|prev)"', html)}


def _numbers(html: str) -> list[str]:
    return re.findall(r'<tr id="row-([A-Z]{3}\d{6})"', html)


def test_the_pages_links_are_keyed_and_lead_both_ways(client, login, desk, make_ticket):
    for _ in range(27):
        make_ticket(desk.ann, desk.category)
    login(desk.tom)
    first = client.get("/agent/?view=open&sort=-created").get_data(as_text=True)
    link = _links(first)["next"]
    assert "after=" in link and "page=2" in link and "prev" not in _links(first)
    second = client.get(link).get_data(as_text=True)
    assert len(_numbers(second)) == 2 and not set(_numbers(second)) & set(_numbers(first))
    assert "Page 2 of 2" in second and "next" not in _links(second)
    back = client.get(_links(second)["prev"]).get_data(as_text=True)
    assert _numbers(back) == _numbers(first) and "prev" not in _links(back)


@pytest.mark.parametrize("cursor", ["garbage", "é" * 50, "A" * 700, _raw(["number", 1, 2]),
                                    _raw(["number", "INC000001", 2**80])])
def test_a_bad_cursor_in_the_address_is_ignored(client, login, desk, make_ticket, cursor):
    make_ticket(desk.ann, desk.category)
    login(desk.tom)
    for name in ("after", "before"):
        response = client.get(f"/agent/?view=open&sort=number&page=1&{name}={cursor}")
        assert response.status_code == 200 and len(_numbers(response.get_data(as_text=True))) == 1
        assert client.get(f"/agent/?view=open&{name}={cursor}", headers=HX).status_code == 200


@pytest.mark.parametrize("cursor", ["%00", "A" * 5000])
def test_a_cursor_no_form_would_take_is_a_clear_4xx(client, login, desk, cursor):
    """The app's input guard (app/http_input.py) refuses a NUL or an over-long value first."""
    login(desk.tom)
    assert client.get(f"/agent/?view=open&after={cursor}").status_code in (400, 414)


def test_page_numbers_still_work(client, login, desk, make_ticket):
    for _ in range(26):
        make_ticket(desk.ann, desk.category)
    login(desk.tom)
    assert len(_numbers(client.get("/agent/?view=open&page=2").get_data(as_text=True))) == 1
    assert queues.MAX_PAGE_ROWS  # deep page numbers stay bounded (forms/queues.py chosen_page)


def test_old_open_work_is_walked_the_same_way_in_every_status(desk, twins, make_ticket):
    """The per-status merge takes the cursor into every status's walk."""
    db.session.execute(update(Ticket).where(Ticket.id.in_(twins[:3])).values(status=Status.PENDING)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Ticket).where(Ticket.id == twins[3]).values(
        status=Status.ON_HOLD, created_at=utcnow() - timedelta(days=400)).execution_options(synchronize_session=False))
    db.session.commit()
    forward, backward = _walk(desk.tom, "priority", per_page=3)
    assert sorted(i for page in forward for i in page) == twins and backward == forward[::-1]
    assert forward[0][0] == twins[3]  # the oldest first


@pytest.mark.parametrize("sort", ["status", "-status"])
def test_the_status_sort_pages_by_key_within_one_status_too(desk, twins, sort):
    filters = QueueFilters(sort=sort, statuses=frozenset({Status.OPEN}))
    page, seen = queue_page(desk.tom, "open", filters, 1, 3), []
    while True:
        seen += [t.id for t in page.items]
        if not page.has_next:
            break
        page = queue_page(desk.tom, "open", filters, page.next_num, 3, after=page.next_cursor)
    assert seen == (twins if sort == "status" else twins[::-1])


def test_a_requester_search_reads_the_same_merged_or_not(desk, twins, make_user, make_ticket, monkeypatch):
    other = make_user("annabel")
    make_ticket(other, desk.category)
    filters = QueueFilters(requester="ann", statuses=queues.ANY_STATUS)
    direct = [t.id for t in queue_page(desk.tom, "open", filters, 1, 25).items]
    monkeypatch.setattr(queues, "FEW_REQUESTERS", 0)  # as when many people match: the merged walk
    merged = [t.id for t in queue_page(desk.tom, "open", filters, 1, 25).items]
    assert merged == direct and len(direct) == 8
    assert queues.count_view(desk.tom, "open", filters) == 8


@pytest.mark.parametrize("sort", ["requester", "-requester", "assignee", "-assignee", "team", "-category"])
def test_walking_the_names_reads_the_same_pages_as_sorting_the_join(desk, make_user, make_ticket, sort):
    """PostgreSQL walks the names when many tickets match (services/queues.py _walked_names):
    page for page the same order as the join sorted whole, namesakes, tickets without an
    assignee, several tickets of one name (in the default order) and pages deep by offset
    included."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the walk uses LATERAL, which SQLite does not have")
    namesake = make_user("ann2")
    namesake.name = desk.ann.name
    people = [desk.ann, make_user("bob"), namesake, make_user("cy")]
    tickets = [make_ticket(people[i % len(people)], desk.category) for i in range(11)]
    for ticket in tickets[::3]:
        ticket.assignee_id = desk.tom.id
    db.session.commit()
    filters = QueueFilters(sort=sort)

    def page(offset: int, walk: bool) -> list[int]:
        return queues._page_ids("open", desk.tom, filters, sort, None, 3, offset, many=walk)

    pages = [page(offset, walk=False) for offset in range(0, 12, 3)]
    assert sorted(i for p in pages for i in p) == sorted(t.id for t in tickets)
    assert [page(offset, walk=True) for offset in range(0, 12, 3)] == pages


@pytest.mark.parametrize("sort", ["assignee", "-assignee"])
def test_tickets_without_a_name_sort_last_and_first_in_reverse_on_every_database(desk, make_ticket, sort):
    mine, nobodys = make_ticket(desk.ann, desk.category), make_ticket(desk.ann, desk.category)
    mine.assignee_id = desk.tom.id
    db.session.commit()
    order = [t.id for t in queue_page(desk.tom, "open", QueueFilters(sort=sort), 1, 25).items]
    assert order == ([mine.id, nobodys.id] if sort == "assignee" else [nobodys.id, mine.id])
