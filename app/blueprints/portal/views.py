"""Employee portal (stub; being built)."""
from flask_login import login_required

from app.blueprints.portal import bp


@bp.get("/my")
@login_required
def my_tickets():
    return "my tickets"


@bp.get("/new")
@login_required
def ticket_new():
    return "new"
