"""wrap-up fields on tickets

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 13:59:05.449994
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('business_code', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('tax_code', sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column('customs_unit', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('question', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('answer', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('wrapped_up_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_tax_code'), ['tax_code'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tickets_agent_id_agents'), 'agents', ['agent_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tickets_agent_id_agents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tickets_tax_code'))
        batch_op.drop_column('wrapped_up_at')
        batch_op.drop_column('answer')
        batch_op.drop_column('question')
        batch_op.drop_column('customs_unit')
        batch_op.drop_column('tax_code')
        batch_op.drop_column('business_code')
        batch_op.drop_column('agent_id')

