"""Every error of a submit form in one round: the form's own checks, the files, what a
submission lacks and the admins' validation rules, shown together by their fields and listed in
an error summary whose links lead to those fields; required marks on every required field."""
import hashlib
import io
import json
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, CatalogItem, FieldType, FormField, Role, RuleKind, Ticket, ValidationRule
from app.services import attachments
from app.services.attachments import upload_errors
from werkzeug.datastructures import FileStorage

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + bytes(range(256))
HTMX = {"HX-Request": "true"}


def tickets_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Ticket.id)))


def multipart(client, url, data, field="attachments", files=(), headers=None):
    payload = dict(data, **{field: [(io.BytesIO(content), name) for content, name in files]})
    return client.post(url, data=payload, content_type="multipart/form-data", headers=headers or {})


def summary(html: str) -> str:
    found = re.search(r'<div class="error-summary".*?</ul>', html, re.S)
    assert found, "no error summary"
    return found.group(0)


def summary_links(html: str) -> list[str]:
    return re.findall(r'<a href="#([^"]+)"', summary(html))


def assert_links_lead_to_inputs(html: str) -> None:
    """Each link of the summary names an input (or a group's first option) in the page."""
    for target in summary_links(html):
        assert re.search(rf'<(input|select|textarea)[^>]*\bid="{re.escape(target)}"', html), target


@pytest.fixture
def ann(make_user, login):
    return login(make_user("ann", phone="+44 20 1234 5678"))


@pytest.fixture
def hardware(make_category):
    return make_category("Hardware")


# --- Portal: report or request ------------------------------------------------------------------

def test_portal_bad_file_and_missing_fields_are_reported_together(client, ann):
    response = multipart(client, "/new", {"ticket_type": "incident", "title": "Wifi", "description": "",
                                          "category_id": "", "impact": "", "urgency": "high",
                                          "contact_phone": "", "action": "submit"},
                         files=[(EXE, "tool.exe"), (b"", "empty.txt")])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for name, message in [("title", "Give a short title"), ("description", "Describe the problem"),
                          ("category_id", "Choose a category"), ("impact", "Say how many people"),
                          ("attachments", "tool.exe: this type of file is not accepted")]:
        assert re.search(rf'id="{name}-err">{message}', html), name
    assert "empty.txt is empty." in html  # every bad file is named, not only the first
    assert summary_links(html) == ["title", "description", "category_id", "impact", "attachments"]
    assert_links_lead_to_inputs(html)
    draft = db.session.scalars(select(Ticket)).one()  # the typed title is kept as a draft
    assert draft.is_draft and draft.title == "Wifi"
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_portal_form_check_files_and_submission_in_one_round_save_nothing(client, ann, hardware):
    """The form refuses the phone and the title; the submission check still runs on the rest."""
    response = multipart(client, "/new", {"ticket_type": "incident", "title": "x" * 201,
                                          "description": "Screen flickers", "category_id": str(hardware.id),
                                          "impact": "", "urgency": "", "contact_phone": "call <me>",
                                          "action": "submit"}, files=[(EXE, "tool.exe")])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="title-err">Keep the title under 200 characters.</p>', html)  # not also "missing"
    assert re.search(r'id="contact_phone-err">Use digits', html)
    assert re.search(r'id="impact-err">Say how many', html) and re.search(r'id="urgency-err">Say how soon', html)
    assert re.search(r'id="attachments-err">tool.exe', html)
    assert summary_links(html) == ["title", "impact", "urgency", "contact_phone", "attachments"]
    assert "Screen flickers" in html
    assert tickets_count() == 0  # what the form refuses is not saved; it is all still in the page


def test_portal_validation_rule_is_reported_with_the_rest(client, ann, hardware):
    db.session.add(ValidationRule(name="Phone for hardware", kind=RuleKind.REQUIRE, category_id=hardware.id,
                                  required_fields=json.dumps(["contact_phone"]),
                                  message="Hardware calls need a phone number."))
    db.session.add(ValidationRule(name="No P1 by mail", kind=RuleKind.REFUSE, message="Not from the portal.",
                                  conditions=json.dumps([{"field": "channel", "op": "eq", "value": "portal"}])))
    db.session.commit()
    response = multipart(client, "/new", {"ticket_type": "incident", "title": "Dock is dead", "description": "",
                                          "category_id": str(hardware.id), "impact": "low", "urgency": "low",
                                          "contact_phone": "", "action": "submit"}, files=[(EXE, "tool.exe")])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="contact_phone-err">Hardware calls need a phone number.' in html
    assert 'id="description-err">Describe' in html and 'id="attachments-err">tool.exe' in html
    assert "<li>Not from the portal.</li>" in summary(html)  # a rule about no one field


def test_portal_refused_htmx_post_brings_the_focusable_summary(client, ann, hardware):
    response = client.post("/new", data={"ticket_type": "incident", "title": "Printer", "action": "submit"},
                           headers={**HTMX, "HX-Boosted": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<div class="error-summary" id="error-summary" tabindex="-1" autofocus data-error-summary>\s*'
                     r'<div role="alert">\s*<h2 class="error-summary-title">There is a problem</h2>', html)
    assert "js/error-summary.js" in html
    assert html.count('class="error-summary"') == 1


def test_no_summary_on_a_fresh_form(client, ann, hardware):
    for url in ("/new", "/agent/new"):
        html = client.get(url).get_data(as_text=True)
        assert "error-summary" not in html.replace("js/error-summary.js", "")


def test_upload_errors_store_nothing_and_rewind(app, ann, make_ticket):
    content = PNG + b"only in this test"
    good = FileStorage(io.BytesIO(content), "ok.png")
    bad = FileStorage(io.BytesIO(EXE), "x.exe")
    assert upload_errors([good, bad, FileStorage(io.BytesIO(b""), "")]) == [
        "x.exe: this type of file is not accepted. Attach images, PDF, Office documents, text or "
        "log files, or zip archives."]
    assert good.stream.tell() == 0
    assert not attachments.storage_path(hashlib.sha256(content).hexdigest()).exists()
    [attachment] = attachments.attach_files(make_ticket(ann), ann, [good])  # the whole file, rewound
    assert attachment.size == len(content)


# --- Catalog item form --------------------------------------------------------------------------

@pytest.fixture
def laptop(hardware):
    def field(key, label, kind, position, **extra):
        if "choices" in extra:
            extra["choices"] = json.dumps(extra["choices"])
        return FormField(key=key, label=label, field_type=kind, position=position, **extra)

    item = CatalogItem(name="New laptop", category=hardware, summary="A laptop", delivery_days=5)
    item.fields = [
        field("model", "Model", FieldType.CHOICE, 1, required=True, choices=["Standard", "Power"]),
        field("why", "Justification", FieldType.LONG_TEXT, 2, required=True),
        field("ram", "Memory (GB)", FieldType.NUMBER, 3, min_value=8, max_value=64),
        field("photo", "Photo of the old one", FieldType.FILE, 4),
    ]
    db.session.add(item)
    db.session.commit()
    return item


def test_catalog_bad_file_missing_answers_and_rule_are_reported_together(client, ann, laptop):
    db.session.add(ValidationRule(name="Tiny laptops", kind=RuleKind.REFUSE, message="8 GB is not offered any more.",
                                  conditions=json.dumps([{"field": "answers.ram", "op": "eq", "value": 8,
                                                          "type": "number"}])))
    db.session.commit()
    response = multipart(client, f"/catalog/{laptop.id}", {"q_ram": "8", "notes": "Soon please", "action": "submit"},
                         field="q_photo", files=[(EXE, "virus.exe")])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="error" id="q_model-err">Model is required.</p>' in html
    assert '<p class="error" id="q_why-err">Justification is required.</p>' in html
    assert re.search(r'<p class="error" id="q_photo-err">virus.exe: this type of file', html)
    assert "<li>8 GB is not offered any more.</li>" in summary(html)
    assert summary_links(html) == ["q_model-1", "q_why", "q_photo"]  # a group links to its first option
    assert_links_lead_to_inputs(html)
    assert '<a href="#q_model-1">Model is required.</a>' in html  # no "Model: Model is required."
    draft = db.session.scalars(select(Ticket)).one()  # the typed answers are kept as a draft
    assert draft.is_draft and json.loads(draft.answers)["ram"] == "8" and draft.description == "Soon please"
    assert json.loads(draft.answers)["photo"] == []


def test_catalog_files_beside_a_refused_one_are_not_stored(client, ann, laptop):
    good = PNG + b"the old laptop, beside a refused file"
    response = multipart(client, f"/catalog/{laptop.id}", {"q_ram": "16", "action": "save"},
                         field="q_photo", files=[(good, "old.png"), (EXE, "virus.exe")])
    assert response.status_code == 422 and 'id="q_photo-err">virus.exe' in response.get_data(as_text=True)
    assert not attachments.storage_path(hashlib.sha256(good).hexdigest()).exists()
    draft = db.session.scalars(select(Ticket)).one()  # the answers are kept, no file with them
    assert draft.is_draft and json.loads(draft.answers)["photo"] == []


def test_catalog_form_check_answers_and_files_in_one_round_save_nothing(client, ann, laptop):
    response = multipart(client, f"/catalog/{laptop.id}", {"q_model": "Power", "q_ram": "128",
                                                          "notes": "n" * 20001, "action": "submit"},
                         field="q_photo", files=[(EXE, "virus.exe")])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="notes-err">Keep it under 20,000 characters.' in html
    assert 'id="q_why-err">Justification is required.' in html and 'id="q_ram-err">Enter at most 64.' in html
    assert 'id="q_photo-err">virus.exe' in html
    assert summary_links(html) == ["q_why", "q_ram", "q_photo", "notes"]
    assert tickets_count() == 0
    assert 'value="128"' in html and 'value="Power" checked' in html


def test_catalog_summary_on_a_draft_page_after_a_refused_submit(client, ann, laptop):
    client.post(f"/catalog/{laptop.id}", data={"q_model": "Standard", "action": "draft"})
    draft = db.session.scalars(select(Ticket)).one()
    response = client.post(f"/catalog/drafts/{draft.id}", data={"q_model": "Standard", "action": "submit",
                                                               "version": str(draft.version)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and summary_links(html) == ["q_why"]
    assert "Not submitted yet" in html


# --- On behalf (agent "new ticket") -------------------------------------------------------------

@pytest.fixture
def tom(make_user, make_team, login):
    desk = make_team("Service Desk")
    return login(make_user("tom", roles=[Role.AGENT], teams=[desk]))


def on_behalf(category, **overrides):
    data = {"ticket_type": "incident", "title": "Cannot print payslips", "description": "Toner error on P3.",
            "category_id": str(category.id), "impact": "medium", "urgency": "high", "channel": "phone",
            "q": "", "team_id": ""}
    data.update(overrides)
    return data


def test_on_behalf_missing_requester_and_title_are_reported_together(client, tom, hardware):
    response = multipart(client, "/agent/new", on_behalf(hardware, title="", description=""),
                         files=[(EXE, "tool.exe")])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="q-err">Find the requester', html)
    assert re.search(r'id="title-err">Give a short title', html)
    assert re.search(r'id="description-err">Describe', html)
    assert re.search(r'id="attachments-err">tool.exe', html)
    assert summary_links(html) == ["q", "title", "description", "attachments"]
    assert_links_lead_to_inputs(html)
    assert tickets_count() == 0


def test_on_behalf_form_errors_come_with_requester_and_submission_errors(client, tom, hardware):
    response = client.post("/agent/new", data=on_behalf(hardware, title="", contact_phone="ring <me>",
                                                        team_id="999999", requester_id="x'1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="contact_phone-err">Use digits' in html and 'id="title-err">Give a short title' in html
    assert 'id="team_id-err">Not understood' in html
    assert html.count("Find the requester by name or email") == 2  # by the field and in the summary
    assert tickets_count() == 0


def test_proactive_work_needs_no_requester_but_reports_the_rest(client, tom, hardware):
    response = client.post("/agent/new", data=on_behalf(hardware, channel="agent", title="", impact=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "q-err" not in html
    assert summary_links(html) == ["title", "impact"]


def test_on_behalf_still_files_in_one_step(client, tom, hardware, make_user):
    ann = make_user("ann")
    response = multipart(client, "/agent/new", on_behalf(hardware, requester_id=str(ann.id)),
                         files=[(PNG, "toner.png")])
    assert response.status_code == 303
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.number and ticket.requester_id == ann.id
    assert [a.filename for a in db.session.scalars(select(Attachment))] == ["toner.png"]


# --- Required marks -----------------------------------------------------------------------------

def _label_marked(html: str, input_id: str) -> bool:
    return re.search(rf'<label class="label" for="{input_id}">[^<]*</label><span class="req" aria-hidden="true"> '
                     r'\(required\)</span>', html) is not None


def _required_attr(html: str, input_id: str) -> bool:
    tag = re.search(rf'<(input|select|textarea)[^>]*\bid="{input_id}"[^>]*>', html).group(0)
    return re.search(r'\brequired\b|aria-required="true"', tag) is not None


def test_portal_and_on_behalf_forms_mark_what_a_submission_needs(client, tom, hardware):
    for url, required, optional in [
            ("/new", ["title", "description", "category_id", "impact", "urgency"], ["contact_phone", "attachments"]),
            ("/agent/new", ["q", "title", "description", "category_id", "impact", "urgency"],
             ["contact_phone", "team_id", "attachments"])]:
        html = client.get(url).get_data(as_text=True)
        for name in required:
            assert _label_marked(html, name) and _required_attr(html, name), (url, name)
        for name in optional:
            assert not _label_marked(html, name) and not _required_attr(html, name), (url, name)


def test_catalog_marks_required_answers(client, ann, laptop):
    html = client.get(f"/catalog/{laptop.id}").get_data(as_text=True)
    assert re.search(r'<legend class="label">Model<span class="req"> \(required\)</span></legend>', html)
    assert _label_marked(html, "q_why") and _required_attr(html, "q_why")
    assert not _label_marked(html, "q_ram") and not _required_attr(html, "q_ram")


def test_sign_in_and_admin_forms_mark_required_fields(client, make_user, login):
    html = client.get("/login").get_data(as_text=True)
    assert _label_marked(html, "email") and _required_attr(html, "email")
    assert _label_marked(html, "password") and _required_attr(html, "password")
    login(make_user("ada", roles=[Role.ADMIN]))
    html = client.get("/admin/users/new").get_data(as_text=True)
    assert _label_marked(html, "name") and _required_attr(html, "name")
    assert re.search(r'<legend class="label">Roles<span class="req"> \(required\)</span></legend>', html)


def test_tampered_choices_are_refused_with_the_rest_never_a_500(client, tom, hardware):
    response = client.post("/new", data={"ticket_type": "zzz", "title": "Dock", "category_id": "abc",
                                         "impact": "huge", "urgency": "", "action": "submit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="category_id-err">Not a valid choice.' in html and 'id="impact-err">Not a valid choice' in html
    assert 'id="urgency-err">Say how soon' in html and 'id="title-err">Give a short title' in html
    assert summary_links(html)[0] == "ticket_type-0"  # the radio group links to its first option
    response = client.post("/agent/new", data=on_behalf(hardware, channel="fax", ticket_type="zzz", title=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="title-err">Give a short title' in html and summary_links(html)[:2] == ["channel-0", "q"]
    assert tickets_count() == 0
