"""The bell (a live count) and the list of notifications."""
from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.blueprints.common import render
from app.extensions import db
from app.blueprints.notifications import bp
from app.services import live
from app.services.notifications import mark_all_read, recent_notifications, unread_count


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
    items = recent_notifications(current_user, limit=50)
    return render("notifications/index.html", items=items)


@bp.post("/read")
@login_required
def mark_read():
    mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"), 303)
