"""tickets by status and creation time, for queues sorted by age

Queues and saved views sorted by "created" (newest or oldest first) are read one status at a
time and merged (services/queues.py); without this index each status's walk read and sorted
every ticket in that status (80 ms at 1M tickets for "all open, newest first").

Revision ID: 7a0000000006
Revises: 7a0000000005
Create Date: 2026-12-01 16:40:00

"""
from alembic import op


revision = '7a0000000006'
down_revision = '7a0000000005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_status_created', ['status', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_status_created')
