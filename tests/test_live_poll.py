"""A live poll that finds nothing changed is answered with 204 before the user is loaded
(app/sessions.py answer_unchanged_polls), and that short cut opens nothing the full check
would refuse: signed out, expired, revoked, deactivated, password changed, role taken away,
or never an agent."""
import time

import pytest
from flask import g
from sqlalchemy import update

from app.extensions import db
from app.models import Role, User
from app.services import live
from app.services.users import end_sessions, set_password, set_roles
from app.sessions import SEEN_AT, SIGNED_IN_AT

HX = {"HX-Request": "true"}


def _poll(client, url=None):
    g.pop("_login_user", None)  # as a request in a real server: nothing cached from the last one
    return client.get(url or f"/agent/?since={live.tickets_stamp()}", headers=HX)


@pytest.fixture
def tom(make_team, make_user, make_category, make_ticket):
    team = make_team("Desk")
    make_ticket(make_user("ann"), make_category("Wifi", team=team))
    return make_user("tom", roles=[Role.AGENT], teams=[team])


def _refused(response) -> bool:
    return response.status_code == 401 and "HX-Redirect" in response.headers


def test_unchanged_poll_is_204_after_one_statement(client, login, tom, count_queries):
    login(tom)
    url = f"/agent/?since={live.tickets_stamp()}"
    answers = []
    assert count_queries(lambda: answers.append(client.get(url, headers=HX))) == 1  # session and stamp
    assert answers[0].status_code == 204 and answers[0].get_data() == b""


def test_the_views_sidebar_poll_takes_the_same_short_cut(client, login, tom, count_queries):
    login(tom)
    sidebar = client.get("/agent/views", headers=HX).get_data(as_text=True)
    url = sidebar.split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    answers = []
    assert count_queries(lambda: answers.append(client.get(url, headers=HX))) == 1  # session and both stamps
    assert answers[0].status_code == 204


def test_a_changed_or_odd_stamp_gets_the_fragment(client, login, tom):
    login(tom)
    for since in ("0", "x" * 300, "é", "2026-01-01T00:00:00"):
        response = _poll(client, f"/agent/?since={since}")
        assert response.status_code == 200 and 'id="queue-table"' in response.get_data(as_text=True)


def test_an_admin_polls_too(client, login, make_user, tom):
    login(make_user("ada", roles=[Role.ADMIN]))
    assert _poll(client).status_code == 204


def test_not_signed_in_is_sent_to_sign_in(client, tom):
    assert _refused(_poll(client))


def test_an_employee_gets_403_not_204(client, login, make_user, tom):
    login(make_user("bob"))
    assert _poll(client).status_code == 403


def test_a_role_taken_away_ends_the_poll(client, login, tom):
    login(tom)
    set_roles(tom, [Role.EMPLOYEE])
    db.session.commit()
    assert _poll(client).status_code in (401, 403)


def test_a_role_row_removed_behind_the_token_still_refuses(client, login, tom):
    """Even were the token not replaced, the role is read fresh on every poll."""
    login(tom)
    from app.models import UserRole
    db.session.query(UserRole).filter_by(user_id=tom.id).delete()
    db.session.commit()
    assert _poll(client).status_code == 403


def test_signed_out_elsewhere_or_a_new_password_ends_the_poll(client, login, tom):
    login(tom)
    end_sessions(tom)
    db.session.commit()
    assert _refused(_poll(client))
    login(tom)
    assert _poll(client).status_code == 204
    set_password(tom, "an entirely new passphrase 9")
    db.session.commit()
    assert _refused(_poll(client))


def test_deactivated_gets_no_204_even_with_the_old_token(client, login, tom):
    login(tom)
    db.session.execute(update(User).where(User.id == tom.id).values(active=False))
    db.session.commit()
    assert _poll(client).status_code != 204


@pytest.mark.parametrize("aged", [SEEN_AT, SIGNED_IN_AT])
def test_an_expired_session_gets_no_204(app, client, login, tom, aged):
    login(tom)
    timeout = max(app.config["SESSION_IDLE_TIMEOUT_SECONDS"], app.config["SESSION_ABSOLUTE_TIMEOUT_SECONDS"])
    with client.session_transaction() as session:
        session[aged] = int(time.time()) - timeout - 1
    assert _refused(_poll(client))


@pytest.mark.parametrize("value", ["", "12", "x:abc", "²:abc", "99999:abc", None])
def test_a_session_naming_no_one_gets_no_204(client, login, tom, value):
    login(tom)
    with client.session_transaction() as session:
        if value is None:
            session["_user_id"] = f"{tom.id}:{'A' * 43}"  # right id, wrong token
        else:
            session["_user_id"] = value
    assert _refused(_poll(client))


def test_a_tampered_cookie_gets_no_204(app, client, login, tom):
    login(tom)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value[:-2] + "xx")
    assert _refused(_poll(client))


def test_the_short_cut_neither_extends_the_session_nor_sets_a_cookie(client, login, tom):
    login(tom)
    with client.session_transaction() as session:
        session[SEEN_AT] -= 600
        before = session[SEEN_AT]
    response = _poll(client)
    assert response.status_code == 204
    assert not any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
    with client.session_transaction() as session:
        assert session[SEEN_AT] == before
