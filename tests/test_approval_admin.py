"""Admin pages for approval policies: list with usage, create and edit steps, refused input."""
import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApprovalPolicy, ApprovalStepDef, CatalogItem, Role, RuleKind, StepMode, ValidationRule


@pytest.fixture
def admin(make_user, login):
    return login(make_user("root", roles=[Role.ADMIN]))


def _step(n, name="Manager", mode="any", **approvers):
    data = {f"steps-{n}-name": name, f"steps-{n}-mode": mode, f"steps-{n}-position": str(n + 1)}
    for key, value in approvers.items():
        data[f"steps-{n}-{key}"] = value
    return data


def _post(client, url, name="Laptops", **steps):
    data = {"name": name, "description": "", "active": "y"}
    for part in steps.values():
        data.update(part)
    return client.post(url, data=data)


def test_list_shows_steps_and_usage(client, admin, make_category, make_team):
    team = make_team("Network")
    policy = ApprovalPolicy(name="Manager then leads", steps=[
        ApprovalStepDef(position=1, name="Manager", mode=StepMode.ANY, approvers='[{"kind": "manager"}]'),
        ApprovalStepDef(position=2, name="Leads", mode=StepMode.ALL,
                        approvers=json.dumps([{"kind": "team_lead", "team_id": team.id}]))])
    db.session.add(CatalogItem(name="VPN", category=make_category(), approval_policy=policy))
    db.session.add(ValidationRule(name="Big changes", kind=RuleKind.APPROVE, message="m", approval_policy=policy))
    db.session.commit()
    page = client.get("/admin/approval-policies").get_data(as_text=True)
    assert "Manager then leads" in page and "the requester&#39;s manager" in page
    assert "Leads — all of: leads of Network" in page
    assert "1 item" in page and "1 rule" in page


def test_non_admin_is_refused(client, login, make_user):
    login(make_user("amy", roles=[Role.APPROVER]))
    assert client.get("/admin/approval-policies").status_code == 403


def test_create_with_two_steps_in_the_order_asked(client, admin, make_user, make_team):
    amy, team = make_user("amy", roles=[Role.APPROVER]), make_team("Desk")
    response = _post(client, "/admin/approval-policies/new",
                     a=_step(0, "IT lead", "all", teams=str(team.id), position="2"),
                     b=_step(1, "Manager", users=str(amy.id), manager="y", roles="approver", position="1"))
    assert response.status_code == 303
    policy = db.session.scalar(select(ApprovalPolicy))
    assert [s.name for s in policy.steps] == ["Manager", "IT lead"]
    assert json.loads(policy.steps[0].approvers) == [
        {"kind": "user", "user_id": amy.id}, {"kind": "role", "role": "approver"}, {"kind": "manager"}]
    assert policy.steps[1].mode == StepMode.ALL


def test_edit_removes_a_step_and_keeps_the_rest(client, admin, make_user):
    amy = make_user("amy")
    policy = ApprovalPolicy(name="Two", steps=[
        ApprovalStepDef(position=1, name="One", approvers='[{"kind": "manager"}]'),
        ApprovalStepDef(position=2, name="Two", approvers=json.dumps([{"kind": "user", "user_id": amy.id}]))])
    db.session.add(policy)
    db.session.commit()
    page = client.get(f"/admin/approval-policies/{policy.id}").get_data(as_text=True)
    assert 'name="steps-1-name"' in page and 'value="Two"' in page and 'name="csrf_token"' in page
    response = _post(client, f"/admin/approval-policies/{policy.id}", name="Two",
                     a=_step(0, "One", manager="y", remove="y"), b=_step(1, "Two", users=str(amy.id)))
    assert response.status_code == 303
    db.session.expire_all()
    assert [s.name for s in db.session.get(ApprovalPolicy, policy.id).steps] == ["Two"]


def test_add_step_shows_one_more_blank_step_and_saves_nothing(client, admin):
    response = client.post("/admin/approval-policies/new",
                           data={"name": "Draft", "add_step": "Add a step", **_step(0, "First", manager="y")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="steps-1-name"' in page and 'value="First"' in page
    assert db.session.scalar(select(ApprovalPolicy)) is None


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", **_step(0, manager="y")}, "name", "Enter a name."),
    ({"name": "P", **_step(0, "")}, "steps-0-name", "Name the step"),
    ({"name": "P", **_step(0)}, "steps-0-users", "Name at least one approver"),
    ({"name": "P", **_step(0, users="99999")}, "steps-0-users", "Choose one from the list."),
    ({"name": "P", **_step(0, teams="99999")}, "steps-0-teams", "Choose one from the list."),
    ({"name": "P", **_step(0, roles="wizard")}, "steps-0-roles", "Choose one from the list."),
    ({"name": "P", **_step(0, mode="most", manager="y")}, "steps-0-mode", "Not a valid choice"),
    ({"name": "P", **_step(0, manager="y", remove="y")}, None, "Keep at least one step"),
])
def test_bad_input_is_422_with_the_message_and_keeps_what_was_typed(client, admin, data, field, message):
    response = client.post("/admin/approval-policies/new", data={"description": "typed text", **data})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    if field:
        assert f'id="{field}-err"' in page
    assert "typed text" in page
    assert db.session.scalar(select(ApprovalPolicy)) is None


def test_name_must_be_unique(client, admin):
    db.session.add(ApprovalPolicy(name="Taken"))
    db.session.commit()
    response = _post(client, "/admin/approval-policies/new", name="taken", a=_step(0, manager="y"))
    assert response.status_code == 422 and "Another approval policy has this name." in response.get_data(as_text=True)
