"""Reconciliation: calls we still think are live are checked against the telephony engine.

A status callback can be lost (our outage, a proxy, a crash mid-request). Without this sweep such a
call would stay "queued" forever and be missing from every report. Run it periodically
(`flask --app app calls reconcile`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime

from sqlalchemy import select

from models import Call, CallStage

from .calls import TERMINAL_STATUSES, CallService
from .gateway import GatewayError, TelephonyGateway

log = logging.getLogger(__name__)
SETTLE_AFTER = timedelta(minutes=2)  # how long an ENDING call waits for its <Enqueue> result


@dataclass
class ReconcileReport:
    """What one sweep did."""

    checked: int = 0
    closed: list[str] = field(default_factory=list)
    still_live: int = 0
    unknown: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Reconciler:
    """Finds calls not ended after `stale_minutes` and applies what the engine says about them."""

    def __init__(self, calls: CallService, gateway: TelephonyGateway, stale_minutes: int = 5) -> None:
        self.calls = calls
        self.gateway = gateway
        self.stale_minutes = stale_minutes

    def run(self, limit: int = 500) -> ReconcileReport:
        """Check up to `limit` stale calls, oldest first; each is committed (or rolled back) on its own."""
        report = ReconcileReport()
        now = self.calls.clock.now()
        cutoff = now - timedelta(minutes=self.stale_minutes)
        query = (
            select(Call.call_sid, Call.stage)
            .where(Call.stage != CallStage.ENDED, Call.started_at < cutoff)
            .order_by(Call.started_at)
            .limit(limit)
        )
        for call_sid, stage in self.calls.session.execute(query).all():
            report.checked += 1
            try:
                if stage == CallStage.ENDING:
                    self._settle(call_sid, now, report)
                else:
                    self._ask_engine(call_sid, report)
                self.calls.commit()
            except GatewayError as exc:
                self.calls.rollback()
                log.warning("CallSid=%s reconcile: %s", call_sid, exc)
                report.errors.append(call_sid)
            except Exception:  # noqa: BLE001 - one bad call must not stop the sweep
                self.calls.rollback()
                log.exception("CallSid=%s reconcile failed", call_sid)
                report.errors.append(call_sid)
        return report

    def _settle(self, call_sid: str, now: datetime, report: ReconcileReport) -> None:
        """A call whose line ended in the queue with no <Enqueue> result after a grace period."""
        call = self.calls.find(call_sid)
        if call is None or call.ended_at is None or now - call.ended_at < SETTLE_AFTER:
            report.still_live += 1
            return
        if self.calls.settle_ending(call):
            report.closed.append(call_sid)

    def _ask_engine(self, call_sid: str, report: ReconcileReport) -> None:
        """Ask the telephony engine about a call we still think is live, and apply what it says."""
        call = self.calls.find(call_sid)
        if call is None:
            return
        remote = self.gateway.fetch_call(call_sid)
        if remote is None:
            report.unknown.append(call_sid)
            return
        if remote.status not in TERMINAL_STATUSES:
            report.still_live += 1
            return
        form = {"CallSid": call_sid, "CallStatus": remote.status, "CallbackSource": "reconcile"}
        if remote.duration is not None:
            form["CallDuration"] = str(remote.duration)
        if remote.ended_at is not None:
            form["Timestamp"] = format_datetime(remote.ended_at)
        self.calls.status_update(call, form)
        # The <Enqueue> result was lost along with the status callback: settle a queued caller now.
        if call.stage == CallStage.ENDING and call.ended_at is not None:
            self.calls.settle_ending(call)
        report.closed.append(call_sid)
        log.info("CallSid=%s closed by reconciliation (%s)", call_sid, remote.status)
