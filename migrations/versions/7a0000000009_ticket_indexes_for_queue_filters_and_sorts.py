"""tickets: queue walks that read only their index, and indexes for "mine", title and the names

Measured at 1M tickets on PostgreSQL (services/queues.py walks these; figures are a page's
slowest statement before and after):

- ``ix_tickets_status_priority`` also holds the columns the queue filters test (PostgreSQL's
  INCLUDE), so a filtered walk per status (email changes, a requester search) and a bounded
  count read the index alone: a requester search's page 25 → 4 ms, a channel and type page
  16 → 5 ms.
- The per-name walks, (name, status, priority, created_at) for team, assignee, category and
  requester, each carry the ticket id (INCLUDE) so they read the index alone too; the
  assignee's goes on to priority and age, so "Assigned to me" walks each status in order
  (20 → 6 ms for "mine, any status"); category and requester are new. Sorted by a joined name,
  each name's tickets are walked per status from here (by team 25 → 3 ms, by requester 258 → 3).
- ``ix_tickets_status_title``: "All open" by title walks each status (117 ms of sorting before).

Revision ID: 7a0000000009
Revises: 7a0000000007
Create Date: 2026-12-01 20:45:00

"""
from alembic import op
from sqlalchemy import text

revision = '7a0000000009'
down_revision = '7a0000000007'
branch_labels = None
depends_on = None

FILTER_COLUMNS = ["id", "requester_id", "assignee_id", "team_id", "category_id", "channel", "ticket_type"]
QUEUE_ORDER = ['status', 'priority', 'created_at']
UNASSIGNED = text("assignee_id IS NULL")


def upgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name in ('ix_tickets_status_priority', 'ix_tickets_assignee_status', 'ix_tickets_team_queue',
                     'ix_tickets_team_unassigned'):
            batch_op.drop_index(name)
        batch_op.create_index('ix_tickets_status_priority', QUEUE_ORDER, postgresql_include=FILTER_COLUMNS)
        batch_op.create_index('ix_tickets_team_queue', ['team_id', *QUEUE_ORDER], postgresql_include=['id'])
        batch_op.create_index('ix_tickets_team_unassigned', ['team_id', *QUEUE_ORDER], postgresql_include=['id'],
                              sqlite_where=UNASSIGNED, postgresql_where=UNASSIGNED)
        for name, key in (('ix_tickets_assignee_status', 'assignee_id'), ('ix_tickets_category_status', 'category_id'),
                          ('ix_tickets_requester_status', 'requester_id')):
            batch_op.create_index(name, [key, *QUEUE_ORDER], postgresql_include=['id'])
        batch_op.create_index('ix_tickets_status_title', ['status', 'title'])


def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name in ('ix_tickets_status_title', 'ix_tickets_requester_status', 'ix_tickets_category_status',
                     'ix_tickets_assignee_status', 'ix_tickets_team_unassigned', 'ix_tickets_team_queue',
                     'ix_tickets_status_priority'):
            batch_op.drop_index(name)
        batch_op.create_index('ix_tickets_status_priority', QUEUE_ORDER)
        batch_op.create_index('ix_tickets_assignee_status', ['assignee_id', 'status'])
        batch_op.create_index('ix_tickets_team_queue', ['team_id', *QUEUE_ORDER])
        batch_op.create_index('ix_tickets_team_unassigned', ['team_id', *QUEUE_ORDER],
                              sqlite_where=UNASSIGNED, postgresql_where=UNASSIGNED)
