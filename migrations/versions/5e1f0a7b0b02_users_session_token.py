"""users.session_token: sessions the server can end

Revision ID: 5e1f0a7b0b02
Revises: 5e1f0a7b0b01
Create Date: 2026-12-02 10:00:00

Every session names its user as "<id>:<session_token>"; replacing the token ends them all.
Existing accounts each get their own random token here, row by row (no shared default), so
sessions issued before this revision (which named the bare id) no longer sign anyone in.
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '5e1f0a7b0b02'
down_revision = '5e1f0a7b0b01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(users.update().where(users.c.id == user_id)
                     .values(session_token=secrets.token_urlsafe(32)))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
