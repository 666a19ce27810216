"""The bell: a live count of unread in-app notifications, and the list behind it."""
import re

from app.extensions import db
from app.models import Notification, OutboxMessage, Role
from app.workers.jobs import notify_team_ticket_queued_job


def _queue_ticket_for(make_team, make_category, make_user, make_ticket):
    team = make_team("Service Desk")
    agent = make_user("tom", roles=[Role.AGENT], teams=[team])
    ticket = make_ticket(make_user("ann"), make_category("Hardware", team=team))
    kwargs = {"ticket_id": ticket.id, "team_id": team.id,
              "outbox_id": db.session.query(OutboxMessage).one().id}
    agent_id = agent.id
    notify_team_ticket_queued_job(**kwargs)  # a job ends its unit of work: reload afterwards
    return db.session.get(type(agent), agent_id)


def test_bell_fragment_counts_unread_and_answers_204_when_unchanged(
        client, login, make_team, make_category, make_user, make_ticket):
    agent = _queue_ticket_for(make_team, make_category, make_user, make_ticket)
    login(agent)
    response = client.get("/notifications/bell", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="bell"')
    assert 'data-testid="bell-count">1<' in html
    since = re.search(r"since=([^\"&]+)", html).group(1)
    unchanged = client.get(f"/notifications/bell?since={since}", headers={"HX-Request": "true"})
    assert unchanged.status_code == 204 and unchanged.data == b""


def test_notification_list_and_mark_read(client, login, make_team, make_category, make_user, make_ticket):
    agent = _queue_ticket_for(make_team, make_category, make_user, make_ticket)
    login(agent)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "INC000001 in Service Desk&#39;s queue" in page
    assert client.post("/notifications/read").status_code == 303
    assert db.session.query(Notification).filter(Notification.read_at.is_(None)).count() == 0
    html = client.get("/notifications/bell").get_data(as_text=True)
    assert "bell-count" not in html


def test_bell_requires_sign_in(client):
    assert client.get("/notifications/bell").status_code == 302
