"""Hand-offs on the ticket page: the properties sidebar (one Save, audited, version- and
rule-checked), assignment, transfer with a reason, escalation along the team's "Escalates to"
with the tier going up, and the page's actions (one primary per state, ITIL wording)."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Channel, Comment, Level, LinkType, Role, RuleKind, Status, TicketEvent, TicketType, ValidationRule
from app.services import assignment
from app.services.errors import Conflict, IllegalTransition, ValidationFailed
from app.services.lifecycle import available_transitions, transition_ticket
from app.services.ticket_actions import plan_actions
from app.services.ticket_properties import PropertyChanges, edit_properties
from app.services.tickets import link_tickets, ticket_links

HX = {"HX-Request": "true"}


@pytest.fixture
def org(make_team, make_category, make_user):
    """Desk (tier 1) escalates to Network (tier 2); Apps (tier 2) escalates nowhere. Tom and Sue
    work the Desk, Nina the Network; Eve is in the Desk team but not IT staff; Ann asks."""
    desk, network, apps = make_team("Desk"), make_team("Network", tier=2), make_team("Apps", tier=2)
    desk.escalation_team = network
    db.session.commit()
    return type("Org", (), dict(
        desk=desk, network=network, apps=apps,
        laptops=make_category("Laptops", team=desk), wifi=make_category("Wifi", team=network),
        tom=make_user("tom", roles=[Role.AGENT], teams=[desk]),
        sue=make_user("sue", roles=[Role.AGENT], teams=[desk]),
        nina=make_user("nina", roles=[Role.AGENT], teams=[network]),
        eve=make_user("eve", teams=[desk]),
        ann=make_user("ann")))


def events(ticket, action=None):
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    rows = db.session.scalars(query).all()
    return [e for e in rows if action is None or e.action == action]


def changes(ticket, **overrides) -> PropertyChanges:
    values = dict(ticket_type=ticket.ticket_type, category=ticket.category, impact=ticket.impact,
                  urgency=ticket.urgency, priority=None, priority_reason="", team=ticket.team,
                  assignee=ticket.assignee, reason="")
    return PropertyChanges(**{**values, **overrides})


# Tier ---------------------------------------------------------------------------------------

def test_a_ticket_takes_its_teams_tier_when_queued(org, make_ticket):
    assert make_ticket(org.ann, org.laptops).tier == 1
    assert make_ticket(org.ann, org.wifi).tier == 2  # filed straight to second line


# Assign -------------------------------------------------------------------------------------

def test_assign_to_a_colleague_is_audited_and_keeps_the_status(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    assignment.assign_ticket(ticket, org.tom, org.sue)
    db.session.commit()
    assert ticket.assignee == org.sue and ticket.status == Status.NEW
    [event] = events(ticket, "assigned")
    assert (event.field, event.old_value, event.new_value) == ("assignee", None, "Sue")


@pytest.mark.parametrize("who", ["nina", "eve"])  # another team's agent; a member who is not IT
def test_assignee_must_be_a_member_who_works_tickets(org, make_ticket, who):
    ticket = make_ticket(org.ann, org.laptops)
    with pytest.raises(ValidationFailed) as refused:
        assignment.assign_ticket(ticket, org.tom, getattr(org, who))
    assert refused.value.field_errors == {"assignee_id": ["Choose a member of Desk who works tickets."]}


def test_assignable_agents_are_the_teams_it_staff(org):
    assert [u.name for u in assignment.assignable_agents(org.desk)] == ["Sue", "Tom"]
    assert assignment.assignable_agents(None) == []


# Transfer -----------------------------------------------------------------------------------

def test_transfer_needs_a_reason(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    with pytest.raises(ValidationFailed) as refused:
        assignment.transfer_ticket(ticket, org.tom, org.apps, "  ")
    assert "reason" in refused.value.field_errors


def test_transfer_moves_team_and_tier_and_keeps_history_notes_and_links(org, make_ticket):
    ticket, other = make_ticket(org.ann, org.laptops), make_ticket(org.ann, org.laptops)
    assignment.claim_ticket(ticket, org.tom)
    db.session.add(Comment(ticket_id=ticket.id, author=org.tom, body="Tried a new cable", is_internal=True))
    link_tickets(ticket, other.number, LinkType.RELATED, org.tom)
    before = len(events(ticket))
    assignment.transfer_ticket(ticket, org.tom, org.apps, "It is the payroll app, not the laptop")
    db.session.commit()
    assert (ticket.team, ticket.tier, ticket.assignee) == (org.apps, 2, None)
    new = [(e.action, e.old_value, e.new_value) for e in events(ticket)[before:]]
    assert new == [("transferred", "Desk", "Apps"), ("tier_changed", "1", "2"), ("unassigned", "Tom", None)]
    assert all(e.note for e in events(ticket)[before:before + 2])
    assert events(ticket)[0].action == "created"  # the history, notes and links stay with it
    assert db.session.scalar(select(Comment.body)) == "Tried a new cable"
    assert [other.number for _label, other in ticket_links(ticket)] == [other.number]


def test_transfer_to_the_same_or_a_retired_team_is_refused(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    with pytest.raises(ValidationFailed, match="already with Desk"):
        assignment.transfer_ticket(ticket, org.tom, org.desk, "why not")
    org.apps.active = False
    with pytest.raises(ValidationFailed, match="no longer takes tickets"):
        assignment.transfer_ticket(ticket, org.tom, org.apps, "why not")


# Escalate -----------------------------------------------------------------------------------

def test_escalation_goes_to_the_escalation_team_one_tier_up(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    assignment.claim_ticket(ticket, org.tom)
    assert assignment.escalation_of(ticket) == (org.network, 2)
    assignment.escalate_ticket(ticket, org.tom, "Switch port is dead; needs Network")
    db.session.commit()
    assert (ticket.team, ticket.tier, ticket.assignee) == (org.network, 2, None)
    assert ticket.status == Status.IN_PROGRESS  # the work goes on, with the next tier
    [event] = events(ticket, "escalated")
    assert (event.old_value, event.new_value, event.note) == ("Desk", "Network", "Switch port is dead; needs Network")


def test_escalation_without_an_escalation_team_or_reason_is_refused(org, make_ticket):
    ticket = make_ticket(org.ann, org.wifi)  # Network escalates nowhere
    assert assignment.escalation_of(ticket) is None
    with pytest.raises(Conflict, match="Network has no team to escalate to"):
        assignment.escalate_ticket(ticket, org.nina, "help")
    with pytest.raises(ValidationFailed):
        assignment.escalate_ticket(make_ticket(org.ann, org.laptops), org.tom, "")


def test_a_finished_ticket_is_not_escalated(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    transition_ticket(ticket, Status.CANCELLED, org.tom, reason="Duplicate")
    with pytest.raises(Conflict, match="cannot be escalated"):
        assignment.escalate_ticket(ticket, org.tom, "late")


# The properties form, as a service --------------------------------------------------------

def test_edit_category_and_team_writes_one_event_per_property(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    changed = edit_properties(ticket, org.tom, changes(ticket, category=org.wifi, team=org.network,
                                                       reason="Wifi, not the laptop"))
    db.session.commit()
    assert changed == ["category", "team"]
    assert (ticket.category, ticket.team, ticket.tier) == (org.wifi, org.network, 2)
    assert [(e.action, e.old_value, e.new_value) for e in events(ticket)[-3:]] == [
        ("category_changed", "Laptops", "Wifi"), ("transferred", "Desk", "Network"), ("tier_changed", "1", "2")]


def test_closed_and_cancelled_tickets_keep_their_properties(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    transition_ticket(ticket, Status.CANCELLED, org.tom, reason="Duplicate")
    with pytest.raises(IllegalTransition, match="is cancelled: its properties are on record"):
        edit_properties(ticket, org.tom, changes(ticket, category=org.wifi))


def test_a_resolved_ticket_may_still_be_corrected(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    assignment.claim_ticket(ticket, org.tom)
    transition_ticket(ticket, Status.RESOLVED, org.tom, reason="Replaced the charger")
    assert edit_properties(ticket, org.tom, changes(ticket, category=org.wifi, team=org.desk)) == ["category"]


def test_edit_follows_the_matrix_unless_overridden_with_a_reason(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)  # medium/high: P2
    edit_properties(ticket, org.tom, changes(ticket, impact=Level.HIGH))
    assert (ticket.priority, ticket.priority_reason) == (1, None)
    with pytest.raises(ValidationFailed) as refused:
        edit_properties(ticket, org.tom, changes(ticket, priority=4))
    assert "priority_reason" in refused.value.field_errors
    edit_properties(ticket, org.tom, changes(ticket, priority=4, priority_reason="Only a test rig"))
    assert (ticket.priority, ticket.priority_reason) == (4, "Only a test rig")


def test_edit_built_on_an_old_version_is_refused_naming_who_changed_it(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    old = ticket.version
    assignment.claim_ticket(ticket, org.sue)
    db.session.commit()
    with pytest.raises(Conflict, match="changed by Sue meanwhile"):
        edit_properties(ticket, org.tom, changes(ticket, category=org.wifi), expected_version=old)


def test_edit_runs_the_validation_rules(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    db.session.add(ValidationRule(name="No wifi incidents by phone", kind=RuleKind.REFUSE,
                                  category_id=org.wifi.id, message="Wifi problems are reported in person."))
    db.session.commit()
    with pytest.raises(ValidationFailed, match="reported in person") as refused:
        edit_properties(ticket, org.tom, changes(ticket, category=org.wifi))
    assert refused.value.field_errors == {"__all__": ["Wifi problems are reported in person."]}


def test_a_change_cannot_be_switched_to_from_an_incident(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    edit_properties(ticket, org.tom, changes(ticket, ticket_type=TicketType.SERVICE_REQUEST))
    assert ticket.ticket_type == TicketType.SERVICE_REQUEST and ticket.number.startswith("INC")
    with pytest.raises(ValidationFailed) as refused:
        edit_properties(ticket, org.tom, changes(ticket, ticket_type=TicketType.CHANGE))
    assert "ticket_type" in refused.value.field_errors


# One primary action per state --------------------------------------------------------------

def _plan(ticket, user):
    return plan_actions(ticket, user, available_transitions(ticket, user))


def test_one_primary_action_per_state(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    new = _plan(ticket, org.tom)
    assert new.claim and new.claim_starts_work and new.primary is None
    assert {t.label for t in new.moves} == {"Resolve", "Cancel"}  # no Accept, no Start work beside Claim
    assignment.assign_ticket(ticket, org.tom, org.sue)
    db.session.flush()
    assigned = _plan(ticket, org.sue)
    assert not assigned.claim and assigned.primary.label == "Start work"
    assert "Accept" not in {t.label for t in assigned.moves}
    transition_ticket(ticket, Status.IN_PROGRESS, org.sue)
    working = _plan(ticket, org.sue)
    assert working.primary.label == "Resolve" and working.primary.needs_reason
    assert {"Ask the requester", "Wait for vendor"} <= {t.label for t in working.plain_moves}
    transition_ticket(ticket, Status.PENDING, org.sue)
    assert _plan(ticket, org.sue).primary.label == "Resume"


def test_no_ask_the_requester_without_a_requester(org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    ticket.requester = None
    assignment.claim_ticket(ticket, org.tom)
    assert "Ask the requester" not in {t.label for t in _plan(ticket, org.tom).moves}


# Over HTTP ----------------------------------------------------------------------------------

def form_for(ticket, **typed) -> dict:
    db.session.refresh(ticket)
    form = {"version": str(ticket.version), "ticket_type": ticket.ticket_type.value,
            "category_id": str(ticket.category_id), "impact": ticket.impact.value,
            "urgency": ticket.urgency.value, "priority": "", "priority_reason": "",
            "team_id": str(ticket.team_id), "reason": "", "assignee_id": str(ticket.assignee_id or "")}
    return {**form, **typed}


def test_sidebar_edit_of_category_and_team(client, login, org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    login(org.tom)
    url = f"/agent/tickets/{ticket.number}/properties"
    response = client.post(url, data=form_for(ticket, category_id=str(org.wifi.id), team_id=str(org.network.id),
                                              reason="Wifi, not the laptop"))
    assert response.status_code == 303
    db.session.refresh(ticket)
    assert (ticket.category, ticket.team, ticket.tier) == (org.wifi, org.network, 2)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved: category, team." in page and "Tier 2 · Network" in page
    fragment = client.post(url, data=form_for(ticket), headers=HX)
    assert fragment.status_code == 200
    assert fragment.get_data(as_text=True).lstrip().startswith(f'<div id="ticket-{ticket.number}"')
    history = client.get(f"/agent/tickets/{ticket.number}?tab=history").get_data(as_text=True)
    assert "Category changed" in history and "Transferred" in history and "Wifi, not the laptop" in history


@pytest.mark.parametrize("typed, field, message", [
    ({"team_id": "APPS"}, "team_id", "Choose one from the list."),
    ({"team_id": "99999999999"}, "team_id", "Choose one from the list."),
    ({"category_id": "424242"}, "category_id", "Choose one from the list."),
    ({"impact": "huge"}, "impact", "Choose one from the list."),
    ({"ticket_type": "problem"}, "ticket_type", "Choose one from the list."),
    ({"priority": "9"}, "priority", "Choose one from the list."),
    ({"assignee_id": "424242"}, "assignee_id", "Choose one from the list."),
    ({"assignee_id": "-1"}, "assignee_id", "Choose one from the list."),
    ({"priority_reason": "x" * 501}, "priority_reason", "Keep the reason under 500 characters."),
])
def test_bad_sidebar_input_is_a_field_error(client, login, org, make_ticket, typed, field, message):
    ticket = make_ticket(org.ann, org.laptops)
    login(org.tom)
    response = client.post(f"/agent/tickets/{ticket.number}/properties", data=form_for(ticket, **typed), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-err"' in html and message in html


def test_sidebar_refusals_from_the_services_are_field_errors(client, login, org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    login(org.tom)
    url = f"/agent/tickets/{ticket.number}/properties"
    no_reason = client.post(url, data=form_for(ticket, team_id=str(org.apps.id)), headers=HX)
    assert no_reason.status_code == 422 and 'id="reason-err"' in no_reason.get_data(as_text=True)
    outsider = client.post(url, data=form_for(ticket, assignee_id=str(org.nina.id)), headers=HX)
    html = outsider.get_data(as_text=True)
    assert outsider.status_code == 422 and "Choose a member of Desk who works tickets." in html
    db.session.refresh(ticket)
    assert (ticket.team, ticket.assignee) == (org.desk, None) and not events(ticket, "assigned")


def test_stale_sidebar_save_is_409(client, login, org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    stale = form_for(ticket, category_id=str(org.wifi.id))
    assignment.claim_ticket(ticket, org.sue)
    db.session.commit()
    login(org.tom)
    response = client.post(f"/agent/tickets/{ticket.number}/properties", data=stale, headers=HX)
    assert response.status_code == 409 and "changed by Sue meanwhile" in response.get_data(as_text=True)


def test_a_cancelled_ticket_shows_its_properties_read_only(client, login, org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    posted = form_for(ticket, category_id=str(org.wifi.id))
    transition_ticket(ticket, Status.CANCELLED, org.tom, reason="Duplicate")
    db.session.commit()
    login(org.tom)
    page = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    assert "these are on record and stay as they are" in page
    assert f"/agent/tickets/{ticket.number}/properties" not in page
    response = client.post(f"/agent/tickets/{ticket.number}/properties", data=dict(posted, version=str(ticket.version)),
                           headers=HX)
    assert response.status_code == 409 and "its properties are on record" in response.get_data(as_text=True)


def test_assign_over_http(client, login, org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    login(org.tom)
    response = client.post(f"/agent/tickets/{ticket.number}/properties",
                           data=form_for(ticket, assignee_id=str(org.sue.id)))
    assert response.status_code == 303
    db.session.refresh(ticket)
    assert ticket.assignee == org.sue


def test_assignee_choices_follow_the_team(client, login, org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    login(org.tom)
    url = f"/agent/tickets/{ticket.number}/assignees"
    html = client.get(f"{url}?team_id={org.network.id}", headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="assignee-field">') and "Nina" in html and "Tom" not in html
    assert client.get(f"{url}?team_id=abc", headers=HX).status_code == 400


def test_escalate_over_http(client, login, org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    login(org.tom)
    page = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    assert "Escalate to Network (tier 2)" in page
    url = f"/agent/tickets/{ticket.number}/escalate"
    missing = client.post(url, data={"version": str(ticket.version), "reason": ""}, headers=HX)
    assert missing.status_code == 422 and 'id="escalate-reason-err"' in missing.get_data(as_text=True)
    done = client.post(url, data={"version": str(ticket.version), "reason": "Needs a network engineer"})
    assert done.status_code == 303
    assert "Escalated to Network (tier 2)." in client.get(done.headers["Location"]).get_data(as_text=True)
    again = client.post(url, data={"version": str(db.session.merge(ticket).version), "reason": "more"}, headers=HX)
    assert again.status_code == 409 and "Network has no team to escalate to" in again.get_data(as_text=True)


def test_ticket_page_words_and_times(client, login, org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    assignment.claim_ticket(ticket, org.tom)
    db.session.commit()
    login(org.tom)
    html = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    assert "Ask the requester" in html and "Wait for vendor" in html and "Wait for user" not in html
    assert '<summary class="btn btn-primary">Resolve…</summary>' in html  # the one primary move
    assert "claim-form" not in html and 'value="in_progress"' not in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="[^"]+ UTC" data-local="datetime">', html)
    assert "js/local-time.js" in html and "Reply to requester" in html


def test_no_requester_means_no_reply_to_requester(client, login, org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    ticket.requester_id = None
    db.session.commit()
    login(org.tom)
    html = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    assert "Reply to requester" not in html and "this is an internal note" in html
    public = client.post(f"/agent/tickets/{ticket.number}/comments", headers=HX,
                         data={"body": "Hello?", "visibility": "public"})
    assert public.status_code == 422 and db.session.scalar(select(Comment)) is None


def test_resolution_shows_in_the_conversation(client, login, org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops)
    assignment.claim_ticket(ticket, org.tom)
    transition_ticket(ticket, Status.RESOLVED, org.tom, reason="Replaced the **dock**")
    db.session.commit()
    login(org.tom)
    html = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    conversation = html[html.index('id="conversation"'):]
    assert 'id="resolution"' in conversation and "Replaced the <strong>dock</strong>" in conversation


def test_catalog_ticket_without_description_shows_no_empty_description(client, login, org, make_ticket):
    ticket = make_ticket(org.ann, org.laptops, channel=Channel.PORTAL)
    ticket.description = ""
    db.session.commit()
    login(org.tom)
    html = client.get(f"/agent/tickets/{ticket.number}").get_data(as_text=True)
    assert 'id="description-title"' not in html


def test_ticket_page_queries_do_not_grow_with_team_size(client, login, org, make_ticket, make_user, count_queries):
    ticket = make_ticket(org.ann, org.laptops)
    login(org.tom)
    url = f"/agent/tickets/{ticket.number}"
    make_user("agent0", roles=[Role.AGENT], teams=[org.desk])  # both counts start after a commit
    small = count_queries(lambda: client.get(url))
    for n in range(1, 6):
        make_user(f"agent{n}", roles=[Role.AGENT], teams=[org.desk])
    assert count_queries(lambda: client.get(url)) == small
