"""dated "did this help?" answers and shared rate-limit counters (issue 16)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 20:00:00

- answer_feedback: one row per "did this help?" answer, dated (models/answers.py): the period's figures
  and the deflection lever count them; the entries' helped / not_helped counters stay (the rank uses them).
  The counters of existing entries are not turned into rows: their dates are unknown.
- rate_counts: the public answer API's rate-limit counters per key and fixed window, shared by every
  process (callcenter/answers/limits.py).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'answer_feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('helped', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['answer_entries.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_answer_feedback_at'), 'answer_feedback', ['at'], unique=False)
    op.create_index(op.f('ix_answer_feedback_entry_id'), 'answer_feedback', ['entry_id'], unique=False)
    op.create_table(
        'rate_counts',
        sa.Column('key', sa.String(length=160), nullable=False),
        sa.Column('window_start', sa.DateTime(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'window_start'),
    )
    op.create_index('ix_rate_counts_window_start', 'rate_counts', ['window_start'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_rate_counts_window_start', table_name='rate_counts')
    op.drop_table('rate_counts')
    op.drop_index(op.f('ix_answer_feedback_entry_id'), table_name='answer_feedback')
    op.drop_index(op.f('ix_answer_feedback_at'), table_name='answer_feedback')
    op.drop_table('answer_feedback')
