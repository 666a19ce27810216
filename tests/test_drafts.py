"""Drafts keep what people type, and only that: a refused or empty first submission leaves no
"Untitled" draft behind, a draft with typed text is kept, and existing drafts keep working."""
import io
import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, CatalogItem, FieldType, FormField, Level, Status, Ticket
from app.services import catalog, tickets
from app.services.catalog_forms import item_specs
from app.services.submissions import NOTHING_TO_SAVE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BLANK = {"ticket_type": "incident", "title": "", "description": "", "category_id": "", "impact": "",
         "urgency": "", "contact_phone": "+44 20 1234 5678"}  # the phone the form fills in


def drafts() -> list[Ticket]:
    db.session.expire_all()
    return list(db.session.scalars(select(Ticket).where(Ticket.status == Status.DRAFT)))


def ticket_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Ticket.id)))


@pytest.fixture
def ann(make_user, login):
    return login(make_user("ann", phone="+44 20 1234 5678"))


@pytest.fixture
def hardware(make_category):
    return make_category("Hardware")


# --- Portal -------------------------------------------------------------------------------------

def test_an_empty_first_submit_is_refused_and_leaves_no_draft(client, ann):
    response = client.post("/new", data=dict(BLANK, action="submit"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for name in ("title", "description", "category_id", "impact", "urgency"):
        assert f'id="{name}-err"' in html
    assert ticket_count() == 0
    assert "HX-Replace-Url" not in response.headers and 'action="/new"' in html
    assert "kept as a draft" not in html
    assert "Untitled" not in client.get("/drafts").get_data(as_text=True)


def test_an_empty_save_draft_says_there_is_nothing_to_save(client, ann):
    response = client.post("/new", data=dict(BLANK, action="draft"))
    assert response.status_code == 422
    assert f"<li>{NOTHING_TO_SAVE}</li>" in response.get_data(as_text=True)
    assert ticket_count() == 0


def test_a_refused_first_submit_with_only_a_bad_file_leaves_no_draft(client, ann):
    payload = dict(BLANK, action="submit", attachments=[(io.BytesIO(b"MZ\x90\x00bin"), "tool.exe")])
    response = client.post("/new", data=payload, content_type="multipart/form-data")
    assert response.status_code == 422 and 'id="attachments-err">tool.exe' in response.get_data(as_text=True)
    assert ticket_count() == 0


def test_a_refused_submit_with_typed_text_keeps_the_draft(client, ann):
    response = client.post("/new", data=dict(BLANK, description="The dock flickers", action="submit"))
    assert response.status_code == 422
    [draft] = drafts()
    assert draft.description == "The dock flickers" and draft.title == ""
    assert response.headers["HX-Replace-Url"] == f"/drafts/{draft.id}"


def test_a_file_alone_is_worth_a_draft(client, ann):
    payload = dict(BLANK, action="draft", attachments=[(io.BytesIO(PNG), "screen.png")])
    response = client.post("/new", data=payload, content_type="multipart/form-data")
    [draft] = drafts()
    assert response.status_code == 303 and response.headers["Location"] == f"/drafts/{draft.id}"
    assert [a.filename for a in db.session.scalars(select(Attachment))] == ["screen.png"]


def test_an_existing_draft_keeps_working_even_emptied(client, ann, hardware):
    client.post("/new", data=dict(BLANK, title="Dock flickers", action="draft"))
    [draft] = drafts()
    response = client.post(f"/drafts/{draft.id}", data=dict(BLANK, title="Dock flickers again",
                                                            version=str(draft.version), action="draft"))
    assert response.status_code == 303
    assert drafts()[0].title == "Dock flickers again"
    response = client.post(f"/drafts/{draft.id}", data=dict(BLANK, version=str(drafts()[0].version),
                                                            action="draft"))
    assert response.status_code == 303  # emptied on purpose: still the same draft, saved
    assert [(d.id, d.title) for d in drafts()] == [(draft.id, "")]
    response = client.post(f"/drafts/{draft.id}", data=dict(
        BLANK, title="Dock flickers", description="Since Monday", category_id=str(hardware.id),
        impact="low", urgency="low", version=str(drafts()[0].version), action="submit"))
    assert response.status_code == 303 and drafts() == []


def test_has_content(app, make_user):
    ann = make_user("ann", phone="+44 1")
    blank = tickets.TicketInput(contact_phone="+44 1")
    assert not tickets.has_content(blank, ann)
    assert not tickets.has_content(tickets.TicketInput(title="  "), ann)
    for typed in (tickets.TicketInput(title="Dock"), tickets.TicketInput(description="x"),
                  tickets.TicketInput(category_id=1), tickets.TicketInput(impact=Level.LOW),
                  tickets.TicketInput(contact_phone="+44 2")):
        assert tickets.has_content(typed, ann), typed


def test_checking_a_submission_changes_nothing(app, make_user, hardware, ticket_input):
    ann = make_user("ann")
    draft = tickets.save_draft(ann, ticket_input(hardware, title="Dock"))
    db.session.commit()
    errors = tickets.submission_refusals(lambda: tickets.save_draft(
        ann, tickets.TicketInput(title="x"), draft))
    assert set(errors) == {"title", "description", "category_id", "impact", "urgency"}
    db.session.commit()
    db.session.expire_all()
    assert (draft.title, draft.category_id, draft.version) == ("Dock", hardware.id, 1)
    assert tickets.submission_refusals(lambda: tickets.save_draft(ann, tickets.TicketInput())) != {}
    assert ticket_count() == 1


# --- Catalog ------------------------------------------------------------------------------------

@pytest.fixture
def vpn(hardware):
    item = CatalogItem(name="VPN access", category=hardware, summary="Remote access", delivery_days=1)
    item.fields = [
        FormField(key="device", label="Device", field_type=FieldType.CHOICE, position=1, required=True,
                  choices=json.dumps(["Company laptop", "Own laptop"]), default="Company laptop"),
        FormField(key="why", label="Why", field_type=FieldType.TEXT, position=2, required=True),
        FormField(key="token", label="Hardware token", field_type=FieldType.CHECKBOX, position=3),
    ]
    db.session.add(item)
    db.session.commit()
    return item


def test_an_untouched_catalog_form_submitted_leaves_no_draft(client, ann, vpn):
    response = client.post(f"/catalog/{vpn.id}", data={"q_device": "Company laptop", "action": "submit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="q_why-err">Why is required.' in html
    assert ticket_count() == 0 and "HX-Push-Url" not in response.headers


def test_an_untouched_catalog_form_saved_says_there_is_nothing_to_save(client, ann, vpn):
    response = client.post(f"/catalog/{vpn.id}", data={"q_device": "Company laptop", "action": "draft"})
    assert response.status_code == 422 and NOTHING_TO_SAVE in response.get_data(as_text=True)
    assert ticket_count() == 0


def test_a_refused_catalog_submit_with_a_typed_answer_keeps_the_draft(client, ann, vpn):
    response = client.post(f"/catalog/{vpn.id}", data={"q_device": "Own laptop", "action": "submit"})
    assert response.status_code == 422
    [draft] = drafts()
    assert json.loads(draft.answers)["device"] == "Own laptop"
    assert response.headers["HX-Push-Url"] == f"/catalog/drafts/{draft.id}"
    response = client.post(f"/catalog/drafts/{draft.id}", data={
        "q_device": "Own laptop", "q_why": "Travel", "action": "submit", "version": str(draft.version)})
    assert response.status_code == 303 and drafts() == []


def test_a_catalog_note_or_a_ticked_box_is_worth_a_draft(client, ann, vpn):
    assert client.post(f"/catalog/{vpn.id}", data={"q_device": "Company laptop", "notes": "Hi",
                                                   "action": "draft"}).status_code == 303
    assert client.post(f"/catalog/{vpn.id}", data={"q_device": "Company laptop", "q_token": "yes",
                                                   "action": "draft"}).status_code == 303
    assert len(drafts()) == 2


def test_has_answers(app, vpn):
    specs = item_specs(vpn)
    untouched = {"device": "Company laptop", "why": "", "token": ""}
    assert not catalog.has_answers(specs, untouched)
    assert not catalog.has_answers(specs, {}, notes="  ")
    assert catalog.has_answers(specs, untouched, notes="Hi")
    assert catalog.has_answers(specs, dict(untouched, device="Own laptop"))
    assert catalog.has_answers(specs, dict(untouched, why="x"))
    assert catalog.has_answers(specs, dict(untouched, token="yes"))
