"""Signing in and out, and changing one's own password. How long a session lives and how it
ends is app/sessions.py."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.blueprints.auth import bp
from app.blueprints.common import apply_field_errors
from app.extensions import db, limiter
from app.forms.auth import LoginForm, PasswordChangeForm
from app.security import is_safe_next
from app.services import users
from app.services.errors import ValidationFailed
from app.sessions import end_session, reissue_session, start_session


def home_for(user) -> str:
    return url_for("agent.queue") if user.is_agent else url_for("portal.my_tickets")


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append("Wrong email or password.")
        else:
            start_session(user, keep=form.remember.data)
            target = form.next.data
            return redirect(target if is_safe_next(target) else home_for(user), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Signing out ends every session of the user, not only this cookie: a copy of it (or the
    same account left signed in elsewhere) stops working too."""
    if current_user.is_authenticated:
        users.end_sessions(current_user)
        db.session.commit()
    end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])  # it checks the current password: no guessing
def password_change():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            users.change_own_password(current_user, form.current_password.data, form.new_password.data)
        except ValidationFailed as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            reissue_session(current_user)
            flash("Your password is changed. You are still signed in here; everywhere else you "
                  "are signed out.", "success")
            return redirect(home_for(current_user), 303)
    return render_template("auth/password_form.html", form=form), 422 if form.is_submitted() else 200
