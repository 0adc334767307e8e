"""Login throttling: too many recent failures for one username or from one address → wait.

Kept in the database (login_attempts), so every app process sees the same counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import LoginAttempt

from .clock import Clock


@dataclass(frozen=True)
class ThrottleRules:
    """At most `max_failures` failed logins per username and per address within `window`."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


class LoginThrottle:
    """Counts failures and says whether another try is allowed now."""

    def __init__(self, session: Session, clock: Clock, rules: ThrottleRules | None = None) -> None:
        self.session = session
        self.clock = clock
        self.rules = rules or ThrottleRules()

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until a try is allowed again for this username or address (0: allowed now)."""
        since = self.clock.now() - self.rules.window
        waits = [
            self._wait(LoginAttempt.username == username[:64], since),
            self._wait(LoginAttempt.address == address[:64], since),
        ]
        return max(waits)

    def _wait(self, who: object, since: object) -> int:
        failures = select(LoginAttempt.at).where(who, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False))
        recent = list(self.session.scalars(failures.order_by(LoginAttempt.at.desc()).limit(self.rules.max_failures)))
        if len(recent) < self.rules.max_failures:
            return 0
        opens_at = recent[-1] + self.rules.window  # when the oldest of the last N failures leaves the window
        return max(1, int((opens_at - self.clock.now()).total_seconds()))

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
            self.session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 4 * self.rules.window))

    def failures(self, username: str) -> int:
        """Failures for `username` in the current window (for tests and the audit)."""
        since = self.clock.now() - self.rules.window
        query = select(func.count()).where(
            LoginAttempt.username == username[:64], LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
        )
        return int(self.session.scalar(query) or 0)
