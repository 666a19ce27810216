"""Security from the first line: passwords, cookies, CSRF, CSP, rate limits, redirects."""
import pytest

from app.extensions import db
from app.models import User
from app.security import is_safe_next


def test_passwords_are_argon2id(make_user):
    user = make_user("ann")
    assert user.password_hash.startswith("$argon2id$")


def test_production_hasher_meets_owasp(app):
    from argon2 import PasswordHasher

    from app.services import passwords

    saved = app.config.pop("ARGON2_MEMORY_COST")
    try:
        with app.app_context():
            hasher = passwords._hasher()
        assert isinstance(hasher, PasswordHasher)
        assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2
    finally:
        app.config["ARGON2_MEMORY_COST"] = saved


def _sign_in(client, email="ann@example.com", password="correct horse battery", **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_sets_httponly_samesite_session_cookie(client, make_user):
    make_user("ann")
    response = _sign_in(client)
    assert response.status_code == 303
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_is_refused_with_a_message(client, make_user):
    make_user("ann")
    response = _sign_in(client, password="nope")
    assert response.status_code == 422
    assert b"Wrong email or password." in response.data


def test_inactive_user_cannot_sign_in(client, make_user):
    user = make_user("ann")
    user.active = False
    db.session.commit()
    assert _sign_in(client).status_code == 422


@pytest.mark.parametrize("target,safe", [
    ("/agent/", True), ("/tickets/INC000001?x=1", True), ("https://evil.example/", False),
    ("//evil.example/", False), ("/\\evil.example", False), ("javascript:alert(1)", False),
    ("", False), (None, False), ("agent", False),
])
def test_next_accepts_local_paths_only(target, safe):
    assert is_safe_next(target) is safe


def test_login_redirects_to_local_next_only(client, make_user):
    make_user("ann")
    response = _sign_in(client, next="https://evil.example/")
    assert response.status_code == 303 and "evil" not in response.headers["Location"]
    client.post("/logout")
    response = _sign_in(client, next="/notifications/")
    assert response.headers["Location"].endswith("/notifications/")


def test_login_attempts_are_rate_limited(app, client, make_user):
    make_user("ann")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    statuses = [_sign_in(client, password="wrong").status_code for _ in range(limit + 1)]
    assert statuses[:limit] == [422] * limit
    assert statuses[-1] == 429
    # The limiter's counters live in Redis (shared by every web process).
    assert any(b"LIMITS" in key or b"login" in key for key in app.extensions["redis"].keys("*"))


def test_missing_csrf_token_is_refused(app, client, make_user):
    make_user("ann")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = _sign_in(client)
        assert response.status_code == 400
        assert b"security token" in response.data
        json_response = client.post("/login", data={}, headers={"Accept": "application/json"})
        assert json_response.status_code == 400 and "token" in json_response.get_json()["error"]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_csrf_token_in_htmx_header_is_accepted(app, client, make_user, login):
    """htmx sends the token from hx-headers on <body> as X-CSRFToken."""
    import re

    make_user("ann")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        response = client.post("/login", data={"email": "ann@example.com", "password": "correct horse battery"},
                               headers={"X-CSRFToken": token, "HX-Request": "true"})
        assert response.status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_every_page_has_a_strict_csp_and_nosniff(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "HX-Request" in response.headers["Vary"]


def test_pages_have_no_inline_script_or_style(client, make_user, login):
    """What the CSP forbids must not be in our markup, or the browser would block it."""
    login(make_user("ann"))
    for url in ("/login", "/notifications/"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "hx-on" not in html


def test_unknown_user_and_signed_out_access(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_json_errors_carry_a_reason(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["error"]


def test_secret_key_is_generated_into_instance(tmp_path, monkeypatch):
    from app.config import load_secret_key

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(str(tmp_path))
    assert len(first) == 64 and load_secret_key(str(tmp_path)) == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_user_model_has_no_plain_password(app):
    assert "password" not in {c.name for c in User.__table__.columns}


def test_a_uniqueness_race_is_a_409_not_a_500(client, make_user, login, monkeypatch):
    """When the database refuses a duplicate that slipped past the form checks, the user gets a
    clear 409 and the session is usable again."""
    from sqlalchemy.exc import IntegrityError

    from app.blueprints.notifications import views

    def duplicate(_user):
        raise IntegrityError("INSERT …", {}, Exception("duplicate key"))

    monkeypatch.setattr(views, "mark_all_read", duplicate)
    login(make_user("ann"))
    response = client.post("/notifications/read")
    assert response.status_code == 409 and b"Reload the page and try again" in response.data
    assert client.get("/notifications/").status_code == 200
