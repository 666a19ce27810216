"""Human numbers stay unique when many tickets are filed at the same moment."""
import threading

from app.database import begin_write_transaction
from app.extensions import db
from app.models import Channel, Ticket, TicketType
from app.services import tickets


def test_concurrent_creation_gives_unique_gapless_numbers(app, make_user, make_category, ticket_input):
    requester = make_user("ann")
    category = make_category()
    data = ticket_input(category)
    requester_id = requester.id
    threads_n, per_thread = 6, 5
    barrier = threading.Barrier(threads_n)
    errors = []

    def file_tickets():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(per_thread):
                    begin_write_transaction()
                    user = db.session.get(type(requester), requester_id)
                    tickets.create_ticket(data, requester=user, created_by=user, channel=Channel.PORTAL)
                    db.session.commit()
            except Exception as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=file_tickets) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    db.session.rollback()  # end this session's snapshot to see the threads' commits
    numbers = sorted(db.session.scalars(db.select(Ticket.number)))
    expected = [f"INC{n:06d}" for n in range(1, threads_n * per_thread + 1)]
    assert numbers == expected


def test_types_count_independently(make_user, make_category, ticket_input):
    user = make_user("ann")
    category = make_category()
    made = [tickets.create_ticket(ticket_input(category, ticket_type=t), requester=user,
                                  created_by=user, channel=Channel.PORTAL).number
            for t in (TicketType.CHANGE, TicketType.CHANGE, TicketType.INCIDENT)]
    assert made == ["CHG000001", "CHG000002", "INC000001"]
