"""The field editor shows only the settings of the chosen type (options for choice fields, limits
for numbers, length and format for text, a default for all but files), switching live when the
type changes; the server drops what does not apply to the type, never refusing it."""
import json
import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import CatalogItem, FieldType, FormField, Role
from test_browser_journey import sign_in


@pytest.fixture
def admin(make_user, login):
    return login(make_user("ada", roles=[Role.ADMIN]))


@pytest.fixture
def item(make_category):
    entry = CatalogItem(name="Desk phone", category=make_category("Phones"), fields=[
        FormField(key="floor", label="Floor", field_type=FieldType.NUMBER, min_value=0, max_value=9, position=0)])
    db.session.add(entry)
    db.session.commit()
    return entry


def posted(**overrides) -> dict:
    data = {"label": "Extension", "key": "", "field_type": "text", "help": "", "show_if_key": "",
            "show_if_value": "", "pattern": "", "pattern_message": "", "min_value": "", "max_value": "",
            "min_length": "", "max_length": "", "choices": "", "default": ""}
    data.update(overrides)
    return data


def groups(html: str) -> dict[str, bool]:
    """Each settings group of the editor: its legend -> shown."""
    found = re.findall(r'<fieldset class="field-group" data-field-types="[^"]*"( hidden disabled)?>\s*<legend>([^<]+)', html)
    return {legend: not hidden for hidden, legend in found}


@pytest.mark.parametrize("field_type, shown", [
    ("text", {"Length and format", "Default answer"}),
    ("long_text", {"Length and format", "Default answer"}),
    ("number", {"Limits", "Default answer"}),
    ("choice", {"Options", "Default answer"}),
    ("multi_choice", {"Options", "Default answer"}),
    ("date", {"Default answer"}),
    ("checkbox", {"Default answer"}),
    ("user", {"Default answer"}),
    ("file", set()),
])
def test_only_the_chosen_types_settings_are_shown(client, admin, item, field_type, shown):
    """Rendered after a refused post (no label), so the type is the one just chosen."""
    html = client.post(f"/admin/catalog/items/{item.id}/fields/new",
                       data=posted(label="", field_type=field_type)).get_data(as_text=True)
    assert {legend for legend, on in groups(html).items() if on} == shown
    assert set(groups(html)) == {"Length and format", "Limits", "Options", "Default answer"}
    note = re.search(r'<p class="muted" data-field-types="file"( hidden)?>A file field has no further settings', html)
    assert (note.group(1) is None) == (field_type == "file")


def test_an_existing_field_opens_on_its_own_types_settings(client, admin, item):
    html = client.get(f"/admin/catalog/items/{item.id}/fields/{item.fields[0].id}").get_data(as_text=True)
    assert groups(html) == {"Length and format": False, "Limits": True, "Options": False, "Default answer": True}
    assert 'data-field-type-control' in html and "js/field-settings.js" in html


def test_the_item_page_opens_the_editor_as_a_whole_page(client, admin, item):
    """The editor's script loads with the page; a boosted swap would leave it behind."""
    html = client.get(f"/admin/catalog/items/{item.id}").get_data(as_text=True)
    assert re.search(r'href="/admin/catalog/items/\d+/fields/new" hx-boost="false"', html)


def test_settings_of_other_types_are_dropped_not_refused(client, admin, item):
    response = client.post(f"/admin/catalog/items/{item.id}/fields/new", data=posted(
        field_type="number", min_value="1", max_value="5", choices="A\nA", pattern="[bad",
        min_length="-4", max_length="9999999", pattern_message="Never shown"))
    assert response.status_code == 303
    saved = db.session.get(CatalogItem, item.id).fields[-1]
    assert (saved.min_value, saved.max_value) == (1, 5)
    assert (saved.pattern, saved.pattern_message, saved.min_length, saved.max_length) == (None, None, None, None)
    assert json.loads(saved.choices) == []


def test_a_file_field_drops_a_default(client, admin, item):
    response = client.post(f"/admin/catalog/items/{item.id}/fields/new",
                           data=posted(label="Photo", field_type="file", default="cat.png", min_value="x"))
    assert response.status_code == 303
    saved = db.session.get(CatalogItem, item.id).fields[-1]
    assert (saved.field_type, saved.default) == (FieldType.FILE, None)


def test_settings_that_apply_are_still_checked(client, admin, item):
    response = client.post(f"/admin/catalog/items/{item.id}/fields/new",
                           data=posted(field_type="text", min_length="-4", choices="A\nA"))
    assert response.status_code == 422
    assert 'id="min_length-err"' in response.get_data(as_text=True)


def test_an_unknown_type_is_refused_and_every_setting_stays_shown(client, admin, item):
    response = client.post(f"/admin/catalog/items/{item.id}/fields/new", data=posted(field_type="colour"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="field_type-err"' in html
    assert all(groups(html).values())


def test_switching_the_type_shows_its_settings_live(live_url, browser, make_user, item):
    make_user("Ada Admin", roles=[Role.ADMIN])
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_url, "ada.admin@example.com")
    page.goto(f"{live_url}/admin/catalog/items/{item.id}")
    page.get_by_role("link", name="Add field").first.click()
    options, limits, lengths = (page.get_by_label("Options (one per line)"), page.get_by_label("Minimum", exact=True),
                                page.get_by_label("Minimum length"))
    expect(lengths).to_be_visible(timeout=15000)
    expect(options).to_be_hidden()
    expect(limits).to_be_hidden()
    page.get_by_label("Type").select_option(label="Choice")
    expect(options).to_be_visible(timeout=15000)
    expect(lengths).to_be_hidden()
    page.get_by_label("Label").fill("Colour")
    options.fill("Black\nWhite")
    page.get_by_label("Type").select_option(label="Number")
    expect(limits).to_be_visible(timeout=15000)
    expect(options).to_be_hidden()
    page.get_by_label("Type").select_option(label="File")
    expect(page.get_by_text("A file field has no further settings")).to_be_visible(timeout=15000)
    expect(page.get_by_label("Default answer")).to_be_hidden()
    page.get_by_label("Type").select_option(label="Choice")
    page.get_by_role("button", name="Add field").click()
    expect(page.get_by_text("Saved the field Colour.")).to_be_visible(timeout=15000)
    db.session.rollback()  # a fresh snapshot: the server saved in its own thread
    saved = db.session.get(CatalogItem, item.id).fields[-1]
    assert (saved.field_type, json.loads(saved.choices)) == (FieldType.CHOICE, ["Black", "White"])
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
