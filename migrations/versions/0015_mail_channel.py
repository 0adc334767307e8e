"""e-mail as a second channel (issue 15)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 17:10:00

- calls.channel: "call" (every existing row) or "email": a contact is a call or an e-mail conversation;
- mail_work, mail_messages, mail_attachments, mail_cursors, mail_rules: see models/mail.py.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=8), server_default='call', nullable=False))

    op.create_table(
        'mail_work',
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('branch', sa.Integer(), nullable=False),
        sa.Column('problem_group', sa.String(length=32), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('waiting_since', sa.DateTime(), nullable=True),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('first_response_at', sa.DateTime(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('assigned_at', sa.DateTime(), nullable=True),
        sa.Column('draft', sa.Text(), nullable=True),
        sa.Column('draft_saved_at', sa.DateTime(), nullable=True),
        sa.Column('needs_person', sa.Boolean(), nullable=False),
        sa.Column('flags', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('ticket_id'),
    )
    op.create_index('ix_mail_work_state_waiting_since', 'mail_work', ['state', 'waiting_since'], unique=False)

    op.create_table(
        'mail_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('direction', sa.String(length=3), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=True),
        sa.Column('message_id', sa.String(length=998), nullable=False),
        sa.Column('message_key', sa.String(length=64), nullable=False),
        sa.Column('in_reply_to', sa.String(length=998), nullable=True),
        sa.Column('references', sa.Text(), nullable=True),
        sa.Column('party', sa.String(length=400), nullable=True),
        sa.Column('party_hash', sa.String(length=64), nullable=True),
        sa.Column('to_addrs', sa.Text(), nullable=True),
        sa.Column('mailbox_address', sa.String(length=320), nullable=True),
        sa.Column('subject', sa.Text(), nullable=True),
        sa.Column('body_text', sa.Text(), nullable=True),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('raw', sa.LargeBinary(), nullable=True),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('auto_submitted', sa.String(length=32), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by_agent_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=8), nullable=True),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['by_agent_id'], ['agents.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('direction', 'message_key', name='uq_mail_messages_direction_key'),
    )
    op.create_index('ix_mail_messages_outbox', 'mail_messages', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_mail_messages_party_hash'), 'mail_messages', ['party_hash'], unique=False)
    op.create_index(op.f('ix_mail_messages_ticket_id'), 'mail_messages', ['ticket_id'], unique=False)

    op.create_table(
        'mail_attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=400), nullable=False),
        sa.Column('content_type', sa.String(length=127), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=True),
        sa.Column('refused', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['mail_messages.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_mail_attachments_message_id'), 'mail_attachments', ['message_id'], unique=False)

    op.create_table(
        'mail_cursors',
        sa.Column('mailbox', sa.String(length=200), nullable=False),
        sa.Column('uidvalidity', sa.Integer(), nullable=True),
        sa.Column('last_uid', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('mailbox'),
    )
    op.create_table(
        'mail_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('words', sa.String(length=200), nullable=False),
        sa.Column('problem_group', sa.String(length=32), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('mail_rules')
    op.drop_table('mail_cursors')
    op.drop_index(op.f('ix_mail_attachments_message_id'), table_name='mail_attachments')
    op.drop_table('mail_attachments')
    op.drop_index(op.f('ix_mail_messages_ticket_id'), table_name='mail_messages')
    op.drop_index(op.f('ix_mail_messages_party_hash'), table_name='mail_messages')
    op.drop_index('ix_mail_messages_outbox', table_name='mail_messages')
    op.drop_table('mail_messages')
    op.drop_index('ix_mail_work_state_waiting_since', table_name='mail_work')
    op.drop_table('mail_work')
    # SQLite rebuilds the table to drop a column and cannot reflect the calls' expression index: dropped
    # first, made again after (as in 0010).
    op.drop_index('ix_calls_counted_at', table_name='calls')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('channel')
    op.create_index('ix_calls_counted_at', 'calls', [sa.text('coalesce(queue_entered_at, started_at)')])
