"""tax code encrypted at rest with a blind index; one active callback per number and branch

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 12:00:00

- tickets.tax_code becomes a Fernet token like the caller's number (it names the business a branch-1
  denunciation is about); tickets.tax_code_hash is its HMAC blind index (the digits, branch suffix
  kept), what a search by tax code compares. Rows already on record are encrypted and indexed here,
  with the app's data key: the cipher `flask --app app db upgrade` configures, or DATA_KEYS from the
  environment. Without a key and with tax codes on record the upgrade stops and says so (a plaintext
  tax code without its index would never be found again).
- uq_callbacks_active_number: one active callback per (number, branch) instead of per number, so a
  branch-2 request is never merged into a branch-1 callback.
"""
from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('pending', 'offered', 'dialing')")
TOKEN_PREFIX = 'gAAAAA'


def _cipher():
    """The app's cipher (configured by create_app), else one from DATA_KEYS; None without a key."""
    from models import crypto

    try:
        return crypto.cipher()
    except RuntimeError:
        keys = [k.strip() for k in os.environ.get('DATA_KEYS', '').split(',') if k.strip()]
        return crypto.DataCipher(keys) if keys else None


def upgrade() -> None:
    # SQLite rebuilds tickets to change a column's type, reflecting the tables it refers to; the calls'
    # expression index cannot be reflected, so it is dropped first and made again at the end (as 0010).
    op.drop_index('ix_calls_counted_at', table_name='calls')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_code_hash', sa.String(length=64), nullable=True))
        batch_op.alter_column('tax_code', existing_type=sa.String(length=14), type_=sa.String(length=255),
                              existing_nullable=True)
        batch_op.drop_index(batch_op.f('ix_tickets_tax_code'))
        batch_op.create_index(batch_op.f('ix_tickets_tax_code_hash'), ['tax_code_hash'], unique=False)

    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, tax_code FROM tickets WHERE tax_code IS NOT NULL')).all()
    if rows:
        cipher = _cipher()
        if cipher is None:
            raise RuntimeError(
                'tickets hold tax codes to encrypt: run this migration with the data key '
                '(flask --app app db upgrade, or DATA_KEYS set in the environment)'
            )
        for ticket_id, value in rows:
            plain = cipher.decrypt(value)
            digits = ''.join(ch for ch in plain if ch.isdigit())
            bind.execute(
                sa.text('UPDATE tickets SET tax_code = :token, tax_code_hash = :hash WHERE id = :id'),
                {
                    'token': value if value.startswith(TOKEN_PREFIX) else cipher.encrypt(plain),
                    'hash': cipher.blind_index(digits) if digits else None,
                    'id': ticket_id,
                },
            )

    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index('uq_callbacks_active_number', sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.create_index('uq_callbacks_active_number', ['number_hash', 'branch'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)
    op.create_index('ix_calls_counted_at', 'calls', [sa.text('coalesce(queue_entered_at, started_at)')])


def downgrade() -> None:
    op.drop_index('ix_calls_counted_at', table_name='calls')
    bind = op.get_bind()
    duplicated = bind.execute(sa.text(
        "SELECT count(*) FROM callbacks WHERE status IN ('pending', 'offered', 'dialing') "
        "GROUP BY number_hash HAVING count(*) > 1"
    )).first()
    if duplicated is not None:
        raise RuntimeError('a number has active callbacks in both branches: settle one before downgrading')
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index('uq_callbacks_active_number', sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.create_index('uq_callbacks_active_number', ['number_hash'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)

    rows = bind.execute(sa.text('SELECT id, tax_code FROM tickets WHERE tax_code IS NOT NULL')).all()
    if rows:
        cipher = _cipher()
        if cipher is None and any(value.startswith(TOKEN_PREFIX) for _id, value in rows):
            raise RuntimeError('tickets hold encrypted tax codes: downgrade with the data key (DATA_KEYS)')
        for ticket_id, value in rows:
            plain = cipher.decrypt(value) if cipher is not None else value
            bind.execute(sa.text('UPDATE tickets SET tax_code = :plain WHERE id = :id'),
                         {'plain': plain[:14], 'id': ticket_id})
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_tax_code_hash'))
        batch_op.create_index(batch_op.f('ix_tickets_tax_code'), ['tax_code'], unique=False)
        batch_op.alter_column('tax_code', existing_type=sa.String(length=255), type_=sa.String(length=14),
                              existing_nullable=True)
        batch_op.drop_column('tax_code_hash')
    op.create_index('ix_calls_counted_at', 'calls', [sa.text('coalesce(queue_entered_at, started_at)')])
