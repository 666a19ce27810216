"""The bell: a live count of unread in-app notifications, and the list behind it."""
import json
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


def test_the_list_groups_by_ticket_and_marks_one_read(client, login, make_team, make_category, make_user,
                                                      make_ticket):
    from app.services.comments import add_comment
    from app.workers.jobs import notify_comment_added_job

    team = make_team("Service Desk")
    tom, ann = make_user("tom", roles=[Role.AGENT], teams=[team]), make_user("ann")
    category = make_category("Hardware", team=team)
    first, second = (make_ticket(ann, category, title=title) for title in ("Printer jam", "Screen flickers"))
    for ticket, text in ((first, "Which printer?"), (second, "Since when?"), (first, "Is it the 2nd floor one?")):
        add_comment(ticket, tom, text)
        db.session.commit()
    jobs = [json.loads(m.payload) | {"outbox_id": m.id} for m in db.session.query(OutboxMessage)
            .filter_by(job="notify_comment_added").order_by(OutboxMessage.id)]
    ann_id = ann.id
    for kwargs in jobs:
        notify_comment_added_job(**kwargs)  # a job ends its unit of work: reload afterwards
    ann = db.session.get(type(ann), ann_id)
    login(ann)
    page = client.get("/notifications/").get_data(as_text=True)
    headings = re.findall(r'class="notif-group-title"[^>]*>([^<]+)<', page)
    assert headings == ["INC000001 · Printer jam", "INC000002 · Screen flickers"]  # newest notice first
    assert page.count("Mark read<span") == 3

    newest = db.session.query(Notification).filter_by(user_id=ann.id).order_by(Notification.id.desc()).first()
    assert client.post(f"/notifications/{newest.id}/read").status_code == 303
    assert client.post(f"/notifications/{newest.id}/read").status_code == 303  # again: still fine
    db.session.rollback()
    unread = db.session.query(Notification).filter(Notification.user_id == ann.id, Notification.read_at.is_(None))
    assert unread.count() == 2
    assert client.get("/notifications/").get_data(as_text=True).count("Mark read<span") == 2


def test_marking_another_persons_notice_or_one_that_is_gone_is_not_found(
        client, login, make_team, make_category, make_user, make_ticket):
    agent = _queue_ticket_for(make_team, make_category, make_user, make_ticket)
    theirs = db.session.query(Notification).filter_by(user_id=agent.id).one()
    login(make_user("mallory"))
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404
    assert client.post("/notifications/abc/read").status_code == 404
    db.session.rollback()
    assert db.session.get(Notification, theirs.id).read_at is None
