"""the pages' language of each user

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 09:00:00

- users.language: vi or en, picked with the switch in the pages' header; NULL until the user picks one
  (the pages then speak DEFAULT_UI_LANGUAGE, Vietnamese unless configured otherwise).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
