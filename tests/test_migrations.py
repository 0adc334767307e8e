"""The Alembic migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from models import Base
from models.migrate import downgrade, upgrade

from .conftest import BACKENDS


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_migrated_schema_matches_the_models(database_url) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        # apscheduler_jobs belongs to APScheduler's job store, not to our models.
        context = MigrationContext.configure(
            conn,
            opts={"include_name": lambda name, kind, _parent: not (kind == "table" and name == "apscheduler_jobs")},
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


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
