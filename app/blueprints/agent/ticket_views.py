"""Hand-offs on the ticket page: the properties sidebar (one Save for type, category, impact,
urgency, priority, team and assignee), escalation to the next tier, and the assignee choices
that follow the team picked in the sidebar.

They have the ticket page's action shape (``views._act``): load and authorize, validate the
form, one service call, commit, then the ticket fragment (htmx) or a flash and a 303.
"""
from flask_login import current_user

from app.blueprints.agent import bp
from app.blueprints.agent.views import _act, _answer, _form_refused
from app.blueprints.common import get_ticket_or_404, render, role_required
from app.extensions import db
from app.forms.handoffs import EscalateForm, PropertiesForm, properties_form
from app.http_input import query_int
from app.models import Role, Team
from app.services.assignment import assignable_agents, escalate_ticket
from app.services.errors import DomainError
from app.services.ticket_properties import edit_properties


@bp.post("/tickets/<number>/properties")
@role_required(Role.AGENT)
def ticket_properties(number: str):
    ticket = get_ticket_or_404(number, need="work")
    form = properties_form(ticket)
    if not form.validate():
        return _answer(ticket, status=422, properties_form=form)
    try:
        changed = edit_properties(ticket, current_user, form.to_changes(),
                                  expected_version=form.expected_version())
    except DomainError as error:
        return _form_refused(ticket, error, "properties_form", form)
    db.session.commit()
    return _answer(ticket, _saved(changed))


def _saved(changed: list[str]) -> str:
    return f"Saved: {', '.join(changed)}." if changed else "Nothing changed."


@bp.post("/tickets/<number>/escalate")
@role_required(Role.AGENT)
def ticket_escalate(number: str):
    return _act(number, EscalateForm, "escalate_form",
                lambda t, f: escalate_ticket(t, current_user, f.reason.data,
                                             expected_version=f.expected_version()),
                lambda t, f: f"Escalated to {t.team.name} (tier {t.tier}).")


@bp.get("/tickets/<number>/assignees")
@role_required(Role.AGENT)
def ticket_assignees(number: str):
    """The assignee field for the team just picked in the sidebar (htmx swaps it in on change;
    without JavaScript the Save checks the person against the team instead)."""
    ticket = get_ticket_or_404(number, need="work")
    team_id = query_int("team_id")
    team = (db.session.get(Team, team_id) if team_id else None) or ticket.team
    form = PropertiesForm.for_ticket(ticket, str(ticket.version))
    form.assignee_id.choices = [("", "Unassigned")] + [(u.id, u.name) for u in assignable_agents(team)]
    return render("agent/_ticket_assignee_field.html", form=form, ticket=ticket)
