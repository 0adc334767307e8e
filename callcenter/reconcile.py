"""Reconciliation: calls we still think are live are checked against the telephony engine.

A status callback can be lost (our outage, a proxy, a crash mid-request). Without this sweep such a
call would stay "queued" forever and be missing from every report. Run it periodically
(`flask --app app calls reconcile`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import format_datetime

from sqlalchemy import select

from models import Call, CallStage

from .calls import TERMINAL_STATUSES, CallService
from .gateway import GatewayError, TelephonyGateway

log = logging.getLogger(__name__)


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
        """Check up to `limit` stale calls, oldest first."""
        report = ReconcileReport()
        cutoff = self.calls.clock.now() - timedelta(minutes=self.stale_minutes)
        query = (
            select(Call.call_sid)
            .where(Call.stage != CallStage.ENDED, Call.started_at < cutoff)
            .order_by(Call.started_at)
            .limit(limit)
        )
        for call_sid in self.calls.session.scalars(query).all():
            call = self.calls.find(call_sid)
            if call is None:
                continue
            report.checked += 1
            try:
                remote = self.gateway.fetch_call(call.call_sid)
            except GatewayError as exc:
                log.warning("CallSid=%s reconcile: %s", call.call_sid, exc)
                report.errors.append(call.call_sid)
                continue
            if remote is None:
                report.unknown.append(call.call_sid)
                continue
            if remote.status not in TERMINAL_STATUSES:
                report.still_live += 1
                continue
            form = {"CallSid": call.call_sid, "CallStatus": remote.status, "CallbackSource": "reconcile"}
            if remote.duration is not None:
                form["CallDuration"] = str(remote.duration)
            if remote.ended_at is not None:
                form["Timestamp"] = format_datetime(remote.ended_at)
            self.calls.status_update(call, form)
            report.closed.append(call.call_sid)
            log.info("CallSid=%s closed by reconciliation (%s)", call.call_sid, remote.status)
        return report
