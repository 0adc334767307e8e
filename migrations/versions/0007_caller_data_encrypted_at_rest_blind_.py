"""caller data encrypted at rest, blind indexes, audit log

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 18:36:07.894896

Caller numbers and the agents' free text become Fernet tokens (models/crypto.py): the columns widen;
rows written before stay readable as they are (the cipher passes through values that are not tokens).
The audit log refuses UPDATE and DELETE with a trigger, on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('pending', 'offered', 'dialing')")
PG_GUARD = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""
SQLITE_GUARD = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
)


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_log_call_sid', ['call_sid'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_GUARD)
    else:
        for statement in SQLITE_GUARD:
            op.execute(statement)

    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_hash', sa.String(length=64), nullable=True))
        batch_op.alter_column('number_e164', existing_type=sa.String(length=32), type_=sa.String(length=255),
                              existing_nullable=False)
        batch_op.drop_index('uq_callbacks_active_number', sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.create_index('uq_callbacks_active_number', ['number_hash'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('caller_hash', sa.String(length=64), nullable=True))
        batch_op.alter_column('from_raw', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=True)
        batch_op.alter_column('caller_e164', existing_type=sa.String(length=32), type_=sa.String(length=255),
                              existing_nullable=True)
        batch_op.alter_column('callback_number', existing_type=sa.String(length=32), type_=sa.String(length=255),
                              existing_nullable=True)
        batch_op.drop_index(batch_op.f('ix_calls_caller_e164'))
        batch_op.create_index(batch_op.f('ix_calls_caller_hash'), ['caller_hash'], unique=False)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.alter_column('customs_unit', existing_type=sa.String(length=120), type_=sa.String(length=400),
                              existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.alter_column('customs_unit', existing_type=sa.String(length=400), type_=sa.String(length=120),
                              existing_nullable=True)

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_caller_hash'))
        batch_op.create_index(batch_op.f('ix_calls_caller_e164'), ['caller_e164'], unique=False)
        batch_op.alter_column('callback_number', existing_type=sa.String(length=255), type_=sa.String(length=32),
                              existing_nullable=True)
        batch_op.alter_column('caller_e164', existing_type=sa.String(length=255), type_=sa.String(length=32),
                              existing_nullable=True)
        batch_op.alter_column('from_raw', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=True)
        batch_op.drop_column('caller_hash')

    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index('uq_callbacks_active_number', sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.create_index('uq_callbacks_active_number', ['number_e164'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.alter_column('number_e164', existing_type=sa.String(length=255), type_=sa.String(length=32),
                              existing_nullable=False)
        batch_op.drop_column('number_hash')

    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_table('audit_log')
