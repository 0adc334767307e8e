"""The public answer API's rate limits, shared by every app process through the database (rate_counts):
at most `limit` requests per key in each fixed window of `window` seconds (windows start on multiples of
`window` since the epoch, UTC). Behind gunicorn's N workers a client still gets the limit once.

A hit is one atomic upsert, on its own short transaction (never the request's: the request's work is
committed or rolled back by the view as before, and no lock on a counter is held while it runs):

    INSERT INTO rate_counts (key, window_start, count) VALUES (:key, :start, 1)
    ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counts.count + 1
    WHERE rate_counts.count < :limit RETURNING count

A row back means allowed (counted); none means the window is full (a refusal is not counted). SQLite
(3.35+) and PostgreSQL both run it, through SQLAlchemy's dialect `insert`. The windows an hour or more
old are deleted whenever a key opens a new window (one indexed DELETE, as the login throttle prunes its
rows on the way). A fixed window lets a client through at most twice the limit across one window's edge.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from callcenter.common.clock import Clock
from models import RateCount

MAX_WINDOW = 3600  # seconds: the longest window a caller may ask for; older windows are purged
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def window_start(now: datetime, window: int) -> datetime:
    """The start of the fixed window of `window` seconds that `now` falls in."""
    elapsed = (now - EPOCH).total_seconds()
    return EPOCH + timedelta(seconds=elapsed - elapsed % window)


def count_hit(conn: Connection, key: str, limit: int, window: int, now: datetime) -> int:
    """Count one request for `key` on `conn` (the caller commits): 0 when allowed, else the seconds until
    the window ends (nothing counted then)."""
    if not 0 < window <= MAX_WINDOW:
        raise ValueError(f"a window is 1 … {MAX_WINDOW} seconds")
    start = window_start(now, window)
    wait = max(1, math.ceil((start + timedelta(seconds=window) - now).total_seconds()))
    if limit < 1:
        return wait
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(RateCount).values(key=key[:160], window_start=start, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[RateCount.key, RateCount.window_start],
        set_={"count": RateCount.count + 1},
        where=RateCount.count < limit,
    ).returning(RateCount.count)
    counted = conn.execute(statement).scalar()
    if counted is None:
        return wait
    if counted == 1:  # this key opened a new window: forget the old ones
        conn.execute(delete(RateCount).where(RateCount.window_start < now - timedelta(seconds=MAX_WINDOW)))
    return 0


class RateLimiter:
    """The shared limiter: each hit on its own transaction of `engine`."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def hit(self, key: str, limit: int, *, window: int) -> int:
        """Count a request for `key`: 0 when allowed, else the seconds to wait (nothing counted then).
        A database error is raised: the caller decides whether to fail open."""
        with self.engine.begin() as conn:
            return count_hit(conn, key, limit, window, self.clock.now())
