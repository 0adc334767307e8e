"""A circuit breaker around the telephony engine's REST API.

    closed ──`threshold` failures in a row──▶ open ──cooldown passed──▶ half-open (one probe)
      ▲                                        ▲                              │
      └──────────── the probe succeeds ────────┼──────────────────────────────┤
                                               └── the probe fails: open again, cooldown doubled (capped)

While open no request is sent: callers of the gateway get `TelephonyUnavailable` at once, so the
dispatcher leaves agents available instead of ringing them into a dead API (no ring storm), and a
sweep never waits on a timeout per call. What counts as a failure is the engine not answering
properly (network, timeout, 5xx, 429, a malformed answer); a 4xx refusal or a 404 is an answer.

Each process has its own breaker; whenever one opens or closes it tells a listener (the app writes
`telephony_health`, which /healthz, the wallboard and the softphone read).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from callcenter.common.clock import Clock

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


@dataclass(frozen=True)
class HealthChange:
    """What a breaker reports: `ok`, or `degraded` since a moment with the error that opened it."""

    state: str  # "ok" | "degraded"
    since: datetime
    error: str | None = None


Listener = Callable[[HealthChange], None]


class CircuitBreaker:
    """Thread-safe; time comes from the injected clock (tests move it)."""

    def __init__(
        self,
        clock: Clock,
        *,
        threshold: int = 3,
        cooldown_seconds: float = 5.0,
        max_cooldown_seconds: float = 120.0,
        listener: Listener | None = None,
    ) -> None:
        self.clock = clock
        self.threshold = max(1, threshold)
        self.base_cooldown = timedelta(seconds=cooldown_seconds)
        self.max_cooldown = timedelta(seconds=max(cooldown_seconds, max_cooldown_seconds))
        self.listener = listener
        self.state = CLOSED
        self.failures = 0
        self.cooldown = self.base_cooldown
        self.retry_at: datetime | None = None
        self.degraded_since: datetime | None = None
        self.last_error: str | None = None
        self._probing = False
        self._reported: str | None = None  # what this process last told the listener
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """May a request be sent now? In half-open, only one probe at a time."""
        with self._lock:
            if self.state == CLOSED:
                return True
            if self.state == OPEN and self.retry_at is not None and self.clock.now() >= self.retry_at:
                self.state = HALF_OPEN
            if self.state == HALF_OPEN and not self._probing:
                self._probing = True
                return True
            return False

    def would_allow(self) -> bool:
        """Like `allow` without taking the probe: is it worth preparing a request (claiming agents)?"""
        with self._lock:
            if self.state == CLOSED:
                return True
            if self.state == HALF_OPEN:
                return not self._probing
            return self.retry_at is not None and self.clock.now() >= self.retry_at

    def success(self) -> None:
        """The engine answered (any answer that is not a failure)."""
        with self._lock:
            self.failures, self._probing = 0, False
            changed = self.state != CLOSED or self._reported != "ok"
            self.state, self.cooldown, self.retry_at = CLOSED, self.base_cooldown, None
            self.degraded_since, self.last_error = None, None
            change = HealthChange("ok", self.clock.now()) if changed else None
            if change:
                self._reported = "ok"
        self._tell(change)

    def failure(self, error: str) -> None:
        """The engine did not answer properly."""
        now = self.clock.now()
        with self._lock:
            self.failures += 1
            self.last_error = error[:200]
            self._probing = False
            change = None
            if self.state == HALF_OPEN:
                self.cooldown = min(self.cooldown * 2, self.max_cooldown)
                self.state, self.retry_at = OPEN, now + self.cooldown
            elif self.state == CLOSED and self.failures >= self.threshold:
                self.state, self.retry_at = OPEN, now + self.cooldown
                self.degraded_since = now
            if self.state == OPEN and self._reported != "degraded":
                self._reported = "degraded"
                change = HealthChange("degraded", self.degraded_since or now, self.last_error)
        self._tell(change)

    def _tell(self, change: HealthChange | None) -> None:
        if change is not None and self.listener is not None:
            self.listener(change)
