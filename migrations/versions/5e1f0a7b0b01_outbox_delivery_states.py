"""outbox delivery states: due, done, failed

Revision ID: 5e1f0a7b0b01
Revises: 47807f1ebae3
Create Date: 2026-12-01 13:40:00

Rows already handed to RQ before this revision are taken as done: the old relay marked a row
dispatched only after RQ had it, and their jobs were idempotent.
"""
from alembic import op
import sqlalchemy as sa


revision = '5e1f0a7b0b01'
down_revision = '47807f1ebae3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('done_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(), nullable=True))
        batch_op.drop_index('ix_outbox_pending')
    op.execute("UPDATE outbox SET due_at = created_at")
    op.execute("UPDATE outbox SET done_at = dispatched_at WHERE dispatched_at IS NOT NULL")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('due_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index('ix_outbox_due', ['due_at'], unique=False,
                              sqlite_where=sa.text('done_at IS NULL AND failed_at IS NULL'),
                              postgresql_where=sa.text('done_at IS NULL AND failed_at IS NULL'))
        batch_op.create_index('ix_outbox_failed', ['failed_at'], unique=False,
                              sqlite_where=sa.text('failed_at IS NOT NULL'),
                              postgresql_where=sa.text('failed_at IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_failed')
        batch_op.drop_index('ix_outbox_due')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('done_at')
        batch_op.drop_column('due_at')
        batch_op.create_index('ix_outbox_pending', ['dispatched_at', 'id'], unique=False)
