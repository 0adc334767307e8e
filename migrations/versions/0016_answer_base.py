"""the answer base (issue 16)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 17:50:00

- answer_entries, answer_uses, answer_search_misses: see models/answers.py;
- the full-text index over the folded words (search_text) and the business codes (codes_text), one per
  database behind callcenter/answers/search.py:
  - SQLite: an external-content FTS5 table `answer_fts` (tokenizer unicode61) kept in sync by triggers;
  - PostgreSQL: a GIN expression index on to_tsvector('simple', search_text || ' ' || codes_text) (no
    extension: search_text is already folded to lower case without diacritics by answers/fold.py).
  Neither is a model: autogenerate leaves them out (migrations/env.py, include_name).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

FTS_INDEX = 'ix_answer_entries_fts'
PG_DOCUMENT = "to_tsvector('simple'::regconfig, search_text || ' ' || codes_text)"
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE answer_fts USING fts5(search_text, codes_text, content='answer_entries', "
    "content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER answer_fts_insert AFTER INSERT ON answer_entries BEGIN "
    "INSERT INTO answer_fts(rowid, search_text, codes_text) VALUES (new.id, new.search_text, new.codes_text); END",
    "CREATE TRIGGER answer_fts_delete AFTER DELETE ON answer_entries BEGIN "
    "INSERT INTO answer_fts(answer_fts, rowid, search_text, codes_text) "
    "VALUES ('delete', old.id, old.search_text, old.codes_text); END",
    "CREATE TRIGGER answer_fts_update AFTER UPDATE OF search_text, codes_text ON answer_entries BEGIN "
    "INSERT INTO answer_fts(answer_fts, rowid, search_text, codes_text) "
    "VALUES ('delete', old.id, old.search_text, old.codes_text); "
    "INSERT INTO answer_fts(rowid, search_text, codes_text) VALUES (new.id, new.search_text, new.codes_text); END",
    "INSERT INTO answer_fts(answer_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    op.create_table(
        'answer_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('business_codes', sa.JSON(), nullable=False),
        sa.Column('codes_text', sa.String(length=200), nullable=False),
        sa.Column('problem_group', sa.String(length=32), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('author', sa.String(length=64), nullable=True),
        sa.Column('reviewer', sa.String(length=64), nullable=True),
        sa.Column('source_ticket_id', sa.Integer(), nullable=True),
        sa.Column('uses', sa.Integer(), server_default='0', nullable=False),
        sa.Column('helped', sa.Integer(), server_default='0', nullable=False),
        sa.Column('not_helped', sa.Integer(), server_default='0', nullable=False),
        sa.Column('search_text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['source_ticket_id'], ['tickets.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_answer_entries_status_group', 'answer_entries', ['status', 'problem_group'], unique=False)
    op.create_table(
        'answer_uses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['entry_id'], ['answer_entries.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('entry_id', 'ticket_id', name='uq_answer_uses_entry_ticket'),
    )
    op.create_index(op.f('ix_answer_uses_entry_id'), 'answer_uses', ['entry_id'], unique=False)
    op.create_index(op.f('ix_answer_uses_ticket_id'), 'answer_uses', ['ticket_id'], unique=False)
    op.create_table(
        'answer_search_misses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('query', sa.String(length=200), nullable=False),
        sa.Column('business_code', sa.String(length=8), nullable=False),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('first_at', sa.DateTime(), nullable=False),
        sa.Column('last_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('query', 'business_code', 'source', name='uq_answer_search_misses_query'),
    )
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.create_index(FTS_INDEX, 'answer_entries', [sa.text(PG_DOCUMENT)], postgresql_using='gin')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for trigger in ('answer_fts_insert', 'answer_fts_delete', 'answer_fts_update'):
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        op.execute('DROP TABLE IF EXISTS answer_fts')
    else:
        op.drop_index(FTS_INDEX, table_name='answer_entries')
    op.drop_table('answer_search_misses')
    op.drop_index(op.f('ix_answer_uses_ticket_id'), table_name='answer_uses')
    op.drop_index(op.f('ix_answer_uses_entry_id'), table_name='answer_uses')
    op.drop_table('answer_uses')
    op.drop_index('ix_answer_entries_status_group', table_name='answer_entries')
    op.drop_table('answer_entries')
