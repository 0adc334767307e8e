"""The Alembic migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from models import Base
from models.migrate import downgrade, upgrade

from .conftest import BACKENDS


def include_name(name: str | None, kind: str, _parent: object) -> bool:
    if kind == "table":
        return name != "apscheduler_jobs" and not (name or "").startswith("answer_fts")
    return not (kind == "index" and name == "ix_answer_entries_fts")


# SQLite's reflection cannot read expression indexes (the reports' ix_calls_counted_at): it is checked
# by name in the next test instead.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping")
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_migrated_schema_matches_the_models(database_url) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        # apscheduler_jobs belongs to APScheduler's job store, not to our models; the answer base's
        # full-text index (answer_fts on SQLite, ix_answer_entries_fts on PostgreSQL) is the migration's own.
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_reports_read_by_an_expression_index(database_url) -> None:
    """A month's report reads the month's rows through ix_calls_counted_at (EXPLAIN shows it)."""
    from sqlalchemy import text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_calls_counted_at'")).scalar()
            plan = " ".join(
                str(row[-1])
                for row in conn.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT count(*) FROM calls WHERE coalesce(queue_entered_at, started_at)"
                        " >= '2026-11-01' AND coalesce(queue_entered_at, started_at) < '2026-12-01'"
                    )
                )
            )
        else:
            sql = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_calls_counted_at'")).scalar()
            conn.execute(text("SET enable_seqscan = off"))
            plan = " ".join(
                row[0]
                for row in conn.execute(
                    text(
                        "EXPLAIN SELECT count(*) FROM calls WHERE coalesce(queue_entered_at, started_at)"
                        " >= '2026-11-01' AND coalesce(queue_entered_at, started_at) < '2026-12-01'"
                    )
                )
            )
    engine.dispose()
    assert "coalesce(queue_entered_at, started_at)" in sql.lower()
    assert "ix_calls_counted_at" in plan


def test_downgrade_and_upgrade_again(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    downgrade(url, "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    assert {"calls", "call_events", "tickets"} <= set(inspect(engine).get_table_names())
    engine.dispose()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_upgrading_a_database_that_already_has_calls(database_url) -> None:
    """0002 adds NOT NULL columns to `calls`: existing rows get their defaults."""
    from sqlalchemy import text

    downgrade(database_url, "0001")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO calls (call_sid, caller_kind, dialled_known, language, stage, menu_attempts, started_at) "
                "VALUES ('CA00000000000000000000000000000001', 'number', true, 'vi', 'ended', 0, '2026-11-20 01:00:00')"
            )
        )
    upgrade(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT offers, offered_agent_id FROM calls")).one() == (0, None)
    engine.dispose()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_0011_encrypts_the_tax_codes_on_record_and_indexes_them(database_url) -> None:
    """Tickets wrapped up before 0011 keep their tax code, now a token with its blind index (found by search)."""
    from sqlalchemy import text

    from config import TestConfig
    from models import crypto
    from models.ticket import tax_code_index

    crypto.configure(list(TestConfig.DATA_KEYS))  # what `flask --app app db upgrade` has configured
    downgrade(database_url, "0010")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO calls (id, call_sid, caller_kind, dialled_known, language, stage, menu_attempts, "
                "started_at, offers) VALUES (1, 'CA00000000000000000000000000000011', 'number', true, 'vi', "
                "'ended', 0, '2026-11-20 01:00:00', 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO tickets (call_id, status, tax_code, created_at) "
                "VALUES (1, 'closed', '0100100079-001', '2026-11-20 01:05:00')"
            )
        )
    upgrade(database_url)
    with engine.connect() as conn:
        stored, digest = conn.execute(text("SELECT tax_code, tax_code_hash FROM tickets")).one()
    assert stored.startswith("gAAAAA") and crypto.cipher().decrypt(stored) == "0100100079-001"
    assert digest == tax_code_index("0100100079001")
    downgrade(database_url, "0010")  # and back: the plain tax code again
    with engine.connect() as conn:
        assert conn.execute(text("SELECT tax_code FROM tickets")).scalar_one() == "0100100079-001"
    upgrade(database_url)
    engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_0016_indexes_the_answer_base_and_can_be_undone(database_url) -> None:
    """The answer base's full-text index is there after 0016 (FTS5 kept in sync on SQLite, a GIN index on
    PostgreSQL) and gone after a downgrade to 0015."""
    from sqlalchemy import text

    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO answer_entries (status, title, question, answer, business_codes, codes_text, language,"
                " links, search_text, created_at, updated_at) VALUES ('published', 't', 'q', 'a', '[]', ' IDA ', 'vi',"
                " '[]', 'mat khau vnaccs', '2026-12-01 01:00:00', '2026-12-01 01:00:00')"
            )
        )
        if engine.dialect.name == "sqlite":
            found = """SELECT rowid FROM answer_fts WHERE answer_fts MATCH '"khau" "ida"'"""
        else:
            found = (
                "SELECT id FROM answer_entries WHERE to_tsvector('simple'::regconfig, search_text || ' ' ||"
                " codes_text) @@ to_tsquery('simple', 'khau & ida')"
            )
        assert conn.execute(text(found)).scalars().all() == [1]
        conn.execute(text("UPDATE answer_entries SET search_text = 'chu ky so'"))
        assert conn.execute(text(found)).scalars().all() == []
        conn.execute(text("DELETE FROM answer_entries"))
    downgrade(database_url, "0015")
    assert not {"answer_entries", "answer_fts"} & set(inspect(engine).get_table_names())
    engine.dispose()
    upgrade(database_url)
