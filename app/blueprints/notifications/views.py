"""The bell (a live count) and the list of notifications."""
from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.blueprints.common import render
from app.extensions import db
from app.blueprints.notifications import bp
from app.services import live
from app.services.notifications import by_ticket, mark_all_read, mark_read, recent_notifications, unread_count


@bp.get("/bell")
@login_required
def bell():
    """The bell fragment; polled, answering 204 while nothing new arrived."""
    stamp = live.bell_stamp(current_user)
    if live.unchanged(request.args.get("since"), stamp):
        return "", 204
    return render_template("notifications/_bell.html", count=unread_count(current_user), stamp=stamp)


@bp.get("/")
@login_required
def index():
    """The latest 50 notices, grouped by ticket (the ticket with the newest notice first)."""
    items = recent_notifications(current_user, limit=50)
    return render("notifications/index.html", items=items, groups=by_ticket(items))


@bp.post("/read")
@login_required
def mark_everything_read():
    mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"), 303)


@bp.post("/<int:notification_id>/read")
@login_required
def mark_one_read(notification_id: int):
    """One notice read; another person's (or one gone) is not found."""
    if not mark_read(current_user, notification_id):
        abort(404)
    db.session.commit()
    return redirect(url_for("notifications.index"), 303)
