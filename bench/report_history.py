"""A year of national-scale history for the report benchmark: calls with their event timelines,
written straight into a migrated database (COPY on PostgreSQL, executemany on SQLite).

The mix is the hotline's, scaled up: arrivals follow a day/night profile, ~10 % of calls are
branch 1, and outcomes are ~70 % answered, ~17 % abandoned in the queue, ~6 % hung up in the menu,
~4 % callback requests, ~1 % voicemails, the rest failed or refused by a full queue. Each call has
three to four events (IVR_ENTER, ENTERQUEUE, CONNECT/ABANDON/…, HANGUP), as the webhooks write them.
Seeded: the same arguments give the same rows.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from callcenter.forecast.profile import HOUR_SHARE  # the day's shape the forecast assumes too
from models import Call

OUTCOMES = [
    ("answered", 0.70),
    ("queue_abandoned", 0.17),
    ("ivr_abandoned", 0.06),
    ("callback_requested", 0.04),
    ("voicemail", 0.01),
    ("failed", 0.01),
    ("queue_full", 0.01),
]
GROUPS = ["accounts", "vnaccs", "single_window", "other"]
CALL_COLUMNS = (
    "id call_sid caller_kind caller_hash dialled_known language branch problem_group stage outcome final_status "
    "menu_attempts started_at queue_name queue_entered_at queue_exited_at queue_wait_seconds answered_at ended_at "
    "duration_seconds offers wrapup_seconds"
).split()
EVENT_COLUMNS = ["id", "call_id", "at", "kind", "queue", "data"]
CALLBACK_COLUMNS = "id call_id number_hash branch language place_at requested_at status attempts max_attempts".split()
CALLBACK_COLUMNS += ["next_attempt_at", "number_e164"]


@dataclass(frozen=True)
class History:
    """What to generate: `calls` spread over the `days` from `first_day` (Vietnam midnight)."""

    calls: int
    days: int = 365
    first_day: datetime = datetime(2025, 11, 23, tzinfo=UTC) - timedelta(hours=7)
    seed: int = 2026


def _stamp(moment: datetime) -> str:
    """SQLAlchemy's own storage format for a naive UTC timestamp (so SQLite compares strings right)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


Rows = list[tuple[Any, ...]]


def days(history: History) -> Iterator[tuple[Rows, Rows, Rows]]:
    """Per day: (call rows, event rows, callback rows), in time order."""
    rng = random.Random(history.seed)
    per_day = history.calls / history.days
    names, weights = zip(*OUTCOMES, strict=True)
    call_id = event_id = callback_id = 0
    made = 0
    for day in range(history.days):
        remaining = history.calls - made
        today = remaining if day == history.days - 1 else min(remaining, round(per_day * rng.uniform(0.85, 1.15)))
        made += today
        calls, events, callbacks = [], [], []
        day_start = history.first_day + timedelta(days=day)
        hours = rng.choices(range(24), weights=HOUR_SHARE, k=today)
        offsets = sorted(h * 3600 + rng.random() * 3600 for h in hours)
        outcomes = rng.choices(names, weights=weights, k=today)
        for offset, outcome in zip(offsets, outcomes, strict=True):
            call_id += 1
            started = day_start + timedelta(seconds=offset)
            branch = 1 if rng.random() < 0.1 else 2
            group = rng.choice(GROUPS) if branch == 2 else None
            menu = rng.uniform(8, 40)
            entered = None if outcome in ("ivr_abandoned", "failed") else started + timedelta(seconds=menu)
            wait = None
            answered = ended = None
            wrapup = None
            if outcome == "answered":
                wait = int(rng.expovariate(1 / 45))
                answered = entered + timedelta(seconds=wait)
                ended = answered + timedelta(seconds=rng.uniform(120, 900))
                wrapup = int(rng.uniform(20, 180))
            elif outcome in ("queue_abandoned", "callback_requested", "voicemail"):
                wait = int(rng.expovariate(1 / 70))
                ended = entered + timedelta(seconds=wait)
            else:
                ended = (entered or started) + timedelta(seconds=menu)
            exited = entered + timedelta(seconds=wait) if entered and wait is not None else entered
            queue = f"hotline-branch-{branch}"
            call = (
                call_id,
                f"CA{history.seed:08x}{call_id:024x}",
                "number",
                f"{rng.getrandbits(64):016x}",
                True,
                "vi",
                branch,
                group,
                "ended",
                outcome,
                "failed" if outcome == "failed" else "completed",
                1,
                _stamp(started),
                queue if entered else None,
                _stamp(entered) if entered else None,
                _stamp(exited) if exited else None,
                wait,
                _stamp(answered) if answered else None,
                _stamp(ended),
                int((ended - started).total_seconds()),
                1 if answered else 0,
                wrapup,
            )
            timeline = [(started, "IVR_ENTER", None, {})]
            if entered:
                timeline.append((entered, "ENTERQUEUE", queue, {"position": 1}))
            final = {
                "answered": "CONNECT",
                "queue_abandoned": "ABANDON",
                "callback_requested": "CALLBACK_REQUESTED",
                "voicemail": "VOICEMAIL",
            }.get(outcome)
            if final and exited:
                timeline.append((exited, final, queue, {"wait": wait}))
            timeline.append((ended, "HANGUP", None, {"status": "completed"}))
            for at, kind, event_queue, data in timeline:
                event_id += 1
                events.append((event_id, call_id, _stamp(at), kind, event_queue, json.dumps(data)))
            calls.append(call)
            if outcome == "callback_requested":
                callback_id += 1
                status = "completed" if rng.random() < 0.75 else "failed"
                callback = (callback_id, call_id, None, branch, "vi", _stamp(entered), _stamp(exited), status, 1, 3)
                callbacks.append(callback + (_stamp(exited), "gAAAAA-bench-not-a-real-token"))
        yield calls, events, callbacks


def load(url: str, history: History) -> int:
    """Write the history into the (migrated, empty) database at `url`, a day at a time; returns the calls."""
    if make_url(url).get_backend_name() == "postgresql":
        return _load_postgres(url, history)
    return _load_sqlite(url, history)


def _insert(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _load_sqlite(url: str, history: History) -> int:
    engine = create_engine(url)
    raw = engine.raw_connection()
    count = 0
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        for calls, events, callbacks in days(history):
            cur.executemany(_insert("calls", CALL_COLUMNS), calls)
            cur.executemany(_insert("call_events", EVENT_COLUMNS), events)
            cur.executemany(_insert("callbacks", CALLBACK_COLUMNS), callbacks)
            count += len(calls)
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
        return count
    finally:
        raw.close()
        engine.dispose()


def _load_postgres(url: str, history: History) -> int:
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    count = 0
    with psycopg.connect(dsn) as conn:
        with conn.cursor() as cur:
            for calls, events, callbacks in days(history):
                for table, columns, table_rows in (
                    ("calls", CALL_COLUMNS, calls),
                    ("call_events", EVENT_COLUMNS, events),
                    ("callbacks", CALLBACK_COLUMNS, callbacks),
                ):
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in table_rows:
                            copy.write_row(row)
                count += len(calls)
            for table in ("calls", "call_events", "callbacks"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        for table in ("calls", "callbacks", "call_events"):
            conn.execute(f"VACUUM ANALYZE {table}")
    return count


def calls_in(url: str) -> int:
    """How many calls the database holds (0 when it is not migrated yet)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {Call.__tablename__}")).scalar() or 0)
    except Exception:  # noqa: BLE001 (no table yet: nothing generated)
        return 0
    finally:
        engine.dispose()
