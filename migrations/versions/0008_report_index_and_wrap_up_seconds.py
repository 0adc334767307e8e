"""report index and wrap-up seconds

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 19:29:23.893920

Reports read the calls of a period by when they count (queue entry, else start): an expression index
on coalesce(queue_entered_at, started_at) lets a month's report read a month's rows. The after-call
work of each answered call is kept on the call, so the service report's AHT needs no join.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wrapup_seconds', sa.Integer(), nullable=True))
    op.create_index('ix_calls_counted_at', 'calls', [sa.text('coalesce(queue_entered_at, started_at)')])


def downgrade() -> None:
    op.drop_index('ix_calls_counted_at', table_name='calls')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('wrapup_seconds')
