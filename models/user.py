"""Users of the pages and the JSON API, with one role each."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class Role(StrEnum):
    """Roles. Only investigators may see who called branch 1 (denunciations)."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    INVESTIGATOR = "investigator"
    ADMIN = "admin"


class User(Base):
    """A person who logs in (HTTP Basic) or a system that calls the API (bearer token)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    language: Mapped[str | None] = mapped_column(String(2))  # the pages' language: vi, en, None = the default


class LoginAttempt(Base):
    """One login try on the pages; recent failures per username and per address throttle new tries."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    succeeded: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )


class UserSession(Base):
    """One login on the pages. The browser's cookie holds a random token; only its SHA-256 is kept here
    (the id), so a copy of the table logs nobody in. Ended by logout, a password change, deactivation, an
    admin, or the idle and absolute timeouts (callcenter/user_sessions.py)."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(24))
    address: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(120))

    __table_args__ = (Index("ix_user_sessions_user_id_ended_at", "user_id", "ended_at"),)
