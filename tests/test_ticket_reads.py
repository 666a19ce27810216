"""What the queue rows tell a technician beyond the ticket: a requester reply they have not seen
(marked until they open the ticket), who claimed the rows a live refresh removes, their own
claim from a row; and "← Queues", which returns to the queue they came from."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Role, TicketRead
from app.services import assignment
from app.services.comments import add_comment
from app.services.ticket_reads import mark_seen, unseen_replies

HX = {"HX-Request": "true"}


@pytest.fixture
def desk(make_team, make_category, make_user):
    team = make_team("Desk")
    return type("Desk", (), dict(
        team=team, category=make_category("Network", team=team),
        tom=make_user("tom", roles=[Role.AGENT], teams=[team]),
        sam=make_user("sam lee", roles=[Role.AGENT], teams=[team]),
        ann=make_user("ann")))


def reply(ticket, author, body="Any news?", internal=False):
    add_comment(ticket, author, body, internal=internal)
    db.session.commit()


def test_only_a_public_requester_reply_after_the_last_visit_counts(app, desk, make_ticket):
    quiet, replied, noted = (make_ticket(desk.ann, desk.category) for _ in range(3))
    reply(replied, desk.ann)
    reply(noted, desk.sam, "Checked the switch", internal=True)
    reply(noted, desk.sam, "We are on it")  # an agent's public reply is not the requester's
    ids = [quiet.id, replied.id, noted.id]
    assert unseen_replies(desk.tom, ids) == {replied.id}
    mark_seen(desk.tom.id, replied.id)
    db.session.commit()
    assert unseen_replies(desk.tom, ids) == set()
    assert unseen_replies(desk.sam, ids) == {replied.id}  # seen is per person
    reply(replied, desk.ann, "Still broken")
    assert unseen_replies(desk.tom, ids) == {replied.id}
    assert unseen_replies(desk.tom, []) == set()


def test_mark_seen_is_an_upsert(app, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    for _ in range(2):
        mark_seen(desk.tom.id, ticket.id)
        db.session.commit()
    assert len(db.session.scalars(select(TicketRead)).all()) == 1


def test_the_row_is_marked_until_the_ticket_page_is_opened(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    reply(ticket, desk.ann)
    login(desk.tom)
    html = client.get("/agent/?view=team").get_data(as_text=True)
    assert f'<tr id="row-{ticket.number}" data-id="{ticket.id}" data-unassigned class="unseen">' in html
    assert '<span class="sr-only">New reply: </span>' in html
    assert client.get(f"/agent/tickets/{ticket.number}").status_code == 200
    html = client.get("/agent/?view=team").get_data(as_text=True)
    assert "New reply" not in html
    # A live refresh of the ticket page that finds nothing new (204) writes nothing.
    before = db.session.scalar(select(TicketRead.seen_at))
    stamp = str(ticket.version)
    db.session.rollback()
    assert client.get(f"/agent/tickets/{ticket.number}?since={stamp}", headers=HX).status_code == 204
    assert db.session.scalar(select(TicketRead.seen_at)) == before


def test_unseen_marks_cost_no_query_per_row(client, login, desk, make_ticket, count_queries):
    login(desk.tom)

    def queue():
        db.session.close()
        assert client.get("/agent/?view=team").status_code == 200

    def add(n):
        ann, category = db.session.merge(desk.ann), db.session.merge(desk.category)
        for _ in range(n):
            reply(make_ticket(ann, category), ann)

    add(2)
    few = count_queries(queue)
    add(8)
    assert count_queries(queue) == few


def test_a_refresh_names_who_claimed_the_rows_it_removes(client, login, desk, make_ticket):
    mine, theirs, kept = (make_ticket(desk.ann, desk.category) for _ in range(3))
    login(desk.tom)
    client.get("/agent/?view=team")
    assignment.claim_ticket(theirs, desk.sam)
    assignment.claim_ticket(mine, desk.tom)
    db.session.commit()
    shown = "&".join(f"shown={t.id}" for t in (mine, theirs, kept))
    html = client.get(f"/agent/?view=team&since=old&{shown}&shown=junk", headers=HX).get_data(as_text=True)
    assert f"{theirs.number} was claimed by Sam Lee." in html
    assert mine.number not in html.split('id="queue-claimed"')[1]  # your own claim said so already
    assert 'hx-swap-oob="afterbegin:#queue-notices"' in html
    # Other views lose rows for other reasons: no claim notice there.
    html = client.get(f"/agent/?view=open&since=old&{shown}", headers=HX).get_data(as_text=True)
    assert "was claimed by" not in html


def test_claim_from_a_row_says_you_claimed_it(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    html = client.post(f"/agent/tickets/{ticket.number}/claim", headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="row-{ticket.number}"')
    assert "<template><div hx-swap-oob=\"afterbegin:#queue-notices\">" in html
    assert f'You claimed <a href="/agent/tickets/{ticket.number}">{ticket.number}</a>' in html


def test_the_ticket_page_claim_button_is_named_with_its_ticket(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    html = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    # The visible words come first in the name (WCAG 2.5.3, label in name: axe checks it).
    assert f'aria-label="Claim and start work {ticket.number}">Claim and start work</button>' in html


def test_back_to_the_queue_keeps_its_filters(client, login, desk, make_ticket):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    assert 'href="/agent/" data-queue-back>← Queues' in client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    client.get("/agent/?view=open&status=new&sort=-updated")
    html = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    assert 'href="/agent/?sort=-updated&amp;status=new&amp;view=open" data-queue-back>' in html
    # A poll of the table does not move it; a full page does.
    client.get("/agent/?view=mine&since=x", headers=HX)
    assert "view=open" in client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)


@pytest.mark.parametrize("query", ["next=https://evil.example/", "view=//evil.example",
                                   "view=open&back=//evil.example&status=javascript:alert(1)"])
def test_back_link_never_leaves_the_queue(client, login, desk, make_ticket, query):
    ticket = make_ticket(desk.ann, desk.category)
    login(desk.tom)
    client.get(f"/agent/?{query}")
    html = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    crumb = html.split('<p class="crumbs"><a href="')[1].split('"')[0]
    assert crumb.startswith("/agent/") and "evil" not in crumb and "javascript" not in crumb
