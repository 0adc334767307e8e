"""Database extension: one engine per app, one session per application context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool


def make_engine(url: str) -> Engine:
    """Create an engine with the settings each backend needs under concurrent webhooks."""
    # hide_parameters: error messages must not carry bound values (caller numbers) into the logs.
    kwargs: dict[str, Any] = {"future": True, "hide_parameters": True}
    if url.startswith("sqlite"):
        # Busy timeout well under Twilio's 15 s webhook limit, so the fallback TwiML still gets out.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 5}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool  # one shared in-memory database
    else:
        # No pre-ping (a round trip on every request: +0.14 ms CPU, +0.23 ms wall measured, see README):
        # a dead pooled connection fails its first statement and is invalidated with the whole pool;
        # the webhook wrapper (ivr/webhook.py) and, for GETs, callcenter/boundary.py run the request
        # once more on a fresh one. Recycling keeps connections younger than server-side timeouts.
        kwargs["pool_recycle"] = 1800
        # Fail fast (Twilio gives a webhook ~15 s in all): 3 s to connect, 5 s per statement.
        kwargs["connect_args"] = {"connect_timeout": 3, "options": "-c statement_timeout=5000"}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Reads through a memory map: with several worker processes writing in turn, each one's page
    # cache is invalidated often; mmap avoids re-reading those pages with syscalls (see bench/).
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


@dataclass
class _State:
    engine: Engine
    session_factory: sessionmaker[Session]


class Database:
    """Flask extension: each app gets its own engine; a session per application context.

    Like Flask-SQLAlchemy, the state lives in `app.extensions`, so several apps (tests, tools) can
    coexist in one process.
    """

    def init_app(self, app: Flask) -> None:
        """Bind to `app`: build the engine from DATABASE_URL and close sessions on teardown."""
        engine = make_engine(app.config["DATABASE_URL"])
        # autoflush off: a request's writes go out in one flush at commit (see CallService.add_event).
        app.extensions["db"] = _State(engine, sessionmaker(bind=engine, expire_on_commit=False, autoflush=False))
        app.teardown_appcontext(self._close)

    @staticmethod
    def _state() -> _State:
        return current_app.extensions["db"]

    @property
    def engine(self) -> Engine:
        """The current app's engine."""
        return self._state().engine

    @property
    def session(self) -> Session:
        """The session of the current application context (created on first use)."""
        if "db_session" not in g:
            g.db_session = self._state().session_factory()
        return g.db_session

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
