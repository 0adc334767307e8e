"""A leader lease in the database, so scheduled jobs run in exactly one process.

Any number of scheduler processes may run (a second one started by mistake, or one per host); each
job first renews or takes the lease with a compare-and-set, and only the holder does the work. A
holder that dies stops renewing; after `ttl` another process takes over. Works the same on SQLite and
PostgreSQL (a conditional UPDATE, then an INSERT that the primary key makes unique).
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from models import SchedulerLease

LEASES = SchedulerLease.__table__


def default_holder() -> str:
    """This process, as named in the lease."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LeaderLease:
    """Take or renew the lease `name` for `holder`."""

    def __init__(self, clock: Clock, name: str = "scheduler", holder: str | None = None, ttl_seconds: int = 30):
        self.clock = clock
        self.name = name
        self.holder = holder or default_holder()
        self.ttl = timedelta(seconds=ttl_seconds)

    def acquire(self, session: Session) -> bool:
        """True when this holder has the lease now (taken, renewed, or taken over from a lapsed one)."""
        now = self.clock.now()
        renewed = session.execute(
            update(LEASES)
            .where(LEASES.c.name == self.name, or_(LEASES.c.holder == self.holder, LEASES.c.expires_at <= now))
            .values(holder=self.holder, expires_at=now + self.ttl)
        ).rowcount
        if renewed == 1:
            session.commit()
            return True
        try:
            session.execute(insert(LEASES).values(name=self.name, holder=self.holder, expires_at=now + self.ttl))
            session.commit()
            return True
        except IntegrityError:  # someone else holds it (and it has not lapsed)
            session.rollback()
            return False

    def release(self, session: Session) -> None:
        """Give the lease up (on a clean shutdown), so another process need not wait for it to lapse."""
        session.execute(
            update(LEASES)
            .where(LEASES.c.name == self.name, LEASES.c.holder == self.holder)
            .values(expires_at=self.clock.now())
        )
        session.commit()
