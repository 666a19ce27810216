"""ticket reads: when each technician last opened each ticket (the queue's "New reply" marker)

Revision ID: 7a0000000005
Revises: 7a0000000004
Create Date: 2026-12-01 16:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7a0000000005'
down_revision = '7a0000000004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ticket_reads',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_reads_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ticket_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'ticket_id', name=op.f('pk_ticket_reads'))
    )


def downgrade():
    op.drop_table('ticket_reads')
