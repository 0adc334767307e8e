"""Alembic environment: the schema is `models.Base.metadata`; the URL is DATABASE_URL or the caller's."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from alembic import context
from sqlalchemy import engine_from_config, pool

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import load_config  # noqa: E402
from models import Base  # noqa: E402

config = context.config
url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL") or load_config().DATABASE_URL
config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
target_metadata = Base.metadata
EXTERNAL_TABLES = {"apscheduler_jobs"}  # APScheduler's job store: created by 0004, not a model of ours
# The answer base's full-text index (0016), one per database, not a model: SQLite's FTS5 table (and the
# shadow tables FTS5 makes) and PostgreSQL's GIN expression index.
FULL_TEXT_PREFIX = "answer_fts"
FULL_TEXT_INDEXES = {"ix_answer_entries_fts"}


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Leave tables owned by libraries, and the answer base's full-text index, out of autogenerate."""
    if type_ == "table":
        return name not in EXTERNAL_TABLES and not (name or "").startswith(FULL_TEXT_PREFIX)
    return not (type_ == "index" and name in FULL_TEXT_INDEXES)


def run_migrations_offline() -> None:
    context.configure(
        url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True, include_name=include_name
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, include_name=include_name
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
