"""The employee portal: drafts, submission, bad input of every kind, the requester's ticket
page with its moves and replies, and the live fragments."""
import io
import re
from html import unescape as html_unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, Comment, Role, Status, Ticket
from app.services import comments, lifecycle, live, tickets
from app.services.attachments import storage_path

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTMX = {"HX-Request": "true"}


@pytest.fixture
def ann(make_user, login):
    return login(make_user("ann", phone="+44 20 1234 5678"))


@pytest.fixture
def category(make_category):
    return make_category("Hardware")


def form_data(category=None, **overrides):
    data = {"ticket_type": "incident", "title": "Laptop will not boot",
            "description": "Black screen after the update.",
            "category_id": str(category.id) if category else "", "impact": "medium",
            "urgency": "high", "contact_phone": "+44 20 7946 0000", "action": "draft"}
    data.update(overrides)
    return data


def only_draft() -> Ticket:
    db.session.expire_all()
    return db.session.scalars(select(Ticket).where(Ticket.status == Status.DRAFT)).one()


def poll_since(html: str) -> str:
    """The stamp a live fragment sends back when it polls."""
    url = html_unescape(re.search(r'hx-get="([^"]+)"', html).group(1))
    return parse_qs(urlsplit(url).query)["since"][0]


def post_files(client, url, data, *files):
    """A multipart post; ``files`` are (bytes, name) pairs sent as the attachments field."""
    payload = dict(data, attachments=[(io.BytesIO(content), name) for content, name in files])
    return client.post(url, data=payload, content_type="multipart/form-data")


# --- Drafts -------------------------------------------------------------------------------------

def test_new_form_offers_active_categories_in_order_and_defaults_the_phone(client, ann, make_category):
    make_category("Software").position = 2
    make_category("Network").position = 1
    make_category("Retired").active = False
    db.session.commit()
    page = client.get("/new").get_data(as_text=True)
    options = re.findall(r'<option value="\d+">([^<]+)</option>', page)
    assert options == ["Network", "Software"]
    assert 'value="+44 20 1234 5678"' in page
    assert 'name="action" value="draft"' in page and 'name="action" value="submit"' in page


def test_draft_save_resume_edit_and_submit(client, ann, category):
    response = client.post("/new", data=form_data(category, title="Printer", description=""))
    draft = only_draft()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/drafts/{draft.id}")
    assert draft.number is None and draft.created_by_id == ann.id

    listing = client.get("/drafts").get_data(as_text=True)
    assert "Printer" in listing and f"/drafts/{draft.id}" in listing and "Draft saved" in listing
    assert 'class="count">1<' in client.get("/my").get_data(as_text=True)
    resumed = client.get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert 'value="Printer"' in resumed

    edit = form_data(category, title="Printer on floor 3 jams", version=str(draft.version))
    assert client.post(f"/drafts/{draft.id}", data=edit).status_code == 303
    assert only_draft().title == "Printer on floor 3 jams"

    submit = dict(edit, action="submit", version=str(only_draft().version))
    response = client.post(f"/drafts/{draft.id}", data=submit)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/tickets/INC000001")
    page = client.get("/tickets/INC000001").get_data(as_text=True)
    assert "INC000001 submitted" in page and "Printer on floor 3 jams" in page
    assert "No drafts" in client.get("/drafts").get_data(as_text=True)


def test_submit_from_the_new_form_in_one_step(client, ann, category):
    response = client.post("/new", data=form_data(category, action="submit"))
    assert response.status_code == 303 and response.headers["Location"].endswith("/tickets/INC000001")
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.status == Status.NEW and ticket.requester_id == ann.id


def test_delete_draft(client, ann, category):
    client.post("/new", data=form_data(category))
    draft_id = only_draft().id
    response = client.post(f"/drafts/{draft_id}/delete", follow_redirects=True)
    assert "Draft deleted." in response.get_data(as_text=True)
    assert db.session.get(Ticket, draft_id) is None


def test_another_users_draft_is_404(client, make_user, login, category):
    bob = make_user("bob")
    draft = tickets.save_draft(bob, tickets.TicketInput(title="Bob's secret plan"))
    db.session.commit()
    login(make_user("ann"))
    assert client.get(f"/drafts/{draft.id}").status_code == 404
    assert client.post(f"/drafts/{draft.id}", data=form_data(category)).status_code == 404
    assert client.post(f"/drafts/{draft.id}/delete").status_code == 404
    assert "Bob's secret plan" not in client.get("/drafts").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Ticket, draft.id).title == "Bob's secret plan"


def test_two_tabs_saving_one_draft_do_not_silently_overwrite(client, ann, category):
    client.post("/new", data=form_data(category, title="First version"))
    draft_id, stale = only_draft().id, only_draft().version
    client.post(f"/drafts/{draft_id}", data=form_data(category, title="Other tab", version=str(stale)))
    response = client.post(f"/drafts/{draft_id}",
                           data=form_data(category, title="This tab", version=str(stale)))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "saved in another tab" in page and 'value="This tab"' in page
    assert only_draft().title == "Other tab"
    assert f'name="version" type="hidden" value="{only_draft().version}"' in page


# --- Bad input never loses what was typed -------------------------------------------------------

def test_submit_with_missing_fields_is_422_kept_as_draft(client, ann):
    data = form_data(None, action="submit", title="Wifi", description="Drops every ten minutes",
                     impact="")
    response = client.post("/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="title-err">Give a short title', page)
    assert re.search(r'id="category_id-err">Choose a category', page)
    assert re.search(r'id="impact-err">Say how many people', page)
    assert "urgency-err" not in page
    assert "Drops every ten minutes" in page and 'value="Wifi"' in page
    assert "kept as a draft" in page
    draft = only_draft()
    assert (draft.title, draft.description) == ("Wifi", "Drops every ten minutes")
    assert f'action="/drafts/{draft.id}"' in page  # trying again updates this draft
    assert response.headers["HX-Replace-Url"] == f"/drafts/{draft.id}"


def test_form_validation_error_keeps_the_text(client, ann, category):
    response = client.post("/new", data=form_data(category, contact_phone="call me <maybe>",
                                                   description="Keep this text"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="contact_phone-err"' in page and "Keep this text" in page


def test_oversized_upload_is_a_field_error_and_nothing_is_lost(client, app, ann, category, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 32)
    response = post_files(client, "/new", form_data(category, action="submit",
                                                    description="Screenshot attached"),
                          (PNG, "screen.png"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="attachments-err">screen.png is larger than', page)
    assert "Screenshot attached" in page
    draft = only_draft()
    assert draft.description == "Screenshot attached"
    assert db.session.scalars(select(Attachment)).all() == []


def test_disallowed_file_type_is_a_field_error(client, ann, category):
    response = post_files(client, "/new", form_data(category), (b"MZ\x90\x00" + bytes(range(256)), "tool.exe"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="attachments-err">tool.exe: this type of file is not accepted', page)
    assert "saved as a draft, but the files were not attached" in page
    assert only_draft().title == "Laptop will not boot"


def test_path_traversal_name_is_stored_by_hash_and_downloaded_safely(client, app, ann, category):
    content = b"root:x:0:0:not really\n"
    response = post_files(client, "/new", form_data(category, action="submit"),
                          (content, "../../etc/passwd.txt"))
    assert response.status_code == 303
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.filename == "etc_passwd.txt" and attachment.content_type == "text/plain"
    assert storage_path(attachment.sha256).read_bytes() == content
    assert storage_path(attachment.sha256).parent.parent == storage_path("00").parent.parent

    page = client.get("/tickets/INC000001").get_data(as_text=True)
    assert "etc_passwd.txt" in page and "../" not in page

    download = client.get(f"/files/{attachment.id}")
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "etc_passwd.txt" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_draft_page_lists_files_already_attached(client, ann, category):
    post_files(client, "/new", form_data(category), (PNG, "screen.png"))
    page = client.get(f"/drafts/{only_draft().id}").get_data(as_text=True)
    assert "Already attached" in page and "screen.png" in page


# --- The requester's ticket page ----------------------------------------------------------------

def test_another_employees_ticket_is_404(client, make_user, make_ticket, login):
    ticket = make_ticket(make_user("bob"), title="Bob's salary question")
    login(make_user("ann"))
    response = client.get(f"/tickets/{ticket.number}")
    assert response.status_code == 404
    assert "Bob's salary question" not in response.get_data(as_text=True)
    assert client.post(f"/tickets/{ticket.number}/reply", data={"body": "hi"}).status_code == 404
    assert client.post(f"/tickets/{ticket.number}/status", data={"target": "cancelled"}).status_code == 404


def test_it_staff_may_open_the_requesters_view(client, make_user, make_ticket, login):
    ticket = make_ticket(make_user("bob"), title="Keyboard sticky")
    login(make_user("tom", roles=[Role.AGENT]))
    assert "Keyboard sticky" in client.get(f"/tickets/{ticket.number}").get_data(as_text=True)


def test_description_with_html_renders_inert(client, ann, make_ticket):
    ticket = make_ticket(ann, title="<script>alert('t')</script>",
                         description="Hi <script>alert(1)</script> <img src=x onerror=alert(2)> **bold**")
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)" in page and "&lt;script&gt;alert(&#39;t&#39;)" in page
    assert "<strong>bold</strong>" in page


def test_page_shows_details_and_hides_internal_notes(client, ann, make_user, make_ticket):
    ticket = make_ticket(ann)
    tom = make_user("tom", roles=[Role.AGENT])
    comments.add_comment(ticket, tom, "Internal: user is VIP", internal=True)
    comments.add_comment(ticket, tom, "Could you restart it?")
    db.session.commit()
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Could you restart it?" in page and "VIP" not in page
    assert "Not yet assigned" in page and "Hardware team" in page


def test_illegal_transition_is_409_for_htmx_and_json_and_a_flash_for_a_plain_post(client, ann, make_ticket):
    ticket = make_ticket(ann)
    url = f"/tickets/{ticket.number}/status"
    response = client.post(url, data={"target": "closed"}, headers=HTMX)
    assert response.status_code == 409 and "cannot move from New to Closed" in response.get_data(as_text=True)
    response = client.post(url, data={"target": "closed"}, headers={"Accept": "application/json"})
    assert response.status_code == 409 and "New to Closed" in response.get_json()["error"]
    response = client.post(url, data={"target": "closed"})
    assert response.status_code == 303
    assert "cannot move from New to Closed" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert ticket.status == Status.NEW


def test_unknown_target_status_is_refused_not_500(client, ann, make_ticket):
    ticket = make_ticket(ann)
    response = client.post(f"/tickets/{ticket.number}/status", data={"target": "exploded"}, headers=HTMX)
    assert response.status_code == 422 and "Unknown status" in response.get_data(as_text=True)


def test_withdraw_needs_a_reason(client, ann, make_ticket):
    ticket = make_ticket(ann)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert 'value="cancelled"' in page and "Withdraw" in page
    url = f"/tickets/{ticket.number}/status"
    assert client.post(url, data={"target": "cancelled"}, headers=HTMX).status_code == 409
    response = client.post(url, data={"target": "cancelled", "reason": "Fixed itself"}, follow_redirects=True)
    assert f"{ticket.number} is now Cancelled" in response.get_data(as_text=True)
    db.session.expire_all()
    assert ticket.status == Status.CANCELLED


def test_requester_confirms_a_resolution(client, ann, make_user, make_ticket):
    ticket = make_ticket(ann)
    tom = make_user("tom", roles=[Role.AGENT])
    lifecycle.transition_ticket(ticket, Status.RESOLVED, tom, reason="Replaced the disk")
    db.session.commit()
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Confirm resolution" in page and "Replaced the disk" in page and "Reopen" in page
    client.post(f"/tickets/{ticket.number}/status", data={"target": "closed"})
    db.session.expire_all()
    assert ticket.status == Status.CLOSED


def test_reply_on_a_ticket_on_hold_moves_it_to_in_progress(client, ann, make_user, make_ticket):
    ticket = make_ticket(ann)
    tom = make_user("tom", roles=[Role.AGENT])
    lifecycle.transition_ticket(ticket, Status.IN_PROGRESS, tom)
    lifecycle.transition_ticket(ticket, Status.ON_HOLD, tom)
    db.session.commit()
    assert "IT is waiting for your answer" in client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    response = client.post(f"/tickets/{ticket.number}/reply", data={"body": "Yes, it is the blue one."})
    assert response.status_code == 303
    db.session.expire_all()
    assert ticket.status == Status.IN_PROGRESS
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Yes, it is the blue one." in page and "In Progress" in page


def test_empty_reply_is_422_by_the_field(client, ann, make_ticket):
    ticket = make_ticket(ann)
    response = client.post(f"/tickets/{ticket.number}/reply", data={"body": "   "})
    assert response.status_code == 422
    assert re.search(r'id="body-err">Write a message', response.get_data(as_text=True))


def test_reply_with_a_bad_file_keeps_the_text_and_stores_nothing(client, ann, make_ticket):
    ticket = make_ticket(ann)
    response = post_files(client, f"/tickets/{ticket.number}/reply", {"body": "See the attached tool"},
                          (bytes(range(256)), "tool.exe"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="attachments-err"' in page and "See the attached tool" in page
    assert "No replies yet." in page  # the refused reply is not shown as sent
    assert db.session.scalars(select(Comment)).all() == []


# --- Live fragments -----------------------------------------------------------------------------

def test_my_tickets_lists_own_submitted_tickets_newest_update_first(client, ann, make_user, make_ticket, category):
    old = make_ticket(ann, category, title="Old printer issue")
    make_ticket(ann, category, title="New monitor request")
    make_ticket(make_user("bob"), category, title="Bob's ticket")
    tickets.save_draft(ann, tickets.TicketInput(title="Half-written draft"))
    comments.add_comment(old, ann, "Still broken")
    db.session.commit()
    page = client.get("/my").get_data(as_text=True)
    assert page.index("Old printer issue") < page.index("New monitor request")
    assert "Bob's ticket" not in page and "Half-written draft" not in page


def test_my_tickets_empty_state(client, ann):
    assert "No tickets yet" in client.get("/my").get_data(as_text=True)


def test_my_tickets_live_fragment(client, ann, make_ticket):
    make_ticket(ann, title="Mouse is dead")
    full = client.get("/my").get_data(as_text=True)
    assert "<html" in full and 'id="my-tickets"' in full
    fragment = client.get("/my", headers=HTMX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section class="card card-flush" id="my-tickets"')
    assert "<html" not in fragment and "Mouse is dead" in fragment
    stamp = live.requester_stamp(ann)
    assert poll_since(fragment) == stamp
    unchanged = client.get("/my", query_string={"since": stamp}, headers=HTMX)
    assert unchanged.status_code == 204 and unchanged.data == b""
    changed = client.get("/my", query_string={"since": "stale"}, headers=HTMX)
    assert changed.status_code == 200 and "Mouse is dead" in changed.get_data(as_text=True)


def test_my_tickets_runs_the_same_queries_for_many_tickets(client, app, ann, make_ticket, category,
                                                           count_queries):
    def with_tickets(n):
        for _ in range(n):
            make_ticket(ann, category)
        return count_queries(lambda: client.get("/my"))

    assert with_tickets(2) == with_tickets(8)


def test_ticket_page_live_fragment(client, ann, make_user, make_ticket):
    ticket = make_ticket(ann)
    root = f'id="ticket-{ticket.number}"'
    full = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "<html" in full and root in full and "Send reply" in full
    fragment = client.get(f"/tickets/{ticket.number}", headers=HTMX).get_data(as_text=True)
    assert fragment.lstrip().startswith(f'<div {root}')
    assert "<html" not in fragment and "Send reply" not in fragment
    stamp = live.ticket_stamp(ticket.id)
    assert poll_since(fragment) == stamp
    unchanged = client.get(f"/tickets/{ticket.number}", query_string={"since": stamp}, headers=HTMX)
    assert unchanged.status_code == 204 and unchanged.data == b""

    tom = make_user("tom", roles=[Role.AGENT])
    lifecycle.transition_ticket(ticket, Status.IN_PROGRESS, tom)
    comments.add_comment(ticket, tom, "On my way to your desk")
    db.session.commit()
    changed = client.get(f"/tickets/{ticket.number}", query_string={"since": stamp}, headers=HTMX)
    body = changed.get_data(as_text=True)
    assert changed.status_code == 200 and "In Progress" in body and "On my way to your desk" in body


def test_pages_need_sign_in(client):
    for url in ("/my", "/new", "/drafts", "/tickets/INC000001"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]



def test_no_replies_on_a_finished_ticket(client, login, make_user, make_ticket):
    """A closed or cancelled ticket shows no reply form, and a reply posted anyway is refused
    with the reason by the field (the way forward is a new ticket)."""
    from app.services.lifecycle import transition_ticket

    ann = make_user("ann")
    ticket = make_ticket(ann)
    transition_ticket(ticket, Status.CANCELLED, ann, reason="Sorted itself out")
    db.session.commit()
    login(ann)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Send reply" not in page
    response = client.post(f"/tickets/{ticket.number}/reply", data={"body": "One more thing"})
    assert response.status_code == 422
    assert "replies are closed" in response.get_data(as_text=True)


def test_a_draft_submitted_from_another_tab_leads_to_its_ticket(client, login, make_user, make_category):
    """Saving from a second tab after the draft was submitted in the first: not a 404 but the
    ticket, with a word on where to add more."""
    category = make_category()
    ann = login(make_user("ann"))
    client.post("/new", data=form_data(category))
    draft = db.session.query(Ticket).one()
    assert client.post(f"/drafts/{draft.id}", data=form_data(category, action="submit")).status_code == 303
    db.session.refresh(draft)
    assert draft.number and draft.requester_id == ann.id
    response = client.post(f"/drafts/{draft.id}", data=form_data(category, title="late edit"))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tickets/{draft.number}")
    assert "already submitted" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_every_page_names_an_icon_that_is_served(client):
    """Browsers ask for an icon on every page; without one each page logs a 404."""
    import re

    page = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', page).group(1)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
