"""The Core call store mirrors the ORM schema, and writes only what changed."""

from __future__ import annotations

from datetime import UTC, datetime

from callcenter.tickets.store import COLUMN_NAMES, CallRow
from models import Call


def test_call_row_has_exactly_the_columns_of_the_calls_table() -> None:
    assert set(COLUMN_NAMES) == {column.name for column in Call.__table__.columns}


def test_call_row_tracks_only_real_changes() -> None:
    row = CallRow(call_sid="CA" + "1" * 32, started_at=datetime(2026, 11, 22, tzinfo=UTC))
    row.changes.clear()
    row.branch = 2
    row.language = "vi"  # unchanged value
    row.queue_position_last = None  # unchanged value
    row.stage = "queued"
    assert row.changes == {"branch": 2, "stage": "queued"}
