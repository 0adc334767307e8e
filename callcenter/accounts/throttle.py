"""Login throttling that a stranger cannot turn against somebody else.

Three counts of failed logins (the login page and HTTP Basic on the API alike), each within `window`:

- per username *and* client address (counted over `pair_window`, a day, and cleared by a good login there):
  the first `free_failures` are free, then each further try waits `base_wait` · 2^k after the last failure
  (30 s, 1 min, 2 min, … at most `max_wait`). A stranger guessing the supervisor's password slows down only
  themselves: the supervisor, from their own address, logs in.
- per address, across usernames (`per_address`): one client spraying passwords over many usernames.
- per username, across addresses (`per_username`, much higher): guessing spread over many addresses;
  one stranger never gets there (their own pair and address limits stop them first).

The client's address is `request.remote_addr` after ProxyFix: behind a proxy PROXY_FIX_HOPS must be set
(README, Configuration), or every client shares the proxy's address. Kept in the database
(login_attempts), so every app process sees the same counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from models import LoginAttempt


@dataclass(frozen=True)
class ThrottleRules:
    """The limits (see the module's docstring)."""

    free_failures: int = 5
    base_wait: int = 30  # seconds, after the free failures of one username from one address
    max_wait: int = 900
    per_address: int = 20
    per_username: int = 50
    window: timedelta = timedelta(minutes=15)
    pair_window: timedelta = timedelta(hours=24)


class LoginThrottle:
    """Counts failures and says whether another try is allowed now."""

    def __init__(self, session: Session, clock: Clock, rules: ThrottleRules | None = None) -> None:
        self.session = session
        self.clock = clock
        self.rules = rules or ThrottleRules()

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until a try is allowed again for this username from this address (0: allowed now)."""
        username, address = username[:64], address[:64]
        since = self.clock.now() - self.rules.window
        return max(
            self._backoff(username, address, self.clock.now() - self.rules.pair_window),
            self._ceiling(LoginAttempt.address == address, self.rules.per_address, since),
            self._ceiling(LoginAttempt.username == username, self.rules.per_username, since),
        )

    def _failed(self, *where: object) -> tuple[object, ...]:
        return (*where, LoginAttempt.succeeded.is_(False))

    def _backoff(self, username: str, address: str, since: datetime) -> int:
        query = select(func.count(), func.max(LoginAttempt.at)).where(
            *self._failed(LoginAttempt.username == username, LoginAttempt.address == address, LoginAttempt.at >= since)
        )
        count, last = self.session.execute(query).one()
        extra = int(count or 0) - self.rules.free_failures
        if extra < 0 or last is None:
            return 0
        wait = min(self.rules.max_wait, self.rules.base_wait * 2 ** min(extra, 20))
        return self._until(last + timedelta(seconds=wait))

    def _ceiling(self, who: object, limit: int, since: datetime) -> int:
        failures = select(LoginAttempt.at).where(*self._failed(who, LoginAttempt.at >= since))
        recent = list(self.session.scalars(failures.order_by(LoginAttempt.at.desc()).limit(limit)))
        if len(recent) < limit:
            return 0
        return self._until(recent[-1] + self.rules.window)  # when the oldest of the last `limit` leaves

    def _until(self, opens_at: datetime) -> int:
        seconds = (opens_at - self.clock.now()).total_seconds()
        return max(1, int(seconds + 0.999)) if seconds > 0 else 0

    def record(self, username: str, address: str, succeeded: bool) -> None:
        """Note a try; old rows (beyond the window) are pruned now and then."""
        now = self.clock.now()
        self.session.add(LoginAttempt(username=username[:64], address=address[:64], at=now, succeeded=succeeded))
        if succeeded:  # a good login clears that user's failures from this address
            self.session.execute(
                delete(LoginAttempt).where(
                    LoginAttempt.username == username[:64],
                    LoginAttempt.address == address[:64],
                    LoginAttempt.succeeded.is_(False),
                )
            )
        if now.minute == 0:  # cheap pruning, at most a few times an hour
            keep = max(self.rules.pair_window, 4 * self.rules.window)
            self.session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - keep))

    def failures(self, username: str) -> int:
        """Failures for `username` in the current window (for tests and the audit)."""
        since = self.clock.now() - self.rules.window
        query = select(func.count()).where(
            LoginAttempt.username == username[:64], LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
        )
        return int(self.session.scalar(query) or 0)
