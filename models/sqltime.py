"""Two portable SQL time expressions for reports, compiled per dialect (PostgreSQL and SQLite).

Timestamps are stored as naive UTC (models/base.py: `UTCDateTime`); on SQLite they are ISO strings
"YYYY-MM-DD HH:MM:SS[.ffffff]", so the hour is their first 13 characters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class hour_start(FunctionElement[Any]):  # noqa: N801 (a SQL function reads like one)
    """The UTC hour a timestamp falls in; read it back with `parse_hour`."""

    type = String()
    inherit_cache = True


@compiles(hour_start)
def _hour_start_pg(element: hour_start, compiler: Any, **kw: Any) -> str:
    return f"date_trunc('hour', {compiler.process(element.clauses, **kw)})"


@compiles(hour_start, "sqlite")
def _hour_start_sqlite(element: hour_start, compiler: Any, **kw: Any) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 13)"


def parse_hour(value: datetime | str) -> datetime:
    """An `hour_start` result as an aware UTC datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(f"{value}:00").replace(tzinfo=UTC)
    return value.replace(tzinfo=UTC)


class seconds_between(FunctionElement[Any]):  # noqa: N801
    """seconds_between(earlier, later): the seconds from one timestamp to another, as a float."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_pg(element: seconds_between, compiler: Any, **kw: Any) -> str:
    earlier, later = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    earlier, later = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"
