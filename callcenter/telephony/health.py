"""The telephony engine's health on record (`telephony_health`), shared by the web workers and the
scheduler: a breaker that opens or closes writes it; /healthz, the wallboard and the softphone read it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from callcenter.telephony.breaker import HealthChange
from models import TelephonyHealth

log = logging.getLogger(__name__)
HEALTH = TelephonyHealth.__table__
ENGINE_NAME = "twilio"


@dataclass(frozen=True)
class TelephonyStatus:
    """What pages and /healthz show."""

    state: str  # "ok" | "degraded"
    since: datetime | None = None
    error: str | None = None

    @property
    def degraded(self) -> bool:
        return self.state == "degraded"

    def as_json(self) -> dict[str, Any]:
        """{"state": "ok"} or {"state": "degraded", "since": ISO 8601, "error": …}."""
        if not self.degraded:
            return {"state": "ok"}
        return {"state": "degraded", "since": self.since.isoformat() if self.since else None, "error": self.error}


class HealthRecorder:
    """The breaker's listener: writes each change in its own short transaction (never the caller's)."""

    def __init__(self, engine: Engine, clock: Clock, name: str = ENGINE_NAME) -> None:
        self.engine = engine
        self.clock = clock
        self.name = name

    def __call__(self, change: HealthChange) -> None:
        try:
            recovered = self._write(change)
        except SQLAlchemyError:  # the database being down must not break a telephony request
            log.warning("could not record telephony health %s", change.state, exc_info=True)
            return
        if change.state == "degraded":
            log.error("telephony degraded since %s: %s", change.since.isoformat(), change.error)
        elif recovered:
            log.warning("telephony ok again")

    def _write(self, change: HealthChange) -> bool:
        """Record the change; True when it ended a degraded period on record."""
        now = self.clock.now()
        row = HEALTH.c.name == self.name
        with self.engine.begin() as conn:
            if change.state == "ok":
                recovered = conn.execute(
                    update(HEALTH)
                    .where(row, HEALTH.c.state != "ok")
                    .values(state="ok", since=change.since, last_error=None, updated_at=now)
                ).rowcount
                if not recovered and conn.execute(select(HEALTH.c.name).where(row)).first() is None:
                    self._insert(conn, change, now)
                return bool(recovered)
            values = {"state": "degraded", "since": change.since, "last_error": change.error, "updated_at": now}
            if conn.execute(update(HEALTH).where(row).values(**values)).rowcount == 0:
                self._insert(conn, change, now)
            return False

    def _insert(self, conn: Any, change: HealthChange, now: datetime) -> None:
        try:
            with conn.begin_nested():
                conn.execute(
                    HEALTH.insert().values(
                        name=self.name, state=change.state, since=change.since, last_error=change.error, updated_at=now
                    )
                )
        except IntegrityError:  # another process wrote the first row meanwhile: theirs is as good
            pass


def telephony_status(session: Session, name: str = ENGINE_NAME) -> TelephonyStatus:
    """The state on record (ok when nothing was ever recorded)."""
    row = session.execute(
        select(HEALTH.c.state, HEALTH.c.since, HEALTH.c.last_error).where(HEALTH.c.name == name)
    ).first()
    if row is None or row.state != "degraded":
        return TelephonyStatus("ok")
    return TelephonyStatus("degraded", row.since, row.last_error)
