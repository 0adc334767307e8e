"""an inbound mail's display name, kept (encrypted) to de-identify answers proposed from e-mail (issue 16)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 21:00:00

- mail_messages.party_name: the display name of the From header ("Nguyễn Thị Hoa" of
  "Nguyễn Thị Hoa <hoa@congty.vn>"), encrypted at rest as `party`. Intake fills it for new mail; an answer
  proposed from an answered e-mail has it replaced wherever it appears (answers/deident.py). Mail taken in
  before this migration has none: its name is not known.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('mail_messages', sa.Column('party_name', sa.String(length=400), nullable=True))


def downgrade() -> None:
    op.drop_column('mail_messages', 'party_name')  # SQLite 3.35+ drops a column in place
