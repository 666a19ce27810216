"""Signed-in sessions that end when they should (OWASP ASVS 5.0 level 2, chapter 7).

- Revocable on the server, with nothing kept in Redis (signing in works while Redis is away):
  the session names its user as "<id>:<session_token>" (``User.get_id``) and the loader compares
  the token with the user's row. Replacing the token (``services.users.end_sessions``, a new
  password, deactivation, a role taken away) ends every session of that user, on every host, at
  its next request; a cookie copied before that opens nothing.
- "Keep me signed in" is a permanent session cookie that expires with the absolute timeout,
  not Flask-Login's separate remember cookie: that one lived 365 days and re-created sessions
  behind the timeouts' back. Remember cookies set by older versions are never honoured and are
  deleted.
- Idle and absolute timeouts (``SESSION_IDLE_TIMEOUT_SECONDS``, ``SESSION_ABSOLUTE_TIMEOUT_SECONDS``)
  count from the sign-in and last-activity times kept in the (signed) session, so a copied
  cookie ages like the original. Live-page polls (a GET with ``since=``) are not activity: a
  queue left open on a screen does not keep a session alive.
- An expired or revoked session sends a page to the sign-in page with the reason, and an htmx
  request (poll or action) there with ``HX-Redirect``: the sign-in page is never swapped into a
  fragment.
- ``SESSION_COOKIE_SECURE = "auto"`` marks the cookie Secure exactly on HTTPS requests (behind a
  proxy, gunicorn takes the scheme from X-Forwarded-Proto of FORWARDED_ALLOW_IPS), so plain
  http on 127.0.0.1 keeps working; True or False force it.
- A live poll that finds nothing changed is answered before the user is loaded
  (``answer_unchanged_polls``): see there why that is as safe as the full check.
"""
import time
from contextlib import contextmanager
from functools import lru_cache, wraps
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (Flask, current_app, flash, g, has_request_context, jsonify, make_response,
                   redirect, request, session, url_for)
from flask.sessions import SecureCookieSessionInterface
from flask_login import login_user, logout_user

from app.extensions import db, login_manager
from app.http_input import MAX_QUERY_VALUE, wants_json
from app.security import is_safe_next

SIGNED_IN_AT = "_signed_in_at"  # epoch seconds of the sign-in (absolute timeout)
SEEN_AT = "_seen_at"  # epoch seconds of the last request that was not a poll (idle timeout)
SIGN_IN_PLEASE = "Please sign in to continue."


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with a per-request Secure flag and a cookie that expires
    at the absolute timeout rather than a fixed time after each response."""

    def get_cookie_secure(self, app: Flask) -> bool:
        setting = app.config["SESSION_COOKIE_SECURE"]
        if setting == "auto":
            return has_request_context() and request.is_secure
        return bool(setting)

    def get_expiration_time(self, app: Flask, session) -> datetime | None:
        if session.permanent and isinstance(session.get(SIGNED_IN_AT), int):
            return datetime.fromtimestamp(session[SIGNED_IN_AT] + _absolute(app), UTC)
        return super().get_expiration_time(app, session)


def init_sessions(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=_absolute(app))
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    app.before_request(enforce_timeouts)


def load_user(session_id: str):
    """The user named by ``"<id>:<token>"``, if the token is still theirs (constant time)."""
    user_id, token = _named_user(session_id)
    if user_id is None:
        return None
    from sqlalchemy.orm import joinedload

    from app.models import User

    # Roles and team memberships in the same statement: every request checks the roles
    # (role_required) and every technician's page the teams (queues, permissions). A live
    # poll that finds nothing changed does not come here (answer_unchanged_polls).
    user = db.session.get(User, user_id, options=[joinedload(User.role_rows), joinedload(User.memberships)])
    return user if user is not None and user.holds_session_token(token) else None


def _named_user(session_id) -> tuple[int | None, str]:
    """The user id and token a session's ``"<id>:<token>"`` names; no id when malformed (only
    ASCII digits: ``"²".isdigit()`` is true, yet no integer)."""
    user_id, _, token = str(session_id or "").partition(":")
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 18 or not token:
        return None, ""
    return int(user_id), token


# --- Live polls that find nothing changed ----------------------------------------------------------

def answer_unchanged_polls(stamp, *roles):
    """Decorator for a live page's view (put it above ``role_required(*roles)``): a poll whose
    ``since`` equals the page's ``stamp`` gets 204 after one narrow query instead of the whole
    request.

    Why: loading the signed-in user through Flask-Login builds the ORM user and its roles,
    which was about half the cost of a poll that then answers 204. What a 204 needs to know
    is only "this session may see this page", and that is three values of one row: the
    session token, the active flag and whether a role fits, read in one statement by primary
    key (``_session_may_poll``). Everything else that makes a session valid has already run
    by then, in ``enforce_timeouts`` (before_request): idle and absolute timeouts, missing
    times, and the signature of the cookie itself. So a signed-out, expired, revoked (sign
    out elsewhere, new password, deactivation, a role taken away: each replaces the token) or
    role-less session fails this check exactly as it fails the full one, and then takes the
    full path, which answers it as before (401 with HX-Redirect, or 403). Only the answer
    "nothing changed" is short-cut; a poll that finds a change renders through the view.
    A signed token in the poll URL would save the query too, but could not see a revocation
    before it expired; the query can, at the cost of one index lookup.

    ``stamp`` (a ``services.live.Stamp``) gives the page's stamp as columns, read in that
    same statement. On PostgreSQL it runs on a pooled connection in autocommit, outside the
    ORM session: one statement is the whole conversation with the database (no BEGIN, no
    ROLLBACK at teardown). On SQLite, in process, on the session's own connection.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            sent = request.args.get("since")
            user_id, token = _named_user(session.get("_user_id")) if is_poll() and sent else (None, "")
            if user_id is not None:
                with _poll_connection() as connection:
                    if _unchanged_for_session(connection, user_id, token, roles, stamp, sent):
                        return "", 204
            return view(*args, **kwargs)

        return wrapper

    return decorator


@contextmanager
def _poll_connection():
    if db.engine.dialect.name != "postgresql":
        yield db.session.connection()  # SQLite's BEGIN comes from the app's own begin hook
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        yield connection


def _unchanged_for_session(connection, user_id: int, token: str, roles, stamp, sent: str) -> bool:
    """The session's user is active, its token still matches, it holds one of ``roles`` (or is
    an admin, as ``role_required`` lets admins pass) and the stamp is still ``sent``: one
    statement."""
    from app.models.user import session_tokens_match

    row = connection.execute(_poll_check(tuple(roles), stamp), {"user_id": user_id}).first()
    return (row is not None and row.active and row.role_fits
            and session_tokens_match(token, row.session_token) and sent == stamp.text(*row[3:]))


@lru_cache(maxsize=None)
def _poll_check(roles: tuple, stamp):
    """The statement of ``_unchanged_for_session``, built once per page (a handful): building
    it was a fair share of an unchanged poll."""
    from sqlalchemy import bindparam, select

    from app.models import Role, User, UserRole

    fits = (select(UserRole.user_id)
            .where(UserRole.user_id == User.id, UserRole.role.in_([Role.ADMIN, *roles])).exists())
    return select(User.session_token, User.active, fits.label("role_fits"), *stamp.columns).where(User.id == bindparam("user_id"))


# --- Starting and ending (called by the auth views) ------------------------------------------------

def session_values(user, now: int | None = None) -> dict:
    """What a fresh signed-in session holds (tests write it straight into a client's session)."""
    now = int(time.time()) if now is None else now
    return {"_user_id": user.get_id(), "_fresh": True, SIGNED_IN_AT: now, SEEN_AT: now}


def start_session(user, keep: bool) -> None:
    """Sign ``user`` in on a session emptied of whatever it held before (no fixation);
    ``keep``: the cookie outlives the browser, up to the absolute timeout."""
    session.clear()
    session.permanent = keep
    login_user(user)
    session.update(session_values(user))


def reissue_session(user) -> None:
    """Keep this session signed in after ``user``'s token changed (their own password change):
    the new token, the same sign-in time, so the absolute timeout still counts from sign-in."""
    session["_user_id"] = user.get_id()


def end_session() -> None:
    logout_user()
    session.clear()


# --- Every request ---------------------------------------------------------------------------------

def enforce_timeouts():
    """End a signed-in session that sat idle or lived too long; count this request as activity
    unless it is a live-page poll. Sessions missing their times fail closed."""
    if request.endpoint == "static":
        return
    if _legacy_remember_cookie():
        session["_remember"] = "clear"  # Flask-Login then ignores it and deletes it
    if "_user_id" not in session:
        return
    now = int(time.time())
    reason = _expired_because(now)
    if reason:
        end_session()
        flash(reason, "info")
        g.session_expired = True
    elif not is_poll():
        session[SEEN_AT] = now


def is_poll() -> bool:
    """Every live refresh is an htmx GET carrying the ``since`` stamp of what the page shows."""
    return request.method == "GET" and "since" in request.args


def _expired_because(now: int) -> str | None:
    cfg = current_app.config
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in, int) or not isinstance(seen, int):
        return f"Your session expired. {SIGN_IN_PLEASE}"
    if now - signed_in >= _absolute(current_app):
        return (f"Your session expired: sessions end {_words(_absolute(current_app))} after "
                f"signing in. {SIGN_IN_PLEASE}")
    idle = cfg["SESSION_IDLE_TIMEOUT_SECONDS"]
    if now - seen >= idle:
        return f"Your session expired after {_words(idle)} without activity. {SIGN_IN_PLEASE}"
    return None


def _legacy_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def unauthorized():
    """Not signed in (never was, expired, or revoked): to the sign-in page, back here after.
    htmx gets HX-Redirect, so a poll or an action leads the whole page to the sign-in page."""
    if not g.get("session_expired"):
        flash(SIGN_IN_PLEASE, "info")
    target = url_for("auth.login", next=_here())
    if request.htmx:
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    if wants_json():
        return jsonify(error=SIGN_IN_PLEASE), 401
    return redirect(target, 303 if request.method != "GET" else 302)


def _here() -> str | None:
    """Where to come back to: the page itself for a GET, the page shown in the browser for
    htmx (a poll's URL is not a page), nothing for a plain form post. Nothing either when the
    address would not survive the trip: a ``next`` too long for a query value would turn the
    sign-in page itself into a 414."""
    if request.htmx:
        try:
            parts = urlsplit(request.htmx.current_url or "")
        except ValueError:  # a malformed HX-Current-URL header
            return None
        if parts.netloc and parts.netloc != request.host:
            return None
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    elif request.method == "GET":
        target = request.full_path.rstrip("?")
    else:
        return None
    if len(target) > MAX_QUERY_VALUE:
        return None
    return target if is_safe_next(target) else None


def _absolute(app: Flask) -> int:
    return app.config["SESSION_ABSOLUTE_TIMEOUT_SECONDS"]


def _words(seconds: int) -> str:
    """3600 → "1 hour", 1800 → "30 minutes", 90 → "90 seconds"."""
    size, unit = next((s, u) for s, u in ((3600, "hour"), (60, "minute"), (1, "second")) if seconds % s == 0)
    n = seconds // size
    return f"{n} {unit}{'' if n == 1 else 's'}"
