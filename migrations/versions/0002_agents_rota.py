"""agents, agent events, rota, dispatch fields

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 13:32:59.976942
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('identity', sa.String(length=121), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('state_since', sa.DateTime(), nullable=False),
    sa.Column('state_reason', sa.String(length=64), nullable=True),
    sa.Column('idle_since', sa.DateTime(), nullable=True),
    sa.Column('current_call_sid', sa.String(length=64), nullable=True),
    sa.Column('overtime_until', sa.DateTime(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agents')),
    sa.UniqueConstraint('identity', name=op.f('uq_agents_identity')),
    sa.UniqueConstraint('username', name=op.f('uq_agents_username'))
    )
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.create_index('ix_agents_state_idle_since', ['state', 'idle_since'], unique=False)

    op.create_table('holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holidays')),
    sa.UniqueConstraint('day', name=op.f('uq_holidays_day'))
    )
    op.create_table('absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_absences_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absences'))
    )
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index('ix_absences_agent_id_starts_at', ['agent_id', 'starts_at'], unique=False)

    op.create_table('agent_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('call_sid', sa.String(length=64), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_agent_events_agent_id_agents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_events'))
    )
    with op.batch_alter_table('agent_events', schema=None) as batch_op:
        batch_op.create_index('ix_agent_events_agent_id_at', ['agent_id', 'at'], unique=False)
        batch_op.create_index('ix_agent_events_kind_at', ['kind', 'at'], unique=False)

    op.create_table('shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('swapped_from_agent_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_shifts_agent_id_agents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['swapped_from_agent_id'], ['agents.id'], name=op.f('fk_shifts_swapped_from_agent_id_agents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts'))
    )
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.create_index('ix_shifts_agent_id_starts_at', ['agent_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_shifts_starts_at_ends_at', ['starts_at', 'ends_at'], unique=False)

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offered_agent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('offered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('offers', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('agent_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_calls_stage_queue_entered_at', ['stage', 'queue_entered_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_calls_agent_id_agents'), 'agents', ['agent_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_calls_offered_agent_id_agents'), 'agents', ['offered_agent_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_calls_offered_agent_id_agents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_calls_agent_id_agents'), type_='foreignkey')
        batch_op.drop_index('ix_calls_stage_queue_entered_at')
        batch_op.drop_column('agent_id')
        batch_op.drop_column('offers')
        batch_op.drop_column('offered_at')
        batch_op.drop_column('offered_agent_id')

    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_index('ix_shifts_starts_at_ends_at')
        batch_op.drop_index('ix_shifts_agent_id_starts_at')

    op.drop_table('shifts')
    with op.batch_alter_table('agent_events', schema=None) as batch_op:
        batch_op.drop_index('ix_agent_events_kind_at')
        batch_op.drop_index('ix_agent_events_agent_id_at')

    op.drop_table('agent_events')
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.drop_index('ix_absences_agent_id_starts_at')

    op.drop_table('absences')
    op.drop_table('holidays')
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_index('ix_agents_state_idle_since')

    op.drop_table('agents')
