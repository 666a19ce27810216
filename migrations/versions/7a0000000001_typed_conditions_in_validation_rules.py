"""typed conditions in validation rules

Revision ID: 7a0000000001
Revises: 5e1f0a7b0b02
Create Date: 2026-12-01 14:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7a0000000001'
down_revision = '5e1f0a7b0b02'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
