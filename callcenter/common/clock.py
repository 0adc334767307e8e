"""Clocks: the real one, and a settable one for tests and simulations; and the desk's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol

LOCAL_TZ = timezone(timedelta(hours=7), "ICT")  # Vietnam: UTC+7 all year (rota, reports, pages)


class Clock(Protocol):
    """Anything that tells the current UTC time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 22, 2, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        """Move forward by `seconds` and return the new time."""
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when` (must be timezone-aware)."""
        self._now = when
