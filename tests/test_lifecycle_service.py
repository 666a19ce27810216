"""The lifecycle service: transition tables, timestamps, audit, numbering."""
import pytest

from app.extensions import db
from app.models import Role, Status, TicketEvent, TicketType
from app.services import assignment, lifecycle, tickets
from app.services.errors import Conflict, IllegalTransition, ValidationFailed


def test_submit_numbers_and_queues(make_user, make_ticket):
    ann = make_user("ann")
    ticket = make_ticket(ann)
    assert ticket.number == "INC000001"
    assert ticket.status == Status.NEW and ticket.new_at is not None
    assert ticket.priority == 2  # medium impact, high urgency
    assert ticket.team is not None
    actions = [e.action for e in db.session.query(TicketEvent).filter_by(ticket_id=ticket.id)]
    assert actions == ["created", "status_changed"]


def test_numbers_are_per_type(make_user, make_ticket, make_category):
    ann = make_user("ann")
    cat = make_category()
    assert make_ticket(ann, cat).number == "INC000001"
    assert make_ticket(ann, cat, ticket_type=TicketType.SERVICE_REQUEST).number == "REQ000001"
    assert make_ticket(ann, cat).number == "INC000002"


def test_draft_submission_reports_every_missing_field(make_user):
    ann = make_user("ann")
    draft = tickets.save_draft(ann, tickets.TicketInput(title="Hi"))
    with pytest.raises(ValidationFailed) as err:
        tickets.submit_ticket(draft, ann)
    assert set(err.value.field_errors) == {"title", "description", "category_id", "impact", "urgency"}
    assert draft.number is None and draft.status == Status.DRAFT


def test_illegal_transition_is_refused_with_reason(make_user, make_ticket):
    ann = make_user("ann")
    ticket = make_ticket(ann)
    with pytest.raises(IllegalTransition, match="cannot move from New to Closed"):
        lifecycle.transition_ticket(ticket, Status.CLOSED, ann)


def test_requester_cannot_make_agent_moves(make_user, make_ticket):
    ann = make_user("ann")
    ticket = make_ticket(ann)
    with pytest.raises(IllegalTransition, match="may not"):
        lifecycle.transition_ticket(ticket, Status.IN_PROGRESS, ann)


def test_claim_moves_to_in_progress_and_second_claim_loses(make_user, make_ticket, make_category, make_team):
    team = make_team("Desk")
    cat = make_category("Network", team=team)
    tom = make_user("tom", roles=[Role.AGENT], teams=[team])
    sue = make_user("sue", roles=[Role.AGENT], teams=[team])
    ticket = make_ticket(make_user("ann"), cat)
    assignment.claim_ticket(ticket, tom)
    db.session.commit()
    assert ticket.assignee_id == tom.id and ticket.status == Status.IN_PROGRESS
    with pytest.raises(Conflict, match="already claimed by Tom"):
        assignment.claim_ticket(ticket, sue)


def test_resolve_needs_reason_and_records_resolution(make_user, make_ticket, make_team, make_category):
    team = make_team("Desk")
    tom = make_user("tom", roles=[Role.AGENT], teams=[team])
    ticket = make_ticket(make_user("ann"), make_category("Net", team=team))
    with pytest.raises(IllegalTransition, match="needs a reason"):
        lifecycle.transition_ticket(ticket, Status.RESOLVED, tom)
    lifecycle.transition_ticket(ticket, Status.RESOLVED, tom, reason="Replaced the cable")
    assert ticket.resolution == "Replaced the cable" and ticket.resolved_at is not None


def test_stale_version_is_refused_naming_who_changed_it(make_user, make_ticket, make_team, make_category):
    team = make_team("Desk")
    tom = make_user("tom", roles=[Role.AGENT], teams=[team])
    ticket = make_ticket(make_user("ann"), make_category("Net", team=team))
    old_version = ticket.version
    assignment.claim_ticket(ticket, tom)
    db.session.commit()
    with pytest.raises(Conflict, match="changed by Tom meanwhile"):
        tickets.change_priority(ticket, tom, 1, "VIP", expected_version=old_version)


def test_audit_events_are_append_only(make_user, make_ticket):
    ticket = make_ticket(make_user("ann"))
    event = db.session.query(TicketEvent).filter_by(ticket_id=ticket.id).first()
    event.note = "tampered"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
