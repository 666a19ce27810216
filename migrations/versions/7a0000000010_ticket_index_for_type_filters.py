"""tickets: a type filter walks its own type's tickets

Measured at 1M tickets on PostgreSQL: "All open, any status, email, change" counted its
bounded 1,001 through the status index, testing every ticket's type and channel on the way
(9.6 ms), and walked its page in 4.1 ms. From (ticket_type, status, priority, created_at),
with the other filter columns carried (INCLUDE), the count takes 1.8 ms and the page 2.8 ms.

Revision ID: 7a0000000010
Revises: 7a0000000009
Create Date: 2026-12-01 22:55:00

"""
from alembic import op

revision = '7a0000000010'
down_revision = '7a0000000009'
branch_labels = None
depends_on = None

CARRIED = ["id", "requester_id", "assignee_id", "team_id", "category_id", "channel"]


def upgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_type_status', ['ticket_type', 'status', 'priority', 'created_at'],
                              postgresql_include=CARRIED)


def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_type_status')
