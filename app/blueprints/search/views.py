"""Find any ticket from the top bar: words give ranked results, a ticket number opens it."""
from flask import redirect, request, url_for
from flask_login import current_user, login_required

from app.blueprints.common import render
from app.blueprints.search import bp
from app.forms.search import SearchForm
from app.http_input import query_int, wants_fragment
from app.services import ticket_search
from app.services.ticket_search import SearchError


@bp.get("/search")
@login_required
def results():
    """The results page, or its list alone for the as-you-type refresh (HX-Request), which
    never jumps to a ticket: "INC00012" on its way to "INC000123" must not leave the page."""
    form = SearchForm(request.args)
    typed = form.q.data or ""
    live = wants_fragment()
    ticket = None if live or not typed.strip() else ticket_search.find_by_number(current_user, typed)
    if ticket is not None:
        return redirect(_ticket_url(ticket), 303)
    found, status = None, 200
    if typed.strip():
        try:
            found = ticket_search.search_tickets(current_user, typed, query_int("page", 1))
        except SearchError as error:
            form.q.errors = [error.message]
            status = 400
    response = render("search/results.html", fragment="search/_results.html", status=status,
                      form=form, found=found, ticket_url=_ticket_url)
    response.vary.add("HX-Request")
    return response


def _ticket_url(ticket) -> str:
    """IT staff work a ticket on the agent page; a requester follows it in the portal."""
    endpoint = "agent.ticket_detail" if current_user.is_agent else "portal.ticket_detail"
    return url_for(endpoint, number=ticket.number)
