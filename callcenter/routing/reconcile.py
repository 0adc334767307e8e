"""Reconciliation: calls we still think are live are checked against the telephony engine.

A status callback can be lost (our outage, a proxy, a crash mid-request). Without this sweep such a
call would stay "queued" forever and be missing from every report. Run it periodically
(`flask --app app calls reconcile`; the scheduler runs it every minute).

Bounded: one run checks at most `limit` calls and stops after `budget_seconds`, or at once when the
telephony engine is degraded (the breaker is open: every request would fail). It takes the calls never
checked first, then the least recently checked (`calls.checked_at`), so a call the engine cannot
answer for never starves the others, and each run moves on. The report says how many stale calls
remain.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime

from sqlalchemy import func, select, update

from callcenter.telephony.gateway import GatewayError, TelephonyGateway, TelephonyUnavailable
from callcenter.tickets.calls import CallService
from callcenter.tickets.record import TERMINAL_STATUSES
from models import Call, CallStage

log = logging.getLogger(__name__)
SETTLE_AFTER = timedelta(minutes=2)  # how long an ENDING call waits for its <Enqueue> result
CALLS = Call.__table__


@dataclass
class ReconcileReport:
    """What one sweep did."""

    checked: int = 0
    closed: list[str] = field(default_factory=list)
    still_live: int = 0
    unknown: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stale: int = 0  # stale calls found when the run started
    stopped: str | None = None  # why the run ended before checking every stale call

    @property
    def remaining(self) -> int:
        """Stale calls this run did not get to (the next runs will)."""
        return max(0, self.stale - self.checked)

    def summary(self) -> str:
        """One line for the log and the CLI."""
        line = (
            f"checked {self.checked} of {self.stale} stale calls: closed {len(self.closed)}, still live "
            f"{self.still_live}, unknown to the engine {len(self.unknown)}, errors {len(self.errors)}"
        )
        if self.remaining:
            line += f"; {self.remaining} remain for the next run ({self.stopped})"
        return line


class Reconciler:
    """Finds calls not ended after `stale_minutes` and applies what the engine says about them."""

    def __init__(
        self,
        calls: CallService,
        gateway: TelephonyGateway,
        stale_minutes: int = 5,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.calls = calls
        self.gateway = gateway
        self.stale_minutes = stale_minutes
        self.monotonic = monotonic

    def run(self, limit: int = 200, budget_seconds: float = 20.0) -> ReconcileReport:
        """Check up to `limit` stale calls within `budget_seconds`; each is committed (or rolled back) on its own."""
        report = ReconcileReport()
        now = self.calls.clock.now()
        cutoff = now - timedelta(minutes=self.stale_minutes)
        stale = (CALLS.c.stage != CallStage.ENDED) & (CALLS.c.started_at < cutoff)
        report.stale = int(self.calls.session.scalar(select(func.count()).select_from(CALLS).where(stale)) or 0)
        query = (
            select(CALLS.c.call_sid, CALLS.c.stage)
            .where(stale)
            .order_by(CALLS.c.checked_at.is_not(None), CALLS.c.checked_at, CALLS.c.started_at)
            .limit(limit)
        )
        deadline = self.monotonic() + budget_seconds
        for call_sid, stage in self.calls.session.execute(query).all():
            if self.monotonic() > deadline:
                report.stopped = f"time budget of {budget_seconds:g} s used"
                break
            report.checked += 1
            try:
                if stage == CallStage.ENDING:
                    self._settle(call_sid, now, report)
                else:
                    self._record(call_sid, self.check(call_sid), report)
                self.calls.commit()
            except TelephonyUnavailable as exc:
                self.calls.rollback()
                report.checked -= 1
                report.stopped = str(exc)
                break
            except GatewayError as exc:
                self.calls.rollback()
                self._mark_checked(call_sid)
                log.warning("CallSid=%s reconcile: %s", call_sid, exc)
                report.errors.append(call_sid)
            except Exception:  # noqa: BLE001 - one bad call must not stop the sweep
                self.calls.rollback()
                self._mark_checked(call_sid)
                log.exception("CallSid=%s reconcile failed", call_sid)
                report.errors.append(call_sid)
        if report.stopped is None and report.remaining:
            report.stopped = f"at most {limit} a run"
        if report.stale:
            log.info("reconcile: %s", report.summary())
        return report

    def _mark_checked(self, call_sid: str) -> None:
        """A call the engine could not answer for goes to the back of the line."""
        try:
            self.calls.session.execute(
                update(CALLS).where(CALLS.c.call_sid == call_sid).values(checked_at=self.calls.clock.now())
            )
            self.calls.session.commit()
        except Exception:  # noqa: BLE001 - the database may be what failed
            self.calls.session.rollback()

    @staticmethod
    def _record(call_sid: str, result: str, report: ReconcileReport) -> None:
        if result == "closed":
            report.closed.append(call_sid)
        elif result == "unknown":
            report.unknown.append(call_sid)
        else:
            report.still_live += 1

    def _settle(self, call_sid: str, now: datetime, report: ReconcileReport) -> None:
        """A call whose line ended in the queue with no <Enqueue> result after a grace period."""
        call = self.calls.find(call_sid)
        if call is None or call.ended_at is None or now - call.ended_at < SETTLE_AFTER:
            report.still_live += 1
            return
        if self.calls.settle_ending(call):
            report.closed.append(call_sid)

    def check(self, call_sid: str) -> str:
        """Ask the telephony engine about one call we think is live and apply what it says (the caller
        commits): "closed", "live" or "unknown" (the engine never had it). Raises GatewayError."""
        call = self.calls.find(call_sid)
        if call is None:
            return "unknown"
        remote = self.gateway.fetch_call(call_sid)
        call.checked_at = self.calls.clock.now()
        if remote is None:
            return "unknown"
        if remote.status not in TERMINAL_STATUSES:
            return "live"
        form = {"CallSid": call_sid, "CallStatus": remote.status, "CallbackSource": "reconcile"}
        if remote.duration is not None:
            form["CallDuration"] = str(remote.duration)
        if remote.ended_at is not None:
            form["Timestamp"] = format_datetime(remote.ended_at)
        self.calls.status_update(call, form)
        # The <Enqueue> result was lost along with the status callback: settle a queued caller now.
        if call.stage == CallStage.ENDING and call.ended_at is not None:
            self.calls.settle_ending(call)
        log.info("CallSid=%s closed by reconciliation (%s)", call_sid, remote.status)
        return "closed"
