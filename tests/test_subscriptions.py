"""The event wiring: one page of subscriptions (app/subscriptions.py) over a catalogue of events
(app/services/events.py), checked when the app is built."""
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.job_catalog import JOBS
from app.models import OutboxMessage
from app.services import events
from app.subscriptions import AFTER_COMMIT, IN_TRANSACTION, init_subscriptions

ROOT = Path(__file__).resolve().parent.parent


def test_every_subscription_names_an_event_of_the_catalogue_and_a_job_that_exists():
    assert set(IN_TRANSACTION) | set(AFTER_COMMIT) <= set(events.EVENTS)
    assert {getattr(job, "job", job) for jobs in AFTER_COMMIT.values() for job in jobs} <= set(JOBS)
    assert all(callable(handler) for handlers in IN_TRANSACTION.values() for handler in handlers)
    assert all(spec.payload and spec.when for spec in events.EVENTS.values())


def test_an_unknown_event_or_job_is_refused_at_start_up_and_the_wiring_stays(app, make_user, make_ticket):
    with pytest.raises(ValueError, match="unknown events \\['ticket.teleported'\\]"):
        events.subscribe({"ticket.teleported": [print]}, {})
    with pytest.raises(ValueError, match="jobs \\['send_pigeon'\\]"):
        events.subscribe({}, {"ticket.queued": ["send_pigeon"]})
    make_ticket(make_user("ann"))  # still wired: its team is told, once
    assert _jobs() == ["notify_team_ticket_queued"]  # filing it tells its requester nothing


def test_publishing_an_event_not_in_the_catalogue_is_refused(app, make_user, make_ticket):
    ticket = make_ticket(make_user("ann"))
    with pytest.raises(ValueError, match="not in the event catalogue"):
        events.publish("ticket.teleported", ticket)


def test_installing_the_wiring_again_doubles_no_listener(app, make_user, make_ticket):
    init_subscriptions(app)
    init_subscriptions(app)
    make_ticket(make_user("ann"))
    assert _jobs() == ["notify_team_ticket_queued"]  # filing it tells its requester nothing


def _jobs() -> list[str]:
    return [m.job for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_the_event_registry_imports_none_of_its_listeners():
    """The loop lifecycle → events → approvals → lifecycle is cut: the registry and the
    services that publish load without the approvals."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, app.services.lifecycle, app.services.events; "
                               "print('app.services.approvals' in sys.modules)"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"
