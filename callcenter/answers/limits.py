"""A small rate limiter for the public answer API: at most `limit` requests per key within `window`
seconds (a sliding window), in this process's memory. Each app process counts on its own: behind N
processes a client gets at most N times the limit, which is enough to stop one client flooding the search."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from callcenter.common.clock import Clock

MAX_KEYS = 100_000  # forgotten oldest-first beyond this, so a flood of addresses cannot fill the memory


class RateLimiter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._hits: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, *, window: int) -> int:
        """Count a request for `key`: 0 when allowed, else the seconds to wait (nothing counted then)."""
        now = self.clock.now()
        since = now - timedelta(seconds=window)
        with self._lock:
            times = self._hits.pop(key, None) or deque()
            while times and times[0] <= since:
                times.popleft()
            self._hits[key] = times  # re-inserted: the dict keeps the most recent keys last
            if len(times) >= limit:
                return max(1, int((times[0] - since).total_seconds()) + 1)
            times.append(now)
            while len(self._hits) > MAX_KEYS:
                self._hits.pop(next(iter(self._hits)))
            return 0
