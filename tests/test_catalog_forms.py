"""The catalog's form engine: every field type's bad input, conditional fields (also in chains),
hidden answers dropped, and the snapshot a filed ticket keeps when the item's form changes."""
import json

import pytest

from app.extensions import db
from app.models import CatalogItem, FieldType, FormField, FormVersion
from app.services import catalog, tickets
from app.services.catalog_forms import (
    FieldSpec, current_version, item_specs, read_answers, specs_from_json, validate_answers,
    visible_specs,
)
from werkzeug.datastructures import MultiDict

T = FieldType


def check(spec: FieldSpec, value, specs=None, **answers):
    """(clean, errors) for one answer of ``spec`` (users are looked up in the database)."""
    clean, errors = validate_answers(specs or [spec], {spec.key: value, **answers})
    return clean.get(spec.key), errors.get(spec.name)


@pytest.mark.parametrize("spec, value, message", [
    (FieldSpec("n", "N", T.NUMBER), "twelve", "Enter a number."),
    (FieldSpec("n", "N", T.NUMBER), "nan", "Enter a number."),
    (FieldSpec("n", "N", T.NUMBER), "1e999", "Enter a number."),
    (FieldSpec("n", "N", T.NUMBER, min_value=1), "0", "Enter at least 1."),
    (FieldSpec("n", "N", T.NUMBER, max_value=10), "10.5", "Enter at most 10."),
    (FieldSpec("t", "T", T.TEXT, pattern=r"[A-Z]{3}-\d+", pattern_message="Like ABC-12."), "abc", "Like ABC-12."),
    (FieldSpec("t", "T", T.TEXT, pattern=r"\d+"), "12a", "This is not in the expected format."),
    (FieldSpec("t", "T", T.TEXT, min_length=5), "abc", "Write at least 5 characters."),
    (FieldSpec("t", "T", T.LONG_TEXT, max_length=5), "abcdefg", "Keep it under 5 characters."),
    (FieldSpec("d", "D", T.DATE), "31/12/2025", "Enter a date as YYYY-MM-DD."),
    (FieldSpec("d", "D", T.DATE), "2025-02-30", "Enter a date as YYYY-MM-DD."),
    (FieldSpec("c", "C", T.CHOICE, choices=("Standard", "Power")), "Gold", "Choose one of the options."),
    (FieldSpec("m", "M", T.MULTI_CHOICE, choices=("Word", "Excel")), ["Word", "Doom"], "Choose only from the options."),
    (FieldSpec("b", "B", T.CHECKBOX), "on?", "Tick the box or leave it empty."),
    (FieldSpec("t", "Reason", T.TEXT, required=True), "   ", "Reason is required."),
    (FieldSpec("m", "Apps", T.MULTI_CHOICE, required=True, choices=("Word",)), [], "Apps is required."),
    (FieldSpec("b", "B", T.CHECKBOX, required=True), "", "Tick this box to continue."),
    (FieldSpec("f", "Files", T.FILE, required=True), [], "Files is required."),
])
def test_bad_input_of_every_type(app, spec, value, message):
    clean, error = check(spec, value)
    assert error == [message] and clean is None


@pytest.mark.parametrize("spec, value, clean", [
    (FieldSpec("n", "N", T.NUMBER, min_value=1, max_value=10), "10", 10),
    (FieldSpec("n", "N", T.NUMBER), "2,5", 2.5),
    (FieldSpec("t", "T", T.TEXT, pattern=r"[A-Z]{3}-\d+"), "ABC-12", "ABC-12"),
    (FieldSpec("t", "T", T.TEXT, pattern="(unclosed"), "anything", "anything"),
    (FieldSpec("d", "D", T.DATE), "2025-12-31", "2025-12-31"),
    (FieldSpec("c", "C", T.CHOICE, choices=("Standard", "Power")), "Power", "Power"),
    (FieldSpec("m", "M", T.MULTI_CHOICE, choices=("Word", "Excel", "Visio")), ["Excel", "Word"], ["Excel", "Word"]),
    (FieldSpec("b", "B", T.CHECKBOX), "yes", True),
    (FieldSpec("b", "B", T.CHECKBOX), "", False),
])
def test_good_input_is_cleaned(app, spec, value, clean):
    assert check(spec, value) == (clean, None)


def test_user_field_resolves_an_active_email_only(app, make_user):
    bob = make_user("bob")
    gone = make_user("gone")
    gone.active = False
    db.session.commit()
    spec = FieldSpec("who", "Who", T.USER)
    assert check(spec, "BOB@example.com ") == (bob.id, None)
    assert check(spec, "nobody@example.com") == (None, ["No active person with that email."])
    assert check(spec, "gone@example.com") == (None, ["No active person with that email."])


LAPTOP = [
    FieldSpec("model", "Model", T.CHOICE, required=True, choices=("Standard", "Power")),
    FieldSpec("why", "Justification", T.LONG_TEXT, required=True, show_if_key="model", show_if_value="Power"),
    FieldSpec("gpu", "Which GPU", T.TEXT, required=True, show_if_key="why", show_if_value="3D"),
]


def test_required_if_only_when_its_condition_holds(app):
    clean, errors = validate_answers(LAPTOP, {"model": "Standard", "why": "", "gpu": ""})
    assert errors == {} and clean == {"model": "Standard"}
    clean, errors = validate_answers(LAPTOP, {"model": "Power", "why": ""})
    assert errors == {"q_why": ["Justification is required."]}


def test_hidden_answers_are_dropped(app):
    clean, errors = validate_answers(LAPTOP, {"model": "Standard", "why": "I want it", "gpu": "x"})
    assert clean == {"model": "Standard"} and not errors


def test_chains_follow_every_condition(app):
    def shown(answers):
        return [s.key for s in visible_specs(LAPTOP, answers)]

    assert shown({"model": "Standard", "why": "3D"}) == ["model"]  # gpu's parent is hidden
    assert shown({"model": "Power", "why": "3D"}) == ["model", "why", "gpu"]
    clean, errors = validate_answers(LAPTOP, {"model": "Power", "why": "3D", "gpu": ""})
    assert errors == {"q_gpu": ["Which GPU is required."]}


def test_condition_on_a_multi_choice_and_on_a_checkbox(app):
    specs = [FieldSpec("apps", "Apps", T.MULTI_CHOICE, choices=("Word", "Other")),
             FieldSpec("other", "Which other", T.TEXT, required=True, show_if_key="apps", show_if_value="Other"),
             FieldSpec("urgent", "Urgent", T.CHECKBOX),
             FieldSpec("date", "Needed by", T.DATE, required=True, show_if_key="urgent", show_if_value="yes")]
    _, errors = validate_answers(specs, {"apps": ["Word", "Other"], "urgent": "yes"})
    assert set(errors) == {"q_other", "q_date"}
    _, errors = validate_answers(specs, {"apps": ["Word"], "urgent": ""})
    assert errors == {}


def test_read_answers_from_a_posted_form(app):
    specs = LAPTOP + [FieldSpec("apps", "Apps", T.MULTI_CHOICE, choices=("A", "B")),
                      FieldSpec("ok", "OK", T.CHECKBOX), FieldSpec("f", "F", T.FILE)]
    data = MultiDict([("q_model", " Power "), ("q_apps", "A"), ("q_apps", "B"), ("q_ok", "yes"),
                      ("q_f", "ignored")])
    assert read_answers(specs, data) == {"model": "Power", "why": "", "gpu": "", "apps": ["A", "B"], "ok": "yes"}


@pytest.fixture
def item(make_category):
    item = CatalogItem(name="New laptop", category=make_category("Hardware"), summary="A laptop")
    item.fields = [FormField(key="model", label="Model", field_type=T.CHOICE, required=True,
                             choices=json.dumps(["Standard", "Power"]), position=1),
                   FormField(key="why", label="Justification", field_type=T.LONG_TEXT,
                             show_if_key="model", show_if_value="Power", required=True, position=2)]
    db.session.add(item)
    db.session.commit()
    return item


def test_current_version_is_reused_until_the_form_changes(app, item):
    first = current_version(item)
    assert current_version(item).id == first.id
    item.fields[1].label = "Why do you need it?"
    db.session.flush()
    second = current_version(item)
    assert second.id != first.id
    assert db.session.query(FormVersion).filter_by(item_id=item.id).count() == 2
    assert [s.label for s in specs_from_json(first.fields_json)] == ["Model", "Justification"]


def test_a_filed_ticket_keeps_its_answers_when_the_form_changes(app, item, make_user):
    ann = make_user("ann")
    draft = catalog.save_catalog_draft(ann, item, {"model": "Power", "why": "CAD work"}, {})
    tickets.submit_ticket(draft, ann)
    db.session.commit()
    before = [(r.label, r.value) for r in catalog.ticket_answers(draft)]
    assert before == [("Model", "Power"), ("Justification", "CAD work")]
    item.fields[1].label = "Business reason"
    item.fields[0].choices = json.dumps(["Standard"])
    db.session.add(FormField(item=item, key="dock", label="Dock", field_type=T.CHECKBOX, position=3))
    db.session.commit()
    db.session.expire_all()
    assert [(r.label, r.value) for r in catalog.ticket_answers(draft)] == before
    assert [s.key for s in item_specs(item)] == ["model", "why", "dock"]
