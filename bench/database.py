"""The benchmark's database: a fresh SQLite file by default, or a PostgreSQL database that the runner
may create for the run and drop afterwards. Migrated with the app's own Alembic migrations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.common import DEFAULT_SQLITE_PATH, default_database_url
from bench.procstat import pids_with_cmdline
from models import Call, CallEvent, CallStage, EventKind
from models.migrate import upgrade

DATABASE_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
LOCAL_HOSTS = {None, "", "127.0.0.1", "localhost"}


def is_postgres(url: str) -> bool:
    """True for a PostgreSQL URL."""
    return make_url(url).get_backend_name() == "postgresql"


@contextmanager
def bench_database(url: str, *, create: bool) -> Iterator[str]:
    """The migrated database to run against. The default SQLite file is recreated; with `create`, the
    PostgreSQL database named in `url` is created here (it must not exist yet) and dropped afterwards."""
    if url == default_database_url():
        _remove_sqlite(DEFAULT_SQLITE_PATH)
    if create:
        _create_postgres(url)
    try:
        upgrade(url)
        yield url
    finally:
        if create:
            _drop_postgres(url)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _admin_engine(url: str) -> Any:
    """An autocommit engine on the server's `postgres` database (CREATE/DROP DATABASE run there)."""
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _checked_name(url: str) -> str:
    parsed = make_url(url)
    if not is_postgres(url):
        raise ValueError("--create-database needs a postgresql:// database URL")
    if parsed.host not in LOCAL_HOSTS:
        raise ValueError(f"--create-database only works on a local server, not {parsed.host}")
    name = parsed.database or ""
    if not DATABASE_NAME_RE.match(name):
        raise ValueError(f"database name {name!r}: use lower-case letters, digits and _")
    return name


def _create_postgres(url: str) -> None:
    name = _checked_name(url)
    engine = _admin_engine(url)
    try:
        with engine.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                raise RuntimeError(f"database {name} already exists; the runner only drops databases it created")
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def _drop_postgres(url: str) -> None:
    name = _checked_name(url)
    engine = _admin_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def backend_pids(url: str) -> list[int]:
    """PostgreSQL server processes serving this database (none for SQLite, which runs in the app)."""
    if not is_postgres(url):
        return []
    return pids_with_cmdline(make_url(url).database or "")


def database_summary(url: str) -> dict[str, int]:
    """What the run left in the database: calls, calls not ended, events, webhook errors recorded."""
    queries = {
        "calls": select(func.count()).select_from(Call),
        "calls_not_ended": select(func.count()).select_from(Call).where(Call.stage != CallStage.ENDED),
        "events": select(func.count()).select_from(CallEvent),
        "webhook_errors": select(func.count()).select_from(CallEvent).where(CallEvent.kind == EventKind.WEBHOOK_ERROR),
    }
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {name: int(conn.scalar(query) or 0) for name, query in queries.items()}
    finally:
        engine.dispose()
