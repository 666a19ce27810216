"""A catalog item's life: created inactive (it has no form yet) on its own page, where its fields
come next; activated only once it has a field; its last field kept while employees can order it."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CatalogItem, FieldType, FormField, Role
from app.services import catalog_admin
from app.services.errors import ValidationFailed

HX = {"HX-Request": "true"}


@pytest.fixture
def admin(make_user, login):
    return login(make_user("ada", roles=[Role.ADMIN]))


@pytest.fixture
def hardware(make_category):
    return make_category("Hardware")


def new_item(client, hardware, **overrides):
    data = {"name": "Docking station", "category_id": str(hardware.id), "summary": "For a desk",
            "description": "", "keywords": "", "ticket_type": "service_request", "delivery_days": "",
            "impact": "low", "urgency": "medium", "team_id": "", "approval_policy_id": "", "active": "y"}
    data.update(overrides)
    response = client.post("/admin/catalog/items/new", data=data)
    return response, db.session.scalar(select(CatalogItem).where(CatalogItem.name == data["name"]))


def add_field(item):
    item.fields.append(FormField(key="model", label="Model", field_type=FieldType.TEXT, position=0))
    db.session.commit()


def test_a_new_item_starts_inactive_and_lands_on_its_page(client, admin, hardware):
    response, item = new_item(client, hardware)  # "active" posted anyway: a new item ignores it
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/catalog/items/{item.id}")
    assert item.active is False
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Inactive until you activate it" in page and "Add its form fields below" in page
    assert 'href="/admin/catalog/items/%d/fields/new"' % item.id in page
    assert "Docking station" not in client.get("/catalog/").get_data(as_text=True)


def test_the_new_item_form_says_it_starts_inactive_and_has_no_active_box(client, admin, hardware):
    page = client.get("/admin/catalog/items/new").get_data(as_text=True)
    assert "A new item starts inactive" in page and 'name="active"' not in page


def test_activating_an_item_without_fields_is_refused_everywhere(client, admin, hardware):
    _, item = new_item(client, hardware)
    with pytest.raises(ValidationFailed, match="has no form fields yet"):
        catalog_admin.set_item_active(item, True)
    db.session.rollback()

    from_page = client.post(f"/admin/catalog/items/{item.id}/active", data={"active": "y", "origin": "item"})
    assert from_page.status_code == 303 and from_page.headers["Location"].endswith(f"/admin/catalog/items/{item.id}")
    assert "has no form fields yet" in client.get(from_page.headers["Location"]).get_data(as_text=True)

    from_list = client.post(f"/admin/catalog/items/{item.id}/active", data={"active": "y"}, headers=HX)
    assert from_list.status_code == 422 and "has no form fields yet" in from_list.get_data(as_text=True)
    assert from_list.headers["HX-Retarget"] == "#flashes"

    settings = client.post(f"/admin/catalog/items/{item.id}", data={
        "name": "Docking station", "category_id": str(hardware.id), "ticket_type": "service_request",
        "impact": "low", "urgency": "medium", "active": "y", "summary": "Kept"})
    body = settings.get_data(as_text=True)
    assert settings.status_code == 422 and "has no form fields yet" in body and "Kept" in body
    db.session.expire_all()
    assert db.session.get(CatalogItem, item.id).active is False


def test_with_a_field_it_can_be_activated_and_employees_see_it(client, admin, hardware):
    _, item = new_item(client, hardware)
    add_field(item)
    page = client.get(f"/admin/catalog/items/{item.id}").get_data(as_text=True)
    assert "Check the preview, then activate it" in page
    response = client.post(f"/admin/catalog/items/{item.id}/active", data={"active": "y", "origin": "item"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/admin/catalog/items/{item.id}")
    assert "is now offered in the catalog" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CatalogItem, item.id).active
    assert "Docking station" in client.get("/catalog/").get_data(as_text=True)


def test_the_list_activates_in_place_and_says_inactive(client, admin, hardware):
    _, item = new_item(client, hardware)
    listing = client.get("/admin/catalog").get_data(as_text=True)
    assert ">Inactive<" in listing and "Activate<span" in listing
    add_field(item)
    response = client.post(f"/admin/catalog/items/{item.id}/active", data={"active": "y"}, headers=HX)
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith('<div id="catalog-items"')


def test_a_retired_item_with_fields_can_come_back(client, admin, hardware):
    _, item = new_item(client, hardware)
    add_field(item)
    catalog_admin.set_item_active(item, True)
    catalog_admin.set_item_active(item, False)
    catalog_admin.set_item_active(item, True)
    assert item.active


def test_a_bad_origin_is_a_plain_400(client, admin, hardware):
    _, item = new_item(client, hardware)
    assert client.post(f"/admin/catalog/items/{item.id}/active", data={"origin": "elsewhere"}).status_code == 400


def test_the_last_field_of_an_active_item_cannot_be_deleted(client, admin, hardware):
    _, item = new_item(client, hardware)
    add_field(item)
    catalog_admin.set_item_active(item, True)
    db.session.commit()
    only = item.fields[0]
    response = client.post(f"/admin/catalog/items/{item.id}/fields/{only.id}/delete", data={}, headers=HX)
    assert response.status_code == 422 and "is the only field of Docking station" in response.get_data(as_text=True)
    catalog_admin.set_item_active(item, False)
    db.session.commit()
    assert client.post(f"/admin/catalog/items/{item.id}/fields/{only.id}/delete", data={}).status_code == 303
