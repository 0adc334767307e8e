"""Page logins the server can end (table user_sessions).

The browser's cookie holds a random token; the row's id is its SHA-256, so neither the table nor a log
line logs anybody in. A session is good while it is not ended, its user is active, it has seen a request
within the idle timeout and it is younger than the absolute timeout. Logout ends it; a password change
or a deactivation ends all of that user's sessions; an admin can end any of them (People page).
`last_seen_at` is written at most once a minute, not on every poll.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from models import User, UserSession

TOUCH_EVERY = timedelta(minutes=1)


def digest(token: str) -> str:
    """The stored id of a session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Timeouts:
    """Idle and absolute lifetimes of a page login."""

    idle: timedelta = timedelta(minutes=120)
    absolute: timedelta = timedelta(hours=13)


class SessionStore:
    """Starts, checks and ends page logins. The caller commits (check() commits its own writes)."""

    def __init__(self, session: Session, clock: Clock, timeouts: Timeouts | None = None) -> None:
        self.session = session
        self.clock = clock
        self.timeouts = timeouts or Timeouts()

    def start(self, user: User, address: str, user_agent: str) -> str:
        """A new session for `user`; returns the token for the cookie (never stored)."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        self.session.add(
            UserSession(
                id=digest(token),
                user_id=user.id,
                created_at=now,
                last_seen_at=now,
                address=(address or "unknown")[:64],
                user_agent=(user_agent or "")[:120],
            )
        )
        return token

    def check(self, token: str) -> User | None:
        """The active user of a good session, or None (an expired session is ended on the way)."""
        row = self.session.get(UserSession, digest(token))
        if row is None or row.ended_at is not None:
            return None
        now = self.clock.now()
        if now - row.created_at >= self.timeouts.absolute:
            self._end(row, now, "expired")
            return None
        if now - row.last_seen_at >= self.timeouts.idle:
            self._end(row, now, "idle")
            return None
        user = self.session.get(User, row.user_id)
        if user is None or not user.active:
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
            self.session.commit()
        return user

    def end(self, token: str, reason: str = "logout") -> None:
        """End one session by its cookie token (logout)."""
        row = self.session.get(UserSession, digest(token))
        if row is not None and row.ended_at is None:
            row.ended_at, row.end_reason = self.clock.now(), reason

    def end_by_id(self, session_id: str, reason: str = "ended_by_admin") -> UserSession | None:
        """End one session by its id (an admin); None when there is no such session."""
        row = self.session.get(UserSession, session_id)
        if row is not None and row.ended_at is None:
            row.ended_at, row.end_reason = self.clock.now(), reason
        return row

    def end_all(self, user_id: int, reason: str) -> int:
        """End every open session of a user (password changed, deactivated); how many were open."""
        result = self.session.execute(
            update(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            .values(ended_at=self.clock.now(), end_reason=reason)
            .execution_options(synchronize_session="fetch")
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def active(self) -> list[tuple[UserSession, User]]:
        """Open sessions within both timeouts, most recently seen first."""
        now = self.clock.now()
        query = (
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(
                UserSession.ended_at.is_(None),
                UserSession.created_at > now - self.timeouts.absolute,
                UserSession.last_seen_at > now - self.timeouts.idle,
                User.active.is_(True),
            )
            .order_by(UserSession.last_seen_at.desc())
        )
        return [(row, user) for row, user in self.session.execute(query).tuples()]

    def _end(self, row: UserSession, now: datetime, reason: str) -> None:
        row.ended_at, row.end_reason = now, reason
        self.session.commit()
