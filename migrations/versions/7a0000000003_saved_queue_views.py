"""saved queue views, and tickets by status and last update

Revision ID: 7a0000000003
Revises: 7a0000000002
Create Date: 2026-12-01 14:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7a0000000003'
down_revision = '7a0000000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queue_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('query', sa.String(length=1000), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('employee', 'agent', 'approver', 'admin', name='queue_view_role', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(owner_id IS NOT NULL AND team_id IS NULL AND role IS NULL) OR (owner_id IS NULL AND (team_id IS NULL) <> (role IS NULL))', name=op.f('ck_queue_views_personal_or_published')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_queue_views_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_queue_views_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_views'))
    )
    with op.batch_alter_table('queue_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_views_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_views_team_id'), ['team_id'], unique=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_status_updated', ['status', 'updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_status_updated')
    with op.batch_alter_table('queue_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_views_team_id'))
        batch_op.drop_index(batch_op.f('ix_queue_views_owner_id'))
    op.drop_table('queue_views')
