"""telephony health, agent legs, callback offer tokens, reconciliation rotation

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:40:00

- telephony_health: ok / degraded since …, shared by every process (the REST circuit breaker writes it).
- agents.leg_sid: the agent's own leg of the conversation, asked about by the stuck-agent sweep.
- callbacks.offer_token: a token per offer carried in the agent leg's signed URLs (a stale leg is refused,
  a late SID write cannot land on a newer offer).
- calls.checked_at: when reconciliation last asked the engine (least recently checked first).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'telephony_health',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('since', sa.DateTime(), nullable=False),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('agents') as batch:
        batch.add_column(sa.Column('leg_sid', sa.String(length=64), nullable=True))
    with op.batch_alter_table('callbacks') as batch:
        batch.add_column(sa.Column('offer_token', sa.String(length=32), nullable=True))
    with op.batch_alter_table('calls') as batch:
        batch.add_column(sa.Column('checked_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    # SQLite rebuilds a table to drop a column, reflecting it and the tables it refers to; the calls'
    # expression index cannot be reflected, so it is dropped first and made again at the end.
    op.drop_index('ix_calls_counted_at', table_name='calls')
    with op.batch_alter_table('calls') as batch:
        batch.drop_column('checked_at')
    with op.batch_alter_table('callbacks') as batch:
        batch.drop_column('offer_token')
    with op.batch_alter_table('agents') as batch:
        batch.drop_column('leg_sid')
    op.drop_table('telephony_health')
    op.create_index('ix_calls_counted_at', 'calls', [sa.text('coalesce(queue_entered_at, started_at)')])
