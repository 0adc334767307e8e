"""callbacks, voicemail, login attempts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 17:41:31.082255
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_username_at', ['username', 'at'], unique=False)

    op.create_table('callbacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('number_e164', sa.String(length=32), nullable=False),
    sa.Column('branch', sa.Integer(), nullable=False),
    sa.Column('problem_group', sa.String(length=32), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('place_at', sa.DateTime(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('agent_call_sid', sa.String(length=64), nullable=True),
    sa.Column('offered_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_callbacks_agent_id_agents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_callbacks_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callbacks')),
    sa.UniqueConstraint('call_id', name=op.f('uq_callbacks_call_id'))
    )
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index('ix_callbacks_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('uq_callbacks_active_number', ['number_e164'], unique=True, sqlite_where=sa.text("status IN ('pending', 'offered', 'dialing')"), postgresql_where=sa.text("status IN ('pending', 'offered', 'dialing')"))

    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leave_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('callback_number', sa.String(length=32), nullable=True))

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recording_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('recording_sid', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('recording_seconds', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('recording_seconds')
        batch_op.drop_column('recording_sid')
        batch_op.drop_column('recording_url')

    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('callback_number')
        batch_op.drop_column('leave_reason')

    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index('uq_callbacks_active_number', sqlite_where=sa.text("status IN ('pending', 'offered', 'dialing')"), postgresql_where=sa.text("status IN ('pending', 'offered', 'dialing')"))
        batch_op.drop_index('ix_callbacks_status_next_attempt_at')

    op.drop_table('callbacks')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_username_at')
        batch_op.drop_index('ix_login_attempts_address_at')

    op.drop_table('login_attempts')
