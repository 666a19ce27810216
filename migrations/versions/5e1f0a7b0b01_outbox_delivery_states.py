"""outbox delivery states: due, done, failed

Revision ID: 5e1f0a7b0b01
Revises: 47807f1ebae3
Create Date: 2026-12-01 13:40:00

The old relay marked a row dispatched as soon as RQ had it, not when it ran, so a row handed
over in the last week (RQ's failure_ttl then) may still sit in a queue or in RQ's registries:
those stay owed and are delivered again (their effects have dedupe keys, so nothing happens
twice). Older ones are taken as done.

On SQLite the table is rebuilt with AUTOINCREMENT: jobs dedupe their effects on the outbox id,
so an id must never come back after old rows are pruned.
"""
from datetime import UTC, datetime, timedelta

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
    week_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=7)
    op.execute("UPDATE outbox SET due_at = created_at")
    op.execute(sa.text("UPDATE outbox SET done_at = dispatched_at WHERE dispatched_at < :cutoff")
               .bindparams(cutoff=week_ago))
    op.execute(sa.text("UPDATE outbox SET dispatched_at = NULL, attempts = 0 WHERE done_at IS NULL"))
    with op.batch_alter_table('outbox', schema=None, recreate='always',
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
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
