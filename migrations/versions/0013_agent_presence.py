"""agent presence and wrap-up extension

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:15:00

- agents.seen_at, agents.device_ready: the softphone page's last presence report and whether its Voice
  SDK device was registered; the dispatcher offers calls only to agents whose page is alive and ready.
- agents.wrap_up_extra_seconds: the extra wrap-up time the agent asked for ("More time", once).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('device_ready', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('wrap_up_extra_seconds', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_column('wrap_up_extra_seconds')
        batch_op.drop_column('device_ready')
        batch_op.drop_column('seen_at')
