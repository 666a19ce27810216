"""Find any ticket: every source is found, ranking and marks make sense, people find only what they
may see, numbers jump, the index follows changes, and bad input gets a clear 4xx (both databases)."""
import json

import pytest
from sqlalchemy import text, update

from app.extensions import db
from app.models import CatalogItem, FieldType, FormField, Role, Ticket, User
from app.services import catalog, comments, tickets, ticket_search
from app.services.ticket_search import (
    COUNT_CAP, MAX_PAGE, PER_PAGE, SearchError, highlight, parse_terms, search_tickets, snippet, ticket_number,
)


@pytest.fixture
def people(make_user, make_team):
    desk = make_team("Desk")
    return {"agent": make_user("Tess Agent", roles=[Role.AGENT], teams=[desk]),
            "ann": make_user("Ann Oakley"), "bob": make_user("Bob Brown")}


@pytest.fixture
def file_ticket(make_ticket, make_category):
    """file_ticket(requester, title=…): tickets in one category (make_ticket makes one each)."""
    category = make_category()

    def make(requester, **overrides):
        return make_ticket(requester, category=category, **overrides)

    return make


def numbers(user, typed, page=1):
    return [hit.ticket.number for hit in search_tickets(user, typed, page).hits]


@pytest.mark.parametrize("typed", ["plotter", "toner smudges", "Oakley", "ann.oakley@example.com", "oakl"])
def test_title_description_requester_name_and_email_are_found(people, file_ticket, typed):
    ticket = file_ticket(people["ann"], title="Plotter jams", description="Toner smudges on every sheet.")
    file_ticket(people["bob"], title="Laptop fan noise", description="Loud.")
    assert numbers(people["agent"], typed) == [ticket.number]


def test_the_number_is_found_whole_and_as_digits(people, file_ticket):
    ticket = [file_ticket(people["ann"]) for _ in range(12)][-1]
    assert ticket.number == "INC000012"
    assert numbers(people["agent"], "inc000012") == [ticket.number]
    assert numbers(people["agent"], "12") == [ticket.number]


def test_replies_and_internal_notes_are_found_by_staff_notes_never_by_the_requester(people, file_ticket):
    ticket = file_ticket(people["ann"], title="Printer offline")
    comments.add_comment(ticket, people["ann"], "It shows error E-4711 on the display")
    comments.add_comment(ticket, people["agent"], "Vendor ticket zephyrine opened", internal=True)
    db.session.commit()
    assert numbers(people["agent"], "4711") == [ticket.number]
    assert numbers(people["ann"], "4711") == [ticket.number]
    assert numbers(people["agent"], "zephyrine") == [ticket.number]
    assert numbers(people["ann"], "zephyrine") == []


def test_catalog_answers_are_found_by_their_values_not_their_keys(people, make_category):
    item = CatalogItem(name="New monitor", category=make_category("Hardware"), summary="A screen")
    item.fields = [FormField(key="model", label="Model", field_type=FieldType.TEXT, position=1)]
    db.session.add(item)
    db.session.commit()
    draft = catalog.save_catalog_draft(people["ann"], item, {"model": "Ultrawide 34"}, {})
    tickets.submit_ticket(draft, people["ann"])
    db.session.commit()
    assert numbers(people["agent"], "ultrawide") == [draft.number]
    assert numbers(people["agent"], "model") == []


def test_drafts_are_not_searchable_until_submitted(people, make_category, ticket_input):
    draft = tickets.save_draft(people["ann"], ticket_input(make_category(), title="Quokka keyboard"))
    db.session.commit()
    assert numbers(people["ann"], "quokka") == []
    tickets.submit_ticket(draft, people["ann"])
    db.session.commit()
    assert numbers(people["ann"], "quokka") == [draft.number]


def test_every_word_must_match_and_the_last_is_a_prefix(people, file_ticket):
    printer = file_ticket(people["ann"], title="Printer on floor three")
    file_ticket(people["ann"], title="Print server down")
    assert numbers(people["agent"], "printe") == [printer.number]
    assert set(numbers(people["agent"], "print")) == {printer.number, "INC000002"}
    assert numbers(people["agent"], "print floor") == []  # "print" whole, not a prefix, when not last
    assert numbers(people["agent"], "floor print") == [printer.number]


def test_a_title_match_ranks_above_a_match_in_a_reply(people, file_ticket):
    in_reply = file_ticket(people["ann"], title="Slow laptop", description="Takes ages.")
    comments.add_comment(in_reply, people["ann"], "Maybe the docking station is the cause")
    db.session.commit()
    in_title = file_ticket(people["bob"], title="Docking station dead", description="No power.")
    file_ticket(people["bob"], title="Unrelated", description="Nothing.")
    assert numbers(people["agent"], "docking") == [in_title.number, in_reply.number]


def test_employees_find_only_their_own_tickets_in_the_query(people, file_ticket):
    anns = file_ticket(people["ann"], title="VPN drops hourly")
    bobs = file_ticket(people["bob"], title="VPN drops at lunch")
    assert numbers(people["ann"], "vpn") == [anns.number]
    assert numbers(people["bob"], "vpn") == [bobs.number]
    assert search_tickets(people["ann"], "vpn").total == 1
    assert set(numbers(people["agent"], "vpn")) == {anns.number, bobs.number}


def test_an_employees_search_follows_the_ticket_to_a_new_requester(people, file_ticket):
    ticket = file_ticket(people["ann"], title="Docking station flickers")
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id).values(requester_id=people["bob"].id))
    db.session.commit()
    assert numbers(people["ann"], "docking") == []
    assert numbers(people["bob"], "docking") == [ticket.number]


def test_the_requester_mark_in_the_index_is_never_found_as_a_word(people, file_ticket):
    """On SQLite each document carries "r<requester id>" so that an employee's search narrows in
    the index; typing it finds the tickets that say it, never the requester's others."""
    file_ticket(people["ann"], title="Keyboard sticky")
    for user in (people["agent"], people["ann"]):
        assert numbers(user, f"r{people['ann'].id}") == []
        assert numbers(user, f"keyboard r{people['ann'].id}") == []
    model = file_ticket(people["ann"], title=f"Headset model R{people['ann'].id} crackles")
    assert numbers(people["agent"], f"r{people['ann'].id}") == [model.number]
    assert numbers(people["agent"], f"R{people['ann'].id} headset") == [model.number]
    assert numbers(people["ann"], f"r{people['ann'].id}") == [model.number]


def test_an_employees_many_matches_are_ranked_paginated_and_counted(people, file_ticket):
    made = [file_ticket(people["ann"], title=f"Toner low {i}") for i in range(PER_PAGE + 3)]
    in_title = made[3]
    db.session.execute(update(Ticket).where(Ticket.id == in_title.id).values(title="Toner toner toner"))
    db.session.commit()
    file_ticket(people["bob"], title="Toner low too")
    first, second = search_tickets(people["ann"], "toner"), search_tickets(people["ann"], "toner", 2)
    assert first.total == len(made) and first.has_next and not second.has_next
    assert first.hits[0].ticket.number == in_title.number
    assert first.hits[1].ticket.number == made[-1].number  # equal rank: newest first
    assert len(second.hits) == 3 and not {h.ticket.id for h in first.hits} & {h.ticket.id for h in second.hits}
    assert all(h.ticket.requester_id == people["ann"].id for h in first.hits + second.hits)


def test_the_index_follows_edits_comments_and_requester_renames(people, file_ticket):
    ticket = file_ticket(people["ann"], title="Mouse broken")
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id).values(title="Trackball broken"))
    db.session.commit()
    assert numbers(people["agent"], "trackball") == [ticket.number]
    assert numbers(people["agent"], "mouse") == []
    comment = comments.add_comment(ticket, people["agent"], "Ordered a replacement from Logistica")
    db.session.commit()
    assert numbers(people["agent"], "logistica") == [ticket.number]
    db.session.delete(comment)
    people["ann"].name = "Ann Featherstone"
    db.session.commit()
    assert numbers(people["agent"], "logistica") == []
    assert numbers(people["agent"], "featherstone") == [ticket.number]


def test_results_are_paginated_and_counted(people, file_ticket):
    made = [file_ticket(people["ann"], title=f"Badge reader {i}") for i in range(PER_PAGE + 3)]
    first, second = search_tickets(people["agent"], "badge"), search_tickets(people["agent"], "badge", 2)
    assert first.total == len(made) and first.has_next and not second.has_next
    assert len(first.hits) == PER_PAGE and len(second.hits) == 3
    assert first.hits[0].ticket.number == made[-1].number  # equal rank: newest first
    assert not {h.ticket.id for h in first.hits} & {h.ticket.id for h in second.hits}


@pytest.fixture
def small_window(monkeypatch):
    """A count capped at 3 and a window of its 4 newest matches, as COUNT_CAP (1,000) and
    RANK_WINDOW (1,001) are, and pages of 2, without making thousands of tickets."""
    monkeypatch.setattr(ticket_search, "RANK_WINDOW", 4)
    monkeypatch.setattr(ticket_search, "COUNT_CAP", 3)
    monkeypatch.setattr(ticket_search, "PER_PAGE", 2)


def test_a_broad_search_ranks_its_newest_matches_and_says_there_are_more(people, file_ticket, small_window):
    """Other tickets lie between the matches; the best match is too old for the window."""
    best_but_old = file_ticket(people["ann"], title="Toner toner toner")
    matches = []
    for i in range(6):
        matches.append(file_ticket(people["ann"], title=f"Toner low {i}"))
        file_ticket(people["bob"], title="Fan noise")
    db.session.execute(update(Ticket).where(Ticket.id == matches[3].id).values(title="Toner low, toner gone"))
    db.session.commit()
    first, second = search_tickets(people["agent"], "toner"), search_tickets(people["agent"], "toner", 2)
    assert [h.ticket.number for h in first.hits + second.hits] == [matches[i].number for i in (3, 5, 4, 2)]
    assert best_but_old.number not in {h.ticket.number for h in first.hits + second.hits}
    assert first.total == second.total == 4 and first.total_is_capped
    assert first.has_next and not second.has_next
    assert search_tickets(people["agent"], "toner", 3).hits == []


def test_a_narrow_search_ranks_and_counts_every_match(people, file_ticket, small_window):
    old = file_ticket(people["ann"], title="Quokka quokka")
    for _ in range(9):
        file_ticket(people["bob"], title="Fan noise")
    new = file_ticket(people["ann"], title="Quokka")
    found = search_tickets(people["agent"], "quokka")
    assert [h.ticket.number for h in found.hits] == [old.number, new.number]
    assert found.total == 2 and not found.total_is_capped
    assert search_tickets(people["agent"], "zephyrine").total == 0


def test_highlight_escapes_everything_and_marks_only_matches():
    marked = highlight('<script>alert("printer")</script> Printers & <b>co</b>', ["print"])
    assert str(marked) == ('&lt;script&gt;alert(&#34;<mark>printer</mark>&#34;)&lt;/script&gt; '
                           '<mark>Printers</mark> &amp; &lt;b&gt;co&lt;/b&gt;')
    assert str(highlight("Café crème", ["cafe"])) == "<mark>Café</mark> crème"


def test_the_snippet_shows_the_first_source_that_matches_around_the_match():
    long_text = "filler " * 60 + "the <odd> gasket leaks " + "tail " * 60
    shown = str(snippet(["no match here", long_text], ["gasket"]))
    assert shown.startswith("…") and shown.endswith("…") and "<mark>gasket</mark>" in shown
    assert "&lt;odd&gt;" in shown and len(shown) < 300


def test_what_is_typed_becomes_words_and_nothing_else():
    assert parse_terms('  "Printer" OR (NEAR  -toner*) ') == ["printer", "or", "near", "toner"]
    assert ticket_number("inc123") == "INC000123" and ticket_number("REQ-000045") == "REQ000045"
    assert ticket_number("chg 7") == "CHG000007" and ticket_number("abc123") is None


def test_operators_and_quotes_typed_are_only_words(people, file_ticket):
    ticket = file_ticket(people["ann"], title="Wi-Fi drops near the kitchen")
    assert numbers(people["agent"], '"wi-fi" AND near OR* kitch') == []  # "and", "or" are words too
    assert numbers(people["agent"], "wi-fi near kitch") == [ticket.number]
    assert numbers(people["agent"], "'); DROP TABLE tickets; --") == []


@pytest.mark.parametrize("typed, message", [
    ("a", "at least 2"), ("!!", "at least 2"), ("x" * 201, "at most 200 characters"),
    (" ".join(["w"] * 13), "at most 12 words"),
])
def test_unsearchable_text_is_refused_with_the_reason(people, typed, message):
    with pytest.raises(SearchError, match=message):
        search_tickets(people["agent"], typed)


def test_a_page_past_the_last_one_we_show_is_refused(people):
    with pytest.raises(SearchError, match=f"page {MAX_PAGE}"):
        search_tickets(people["agent"], "printer", MAX_PAGE + 1)
    assert COUNT_CAP == PER_PAGE * MAX_PAGE


# --- The page -----------------------------------------------------------------------------

def test_the_results_page_marks_words_and_links_to_the_agent_page(client, login, people, file_ticket):
    ticket = file_ticket(people["ann"], title="Scanner <b>jams</b>")
    login(people["agent"])
    response = client.get("/search?q=scanner")
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    page = response.get_data(as_text=True)
    assert f'href="/agent/tickets/{ticket.number}"' in page
    assert "<mark>Scanner</mark> &lt;b&gt;jams&lt;/b&gt;" in page
    assert 'role="search"' in page


def test_the_top_bar_has_the_search_box_for_everyone(client, login, people):
    login(people["ann"])
    page = client.get("/my").get_data(as_text=True)
    assert 'role="search"' in page and 'action="/search"' in page


def test_typing_a_number_opens_the_ticket_if_one_may_see_it(client, login, people, file_ticket):
    ticket = file_ticket(people["ann"])
    login(people["ann"])
    response = client.get(f"/search?q={ticket.number.lower()}")
    assert response.status_code == 303 and response.location == f"/tickets/{ticket.number}"
    login(people["agent"])
    assert client.get(f"/search?q=inc-{ticket.number[3:]}").location == f"/agent/tickets/{ticket.number}"
    login(people["bob"])  # not his: searched for like any words, and found nothing
    response = client.get(f"/search?q={ticket.number}")
    assert response.status_code == 200 and "No tickets match" in response.get_data(as_text=True)


def test_as_you_type_gets_the_fragment_and_never_jumps(client, login, people, file_ticket):
    ticket = file_ticket(people["ann"], title="Headset crackles")
    login(people["agent"])
    fragment = client.get(f"/search?q={ticket.number}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="search-results"')
    assert ticket.number in fragment and "<html" not in fragment


@pytest.mark.parametrize("query, status, says", [
    ("", 200, "Type a few words"), ("q=a", 400, "at least 2"), ("q=" + "x" * 300, 400, "at most 200"),
    ("q=printer&page=abc", 400, "?page="), ("q=printer&page=51", 400, "up to page 50"),
    ("q=printer%00", 400, "NUL"), ("q=" + "x" * 1200, 414, "too long"),
])
def test_bad_input_gets_a_clear_4xx(client, login, people, query, status, says):
    login(people["agent"])
    response = client.get(f"/search?{query}")
    assert response.status_code == status
    assert says in response.get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/search?q=printer").status_code in (302, 303)


def test_the_results_page_runs_a_fixed_number_of_queries(client, login, people, file_ticket, count_queries):
    for i in range(3):
        ticket = file_ticket(people["ann"], title=f"Dock {i}")
        comments.add_comment(ticket, people["ann"], "dock still flickers")
    db.session.commit()
    login(people["agent"])
    few = count_queries(lambda: client.get("/search?q=dock"))
    for i in range(10):
        file_ticket(people["bob"], title=f"Dock more {i}", description=json.dumps({"x": 1}))
    login(people["agent"])
    assert count_queries(lambda: client.get("/search?q=dock")) == few


def test_the_search_bench_seeds_varied_text_and_reports_median_and_p95():
    """Smoke test of bench/search_bench.py at a tiny size (the real run is by hand)."""
    import importlib.util
    import random
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "search_bench.py"
    spec = importlib.util.spec_from_file_location("search_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    world = {"teams": [10, 11, 12, 13, 14], "tiers": [1, 2, 2, 2, 3],
             "categories": [(100 + i, team) for i, (_, team) in enumerate(bench.queue_bench.CATEGORIES)],
             "requesters": [1000, 1001], "members": {t: [500 + t] for t in range(5)}, "agent": 500}
    rows = list(bench.rows(random.Random(1), 200, world))
    assert len({row["title"] for row in rows}) > 150
    assert all(set(row["title"].lower().split()) <= set(bench.WORDS + bench.RARE) for row in rows)
    assert bench.figures([0.010, 0.020, 0.030]) == {"median_ms": 20.0, "p95_ms": 30.0}


@pytest.mark.parametrize("argv, says", [
    (["--keep-db", "deskflow_search_x"], "need --postgres"), (["--reuse-db", "deskflow_search_x"], "need --postgres"),
    (["--postgres", "postgresql://h/p", "--keep-db", "a", "--reuse-db", "a"], "not allowed with"),
])
def test_the_search_bench_keeps_or_reuses_only_a_postgresql_database(monkeypatch, capsys, argv, says):
    """A kept database is one on a server (SQLite's lives in the run's temp dir), and a run
    either seeds one to keep or reuses one, never both."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "search_bench.py"
    spec = importlib.util.spec_from_file_location("search_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr("sys.argv", ["search_bench.py", *argv])
    with pytest.raises(SystemExit):
        bench.parse_args()
    assert says in capsys.readouterr().err


def test_the_requester_column_migration_goes_down_and_up_keeping_the_index(people, file_ticket):
    """7a0000000007 rebuilds SQLite's index without, then with, the requester column (on
    PostgreSQL it changes nothing); either way every ticket stays found."""
    from flask_migrate import downgrade, upgrade

    number = file_ticket(people["ann"], title="Projector hums").number
    agent, ann = people["agent"].id, people["ann"].id
    db.session.commit()
    db.session.remove()
    downgrade(revision="7a0000000006")
    try:
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                columns = [row[1] for row in conn.execute(text("PRAGMA table_info(ticket_fts)"))]
            assert "requester" not in columns and "notes" in columns
    finally:
        upgrade()
    assert numbers(db.session.get(User, agent), "projector") == [number]
    assert numbers(db.session.get(User, ann), "projector") == [number]


def test_a_history_restore_gets_the_whole_page_not_the_live_fragment(client, login, people, file_ticket):
    """The back button restores a page by asking htmx-style with HX-History-Restore-Request: it
    needs the whole page (top bar and all), as a boosted navigation does."""
    file_ticket(people["ann"], title="Printer on fire")
    login(people["agent"])
    live = client.get("/search?q=printer", headers={"HX-Request": "true"}).get_data(as_text=True)
    restored = client.get("/search?q=printer", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" not in live and "<html" in restored.get_data(as_text=True)
