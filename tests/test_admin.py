"""The admin area: access, users, teams and membership, categories, and every kind of bad input
(message next to the field, status 422, what was typed kept)."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Category, Membership, Role, Team, User
from app.services.passwords import verify_password


@pytest.fixture
def admin(make_user, login):
    return login(make_user("ada", roles=[Role.ADMIN]))


def user_data(**overrides) -> dict:
    data = {"name": "Bob Stone", "email": "bob@example.com", "phone": "+44 20 7946 0001",
            "location": "London", "department": "Finance", "manager_id": "", "roles": ["employee"],
            "active": "y", "password": ""}
    data.update(overrides)
    return data


def team_data(**overrides) -> dict:
    data = {"name": "Network", "description": "Switches and Wi-Fi", "tier": "2",
            "escalation_team_id": "", "active": "y"}
    data.update(overrides)
    return data


def category_data(**overrides) -> dict:
    data = {"name": "Printing", "description": "Printers and scanners", "team_id": "",
            "position": "5", "active": "y"}
    data.update(overrides)
    return data


def field_error(html: str, field_id: str) -> str:
    """The message shown next to ``field_id`` (the macros give it the id ``<field>-err``)."""
    match = re.search(rf'id="{field_id}-err">([^<]*)<', html)
    assert match, f"no error next to {field_id}"
    return match.group(1)


def assert_refused(response, field_id: str, fragment: str, *kept: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert fragment in field_error(html, field_id)
    for value in kept:
        assert value in html, f"typed value {value!r} was lost"


# --- Access -------------------------------------------------------------------------------------

ADMIN_GETS = ["/admin/", "/admin/users", "/admin/users/new", "/admin/users/{user}", "/admin/teams",
              "/admin/teams/new", "/admin/teams/{team}", "/admin/categories", "/admin/categories/new",
              "/admin/categories/{category}"]
ADMIN_POSTS = ["/admin/users/new", "/admin/users/{user}", "/admin/teams/new", "/admin/teams/{team}",
               "/admin/teams/{team}/members", "/admin/teams/{team}/members/{user}/lead",
               "/admin/teams/{team}/members/{user}/remove", "/admin/categories/new",
               "/admin/categories/{category}"]


@pytest.mark.parametrize("roles", [[Role.EMPLOYEE], [Role.AGENT], [Role.APPROVER]])
def test_non_admins_get_403_on_every_admin_url(client, make_user, make_team, make_category, login, roles):
    team = make_team("Desk")
    category = make_category("Hardware", team=team)
    user = login(make_user("eve", roles=roles, teams=[team]))
    ids = {"user": user.id, "team": team.id, "category": category.id}
    for url in ADMIN_GETS:
        assert client.get(url.format(**ids)).status_code == 403, url
    for url in ADMIN_POSTS:
        assert client.post(url.format(**ids), data={"name": "x"}).status_code == 403, url
    assert db.session.scalar(select(Membership.user_id)) == user.id  # nothing changed


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_overview_counts_and_links(client, admin, make_user, make_category):
    make_user("bob")
    make_user("cy", active=False)
    make_category("Hardware")
    html = client.get("/admin/").get_data(as_text=True)
    assert re.search(r'class="stat">3<', html)  # ada, bob, cy
    assert "2 active · 1 inactive" in html
    for url in ("/admin/users", "/admin/teams", "/admin/categories"):
        assert f'href="{url}"' in html


def test_every_admin_form_carries_a_csrf_token(app, client, admin, make_team, make_user):
    team = make_team("Desk")
    make_user("bob", teams=[team])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for url in ("/admin/users/new", f"/admin/users/{admin.id}", "/admin/teams/new",
                    f"/admin/teams/{team.id}", "/admin/categories/new"):
            html = client.get(url).get_data(as_text=True)
            forms = re.findall(r'<form method="post".*?</form>', html, re.S)
            assert forms, url
            for form in forms:
                assert 'name="csrf_token"' in form, (url, form[:120])
        refused = client.post("/admin/teams/new", data=team_data())
        assert refused.status_code == 400
        assert db.session.scalar(select(Team).where(Team.name == "Network")) is None
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# --- Users --------------------------------------------------------------------------------------

def test_user_list_searches_filters_and_shows_roles_teams_status(client, admin, make_user, make_team):
    desk = make_team("Service Desk")
    make_user("tom", roles=[Role.AGENT], teams=[desk], lead=True)
    make_user("sue", roles=[Role.APPROVER], active=False)
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Tom" in html and "Sue" in html and "Technician" in html
    assert "Service Desk · lead" in html and "Inactive" in html
    html = client.get("/admin/users?q=TOM@EXAMPLE").get_data(as_text=True)
    assert "tom@example.com" in html and "sue@example.com" not in html
    html = client.get("/admin/users?role=approver").get_data(as_text=True)
    assert "sue@example.com" in html and "tom@example.com" not in html
    assert "Nobody matches" in client.get("/admin/users?q=zzz").get_data(as_text=True)


def test_user_list_htmx_returns_the_table_alone(client, admin):
    response = client.get("/admin/users?q=ada", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="user-table"') and "<html" not in html


def test_user_list_paginates(client, admin, make_user):
    for n in range(30):
        make_user(f"person{n:02d}")
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Page 1 of 2 · 31 people" in first and "person29@example.com" not in first
    assert "person29@example.com" in second


def test_user_list_unknown_role_filter_is_422_with_message(client, admin):
    response = client.get("/admin/users?role=wizard&q=ada")
    assert_refused(response, "role", "Choose one from the list", 'value="ada"')


def test_create_user_round_trip(client, admin, make_user):
    boss = make_user("boss")
    data = user_data(email="Bob@Example.com", manager_id=str(boss.id), roles=["agent", "approver"],
                     password="a long enough secret")
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 303
    bob = db.session.scalar(select(User).where(User.email == "bob@example.com"))
    assert (bob.name, bob.phone, bob.location, bob.department) == ("Bob Stone", "+44 20 7946 0001", "London", "Finance")
    assert bob.manager_id == boss.id and bob.roles == {Role.AGENT, Role.APPROVER} and bob.active
    assert verify_password(bob.password_hash, "a long enough secret")
    html = client.get(f"/admin/users/{bob.id}").get_data(as_text=True)
    assert 'value="bob@example.com"' in html and f'<option selected value="{boss.id}"' in html


def test_edit_user_round_trip_and_new_password(client, admin, make_user):
    bob = make_user("bob")
    old_hash = bob.password_hash
    data = user_data(name="Robert Stone", email="robert@example.com", roles=["employee", "admin"],
                     active="", password="another long secret")
    assert client.post(f"/admin/users/{bob.id}", data=data).status_code == 303
    db.session.refresh(bob)
    assert (bob.name, bob.email, bob.active) == ("Robert Stone", "robert@example.com", False)
    assert bob.roles == {Role.EMPLOYEE, Role.ADMIN} and bob.password_hash != old_hash
    assert verify_password(bob.password_hash, "another long secret")


def test_edit_user_blank_password_keeps_the_old_one(client, admin, make_user):
    bob = make_user("bob")
    old_hash = bob.password_hash
    assert client.post(f"/admin/users/{bob.id}", data=user_data(email="bob@example.com")).status_code == 303
    db.session.refresh(bob)
    assert bob.password_hash == old_hash


def test_duplicate_email_is_refused_case_insensitively(client, admin, make_user):
    make_user("bob")
    response = client.post("/admin/users/new", data=user_data(email="BOB@example.com", name="Other Bob"))
    assert_refused(response, "email", "already uses this email", 'value="Other Bob"', 'value="London"')
    assert db.session.scalar(select(User).where(User.name == "Other Bob")) is None


def test_duplicate_email_on_edit_is_refused(client, admin, make_user):
    make_user("bob")
    cy = make_user("cy")
    response = client.post(f"/admin/users/{cy.id}", data=user_data(email="bob@example.com", name="Cy"))
    assert_refused(response, "email", "already uses this email")
    db.session.refresh(cy)
    assert cy.email == "cy@example.com"


def test_invalid_email_is_refused(client, admin):
    response = client.post("/admin/users/new", data=user_data(email="not-an-email"))
    assert_refused(response, "email", "valid email", 'value="not-an-email"', 'value="Bob Stone"')


def test_short_password_is_refused(client, admin):
    response = client.post("/admin/users/new", data=user_data(password="short"))
    assert_refused(response, "password", "at least 12 characters", 'value="Bob Stone"')
    assert db.session.scalar(select(User).where(User.email == "bob@example.com")) is None


def test_too_long_strings_are_refused(client, admin):
    response = client.post("/admin/users/new", data=user_data(name="N" * 121, department="D" * 121))
    assert_refused(response, "name", "under 120 characters", "N" * 121)
    assert "under 120 characters" in field_error(response.get_data(as_text=True), "department")


def test_unknown_manager_id_is_refused(client, admin):
    for bad in ("999999", "abc"):
        response = client.post("/admin/users/new", data=user_data(manager_id=bad))
        assert_refused(response, "manager_id", "Choose one from the list", 'value="Bob Stone"')


def test_unknown_role_and_no_role_are_refused(client, admin):
    assert_refused(client.post("/admin/users/new", data=user_data(roles=["wizard"])), "roles", "Choose one")
    assert_refused(client.post("/admin/users/new", data=user_data(roles=[])), "roles", "at least one role")


def test_user_cannot_be_their_own_manager(client, admin, make_user):
    bob = make_user("bob")
    response = client.post(f"/admin/users/{bob.id}", data=user_data(manager_id=str(bob.id)))
    assert_refused(response, "manager_id", "")  # not even offered: refused as not in the list
    assert bob.id not in [int(v) for v in re.findall(r'<option (?:selected )?value="(\d+)"',
                                                     client.get(f"/admin/users/{bob.id}").get_data(as_text=True))]


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(client, admin):
    data = user_data(name="Ada", email="ada@example.com", roles=["employee"], active="")
    response = client.post(f"/admin/users/{admin.id}", data=data)
    assert_refused(response, "roles", "cannot remove your own admin role")
    assert "cannot deactivate your own account" in field_error(response.get_data(as_text=True), "active")
    db.session.refresh(admin)
    assert admin.roles == {Role.ADMIN} and admin.active


def test_admin_may_edit_another_admin_away(client, admin, make_user):
    other = make_user("otto", roles=[Role.ADMIN])
    data = user_data(name="Otto", email="otto@example.com", roles=["employee"], active="")
    assert client.post(f"/admin/users/{other.id}", data=data).status_code == 303
    db.session.refresh(other)
    assert other.roles == {Role.EMPLOYEE} and not other.active


def test_unknown_user_is_404(client, admin):
    assert client.get("/admin/users/999999").status_code == 404


# --- Teams --------------------------------------------------------------------------------------

def test_team_create_and_edit_round_trip(client, admin, make_team):
    desk = make_team("Service Desk")
    response = client.post("/admin/teams/new", data=team_data(escalation_team_id=str(desk.id)))
    assert response.status_code == 303
    network = db.session.scalar(select(Team).where(Team.name == "Network"))
    assert (network.tier, network.escalation_team_id, network.description, network.active) == (
        2, desk.id, "Switches and Wi-Fi", True)
    data = team_data(name="Networks", tier="3", description="", active="")
    assert client.post(f"/admin/teams/{network.id}", data=data).status_code == 303
    db.session.refresh(network)
    assert (network.name, network.tier, network.escalation_team_id, network.description, network.active) == (
        "Networks", 3, None, None, False)


def test_team_list_shows_tier_members_leads_escalation(client, admin, make_team, make_user):
    tier2 = make_team("Network", tier=2)
    desk = make_team("Service Desk")
    desk.escalation_team = tier2
    db.session.commit()
    make_user("tom", roles=[Role.AGENT], teams=[desk], lead=True)
    make_user("sue", roles=[Role.AGENT], teams=[desk])
    html = client.get("/admin/teams").get_data(as_text=True)
    row = re.search(r"Service Desk</a>.*?</tr>", html, re.S).group(0)
    assert "Tier 1" in row and "<td>2</td>" in row and "Tom" in row and "Sue" not in row and "Network" in row


def test_duplicate_team_name_is_refused(client, admin, make_team):
    make_team("Network")
    response = client.post("/admin/teams/new", data=team_data(name="network"))
    assert_refused(response, "name", "already has this name", "Switches and Wi-Fi")


@pytest.mark.parametrize("tier", ["0", "4", "x"])
def test_tier_out_of_range_is_refused(client, admin, tier):
    assert_refused(client.post("/admin/teams/new", data=team_data(tier=tier)), "tier", "tier 1, 2 or 3",
                   'value="Network"')


def test_escalation_to_itself_or_back_is_refused(client, admin, make_team):
    desk = make_team("Service Desk")
    response = client.post(f"/admin/teams/{desk.id}", data=team_data(name="Service Desk",
                                                                     escalation_team_id=str(desk.id)))
    assert_refused(response, "escalation_team_id", "")
    network = make_team("Network", tier=2)
    network.escalation_team = desk
    db.session.commit()
    response = client.post(f"/admin/teams/{desk.id}", data=team_data(name="Service Desk",
                                                                     escalation_team_id=str(network.id)))
    assert_refused(response, "escalation_team_id", "Network escalates back to this team")


def test_escalation_to_itself_is_refused_by_the_service(app, make_team):
    from app.services.errors import ValidationFailed
    from app.services.teams import TeamInput, save_team

    desk = make_team("Service Desk")
    with pytest.raises(ValidationFailed) as refused:
        save_team(desk, TeamInput(name="Service Desk", escalation_team_id=desk.id))
    assert refused.value.field_errors["escalation_team_id"] == ["A team cannot escalate to itself."]


def test_unknown_escalation_team_is_refused(client, admin):
    assert_refused(client.post("/admin/teams/new", data=team_data(escalation_team_id="424242")),
                   "escalation_team_id", "Choose one from the list")


def test_too_long_team_description_is_refused(client, admin):
    response = client.post("/admin/teams/new", data=team_data(description="d" * 501))
    assert_refused(response, "description", "under 500 characters", "d" * 501)


def test_membership_add_lead_remove(client, admin, make_team, make_user):
    desk = make_team("Service Desk")
    tom = make_user("tom", roles=[Role.AGENT])
    assert client.post(f"/admin/teams/{desk.id}/members", data={"user_id": str(tom.id)}).status_code == 303
    membership = db.session.get(Membership, (desk.id, tom.id))
    assert membership is not None and not membership.is_lead
    assert client.post(f"/admin/teams/{desk.id}/members/{tom.id}/lead", data={"is_lead": "y"}).status_code == 303
    db.session.refresh(membership)
    assert membership.is_lead
    assert "Unmark lead" in client.get(f"/admin/teams/{desk.id}").get_data(as_text=True)
    assert client.post(f"/admin/teams/{desk.id}/members/{tom.id}/lead", data={}).status_code == 303
    db.session.refresh(membership)
    assert not membership.is_lead
    assert client.post(f"/admin/teams/{desk.id}/members/{tom.id}/remove").status_code == 303
    db.session.expire_all()
    assert db.session.get(Membership, (desk.id, tom.id)) is None


def test_membership_add_as_lead_via_htmx_answers_the_members_fragment(client, admin, make_team, make_user):
    desk = make_team("Service Desk")
    tom = make_user("tom", roles=[Role.AGENT])
    response = client.post(f"/admin/teams/{desk.id}/members", data={"user_id": str(tom.id), "is_lead": "y"},
                           headers={"HX-Request": "true"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="team-members"')
    assert "Tom" in html and "Lead" in html
    assert db.session.get(Membership, (desk.id, tom.id)).is_lead


def test_membership_refuses_unknown_inactive_and_existing_members(client, admin, make_team, make_user):
    desk = make_team("Service Desk")
    gone = make_user("gone", active=False)
    tom = make_user("tom", teams=[desk])
    for bad in ("999999", str(gone.id), str(tom.id), ""):
        response = client.post(f"/admin/teams/{desk.id}/members", data={"user_id": bad})
        assert_refused(response, "user_id", "from the list")
    response = client.post(f"/admin/teams/{desk.id}/members", data={"user_id": str(tom.id)},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and response.get_data(as_text=True).lstrip().startswith(
        '<section id="team-members"')


def test_membership_service_refuses_existing_member(app, make_team, make_user):
    from app.services.errors import ValidationFailed
    from app.services.teams import add_member

    desk = make_team("Service Desk")
    tom = make_user("tom", teams=[desk])
    with pytest.raises(ValidationFailed) as refused:
        add_member(desk, tom.id)
    assert "already in this team" in refused.value.field_errors["user_id"][0]


def test_lead_for_a_non_member_is_404(client, admin, make_team, make_user):
    desk = make_team("Service Desk")
    tom = make_user("tom")
    assert client.post(f"/admin/teams/{desk.id}/members/{tom.id}/lead", data={"is_lead": "y"}).status_code == 404


# --- Categories ---------------------------------------------------------------------------------

def test_category_create_edit_round_trip_and_list_order(client, admin, make_team, make_category):
    desk = make_team("Service Desk")
    make_category("Access", team=desk)  # position 0
    response = client.post("/admin/categories/new", data=category_data(team_id=str(desk.id)))
    assert response.status_code == 303
    printing = db.session.scalar(select(Category).where(Category.name == "Printing"))
    assert (printing.team_id, printing.position, printing.description, printing.active) == (
        desk.id, 5, "Printers and scanners", True)
    data = category_data(name="Printers", position="", description="", active="")
    assert client.post(f"/admin/categories/{printing.id}", data=data).status_code == 303
    db.session.refresh(printing)
    assert (printing.name, printing.team_id, printing.position, printing.active) == ("Printers", None, 0, False)
    html = client.get("/admin/categories").get_data(as_text=True)
    table = html[html.index("<tbody>"):]
    assert table.index("Access") < table.index("Printers") and "Retired" in table


def test_retired_category_leaves_the_choices_but_keeps_tickets(client, admin, make_user, make_ticket, make_category):
    from app.services.categories import active_categories

    category = make_category("Hardware")
    ticket = make_ticket(make_user("ann"), category)
    client.post(f"/admin/categories/{category.id}", data=category_data(name="Hardware", active=""))
    db.session.expire_all()
    assert category not in active_categories()
    assert db.session.get(type(ticket), ticket.id).category_id == category.id


def test_duplicate_category_name_is_refused(client, admin, make_category):
    make_category("Printing")
    response = client.post("/admin/categories/new", data=category_data(name="PRINTING"))
    assert_refused(response, "name", "already has this name", "Printers and scanners")


@pytest.mark.parametrize("position, message", [("abc", "integer"), ("-1", "0 to 10000")])
def test_bad_position_is_refused(client, admin, position, message):
    assert_refused(client.post("/admin/categories/new", data=category_data(position=position)),
                   "position", message, 'value="Printing"')


def test_unknown_default_team_is_refused(client, admin):
    assert_refused(client.post("/admin/categories/new", data=category_data(team_id="31337")),
                   "team_id", "Choose one from the list", 'value="Printing"')


def test_too_long_category_name_is_refused(client, admin):
    assert_refused(client.post("/admin/categories/new", data=category_data(name="c" * 81)),
                   "name", "under 80 characters", "c" * 81)


# --- Query counts (no N+1 on the lists) ---------------------------------------------------------

@pytest.mark.parametrize("url", ["/admin/users", "/admin/teams", "/admin/categories"])
def test_list_pages_do_not_query_per_row(client, admin, make_user, make_team, make_category, count_queries, url):
    def grow(start, stop):
        for i in range(start, stop):
            team = make_team(f"Team {i}")
            make_user(roles=[Role.AGENT, Role.APPROVER], teams=[team], lead=True)
            make_category(f"Category {i}", team=team)

    grow(0, 2)
    few = count_queries(lambda: client.get(url))
    grow(2, 8)
    assert count_queries(lambda: client.get(url)) == few
