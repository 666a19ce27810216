"""saved queue views

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
    pass


def downgrade():
    pass
