"""ticket hand-offs (tier, transfer, escalation)

No new column: tickets.tier already exists, but queueing never set it, so every ticket said
tier 1. The code now sets it from the team; this backfills tickets filed before, from the tier
of the team they are with. Downgrade keeps the values (they are correct either way).

Revision ID: 7a0000000004
Revises: 7a0000000003
Create Date: 2026-12-01 14:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7a0000000004'
down_revision = '7a0000000003'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text(
        "UPDATE tickets SET tier = (SELECT teams.tier FROM teams WHERE teams.id = tickets.team_id) "
        "WHERE team_id IS NOT NULL"))


def downgrade():
    pass  # the backfilled tiers stay: they are right for the old code too
