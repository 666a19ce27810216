"""ticket_status_periods: each status a ticket was in, from when to when; backfilled from the audit trail

Every status change since the first one is in ``ticket_events`` (action ``status_changed``,
the new status in ``new_value``, the time in ``created_at``), so the periods of a ticket
submitted before this migration are its status changes in order, each one ending where the
next begins and the last one still open. The move out of Draft begins the first period: a
draft is private and starts no clock. One INSERT … SELECT with a window function (LEAD), on
SQLite as on PostgreSQL.

Revision ID: 7a0000000011
Revises: 7a0000000010
Create Date: 2026-12-01 23:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '7a0000000011'
down_revision = '7a0000000010'
branch_labels = None
depends_on = None

STATUSES = ('draft', 'new', 'open', 'in_progress', 'on_hold', 'pending', 'under_review', 'resolved',
            'closed', 'cancelled')
OPEN = sa.text("left_at IS NULL")

BACKFILL = """
INSERT INTO ticket_status_periods (ticket_id, status, entered_at, left_at)
SELECT ticket_id, new_value, created_at,
       LEAD(created_at) OVER (PARTITION BY ticket_id ORDER BY created_at, id)
FROM ticket_events
WHERE action = 'status_changed' AND new_value IS NOT NULL AND new_value <> 'draft'
"""


def upgrade():
    op.create_table(
        'ticket_status_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum(*STATUSES, name='period_status', native_enum=False, length=20,
                                    create_constraint=True), nullable=False),
        sa.Column('entered_at', sa.DateTime(), nullable=False),
        sa.Column('left_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_status_periods_ticket_id_tickets'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_status_periods')),
    )
    with op.batch_alter_table('ticket_status_periods', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_status_periods_ticket', ['ticket_id', 'entered_at'])
        batch_op.create_index('uq_ticket_status_periods_open', ['ticket_id'], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)
    op.execute(BACKFILL)


def downgrade():
    op.drop_table('ticket_status_periods')
