"""hourly report rollup

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 19:43:16.776827

Hourly report figures per UTC hour, branch and problem group (models/report_hour.py), and how far
they are complete per service-level setting: a year's report sums these instead of every call.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('short_seconds', sa.Integer(), nullable=False),
    sa.Column('hour', sa.DateTime(), nullable=False),
    sa.Column('branch', sa.Integer(), nullable=True),
    sa.Column('problem_group', sa.String(length=32), nullable=True),
    sa.Column('offered', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('short_abandoned', sa.Integer(), nullable=False),
    sa.Column('ivr_abandoned', sa.Integer(), nullable=False),
    sa.Column('callbacks_requested', sa.Integer(), nullable=False),
    sa.Column('callbacks_completed', sa.Integer(), nullable=False),
    sa.Column('voicemails', sa.Integer(), nullable=False),
    sa.Column('answered_within', sa.Integer(), nullable=False),
    sa.Column('abandoned_within', sa.Integer(), nullable=False),
    sa.Column('answered_wait_total', sa.Integer(), nullable=False),
    sa.Column('longest_wait', sa.Integer(), nullable=False),
    sa.Column('talked', sa.Integer(), nullable=False),
    sa.Column('talk_total', sa.Float(), nullable=False),
    sa.Column('wrapup_total', sa.Integer(), nullable=False),
    sa.Column('wait_0', sa.Integer(), nullable=False),
    sa.Column('wait_1', sa.Integer(), nullable=False),
    sa.Column('wait_2', sa.Integer(), nullable=False),
    sa.Column('wait_3', sa.Integer(), nullable=False),
    sa.Column('wait_4', sa.Integer(), nullable=False),
    sa.Column('wait_5', sa.Integer(), nullable=False),
    sa.Column('wait_6', sa.Integer(), nullable=False),
    sa.Column('wait_7', sa.Integer(), nullable=False),
    sa.Column('wait_over', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_hours'))
    )
    with op.batch_alter_table('report_hours', schema=None) as batch_op:
        batch_op.create_index('ix_report_hours_settings_hour', ['threshold', 'short_seconds', 'hour'], unique=False)

    op.create_table('report_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('short_seconds', sa.Integer(), nullable=False),
    sa.Column('complete_until', sa.DateTime(), nullable=False),
    sa.Column('rolled_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_rollups'))
    )
    with op.batch_alter_table('report_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_report_rollups_settings', ['threshold', 'short_seconds'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('report_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_report_rollups_settings')

    op.drop_table('report_rollups')
    with op.batch_alter_table('report_hours', schema=None) as batch_op:
        batch_op.drop_index('ix_report_hours_settings_hour')

    op.drop_table('report_hours')
