"""Team members are technicians: a team is a queue of IT work, and only technicians work tickets.
Adding a plain employee is refused with a clear message that offers to give them the role."""
import pytest

from app.extensions import db
from app.models import Membership, Role
from app.services.errors import ValidationFailed
from app.services.teams import add_member

HX = {"HX-Request": "true"}


@pytest.fixture
def admin(make_user, login):
    return login(make_user("ada", roles=[Role.ADMIN]))


@pytest.fixture
def desk(make_team):
    return make_team("Service Desk")


def test_the_service_refuses_a_plain_employee(desk, make_user):
    emma = make_user("emma")
    with pytest.raises(ValidationFailed) as refused:
        add_member(desk, emma.id)
    assert "Emma is not a technician" in refused.value.field_errors["make_agent"][0]
    assert db.session.get(Membership, (desk.id, emma.id)) is None


@pytest.mark.parametrize("roles", [[Role.AGENT], [Role.ADMIN]])
def test_technicians_and_admins_join_without_a_word(desk, make_user, roles):
    tom = make_user("tom", roles=roles)
    add_member(desk, tom.id)
    assert db.session.get(Membership, (desk.id, tom.id)) is not None


def test_over_http_the_refusal_explains_and_offers_the_role(client, admin, desk, make_user):
    emma = make_user("emma")
    response = client.post(f"/admin/teams/{desk.id}/members", data={"user_id": str(emma.id)}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.lstrip().startswith('<section id="team-members"')
    assert "Emma is not a technician, and only technicians work a team&#39;s tickets" in html
    assert 'name="make_agent"' in html and "Give them the Technician role" in html
    assert f'<option selected value="{emma.id}">' in html  # the choice is kept
    assert db.session.get(Membership, (desk.id, emma.id)) is None


def test_ticking_the_offer_adds_them_as_a_technician(client, admin, desk, make_user):
    emma = make_user("emma")
    response = client.post(f"/admin/teams/{desk.id}/members", data={"user_id": str(emma.id), "make_agent": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Membership, (desk.id, emma.id)) is not None
    assert emma.roles == {Role.EMPLOYEE, Role.AGENT}


def test_the_form_marks_who_is_not_a_technician_and_says_why(client, admin, desk, make_user):
    make_user("emma")
    make_user("tom", roles=[Role.AGENT])
    page = client.get(f"/admin/teams/{desk.id}").get_data(as_text=True)
    assert "Emma (emma@example.com) · not a technician" in page
    assert "Tom (tom@example.com)<" in page
    assert "Members work this team's queue, so they need the Technician role." in page
    assert 'name="make_agent"' not in page  # offered only after a refusal


def test_a_plain_post_without_javascript_gets_the_same_refusal(client, admin, desk, make_user):
    emma = make_user("emma")
    response = client.post(f"/admin/teams/{desk.id}/members", data={"user_id": str(emma.id)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<h1>Service Desk</h1>" in html and "Emma is not a technician" in html


def test_a_member_keeps_the_technician_role_while_in_a_team(client, admin, desk, make_user):
    tom = make_user("tom", roles=[Role.AGENT], teams=[desk])
    data = {"name": "Tom", "email": "tom@example.com", "phone": "", "location": "", "department": "",
            "manager_id": "", "roles": ["employee"], "active": "y", "password": ""}
    response = client.post(f"/admin/users/{tom.id}", data=data)
    assert response.status_code == 422
    assert "Tom works in Service Desk: remove them from the team first" in response.get_data(as_text=True)
    db.session.expire_all()
    assert Role.AGENT in tom.roles
    client.post(f"/admin/teams/{desk.id}/members/{tom.id}/remove", data={})
    assert client.post(f"/admin/users/{tom.id}", data=data).status_code == 303
    db.session.expire_all()
    assert tom.roles == {Role.EMPLOYEE}
