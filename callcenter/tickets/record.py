"""The call's record: its timeline and its end, shared by every step of the call service (calls.py).

Events are written once per `dedupe_key` (see calls.py for the rules); `_finish` ends a call with its
outcome and closes the ticket once, keeping it open when someone has to call back or listen.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from callcenter.common.numbers import hotline_e164s
from callcenter.telephony.gateway import ENDED
from callcenter.tickets.store import CallRow, CallStore
from models import CallOutcome, CallStage, EventKind, TicketOutcome, TicketStatus

log = logging.getLogger(__name__)

TERMINAL_STATUSES = ENDED
TICKET_OUTCOME = {
    CallOutcome.IVR_ABANDONED: TicketOutcome.ABANDONED_IVR,
    CallOutcome.QUEUE_ABANDONED: TicketOutcome.ABANDONED_QUEUE,
    CallOutcome.QUEUE_FULL: TicketOutcome.QUEUE_FULL,
    CallOutcome.FAILED: TicketOutcome.CALL_FAILED,
    CallOutcome.CALLBACK_REQUESTED: TicketOutcome.CALLBACK_PENDING,
    CallOutcome.VOICEMAIL: TicketOutcome.VOICEMAIL,
}
# Outcomes whose ticket stays open: someone has to call back or listen.
FOLLOW_UP_OUTCOMES = {CallOutcome.CALLBACK_REQUESTED, CallOutcome.VOICEMAIL}
LEAVE_OUTCOMES = {"callback": CallOutcome.CALLBACK_REQUESTED, "voicemail": CallOutcome.VOICEMAIL}


@dataclass(frozen=True)
class HotlineSettings:
    """What the call service needs from configuration."""

    hotline_numbers: list[str]
    region: str = "VN"
    default_language: str = "vi"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HotlineSettings:
        """Read the settings from a Flask config."""
        return cls(list(config["HOTLINE_NUMBERS"]), config["DEFAULT_REGION"], config["DEFAULT_LANGUAGE"])


class CallRecord:
    """A call's timeline and its end, over the call store (the steps are in CallService)."""

    def __init__(self, session: Session, clock: Clock, settings: HotlineSettings) -> None:
        self.session = session
        self.clock = clock
        self.settings = settings
        self.store = CallStore(session)

    def commit(self) -> None:
        """Write the queued changes and commit the transaction."""
        self.store.save()
        self.session.commit()

    def rollback(self) -> None:
        """Drop the queued changes and roll the transaction back."""
        self.store.discard()
        self.session.rollback()

    def find(self, call_sid: str) -> CallRow | None:
        """The call with this CallSid, or None."""
        return self.store.find(call_sid)

    # -- timeline ------------------------------------------------------------------------
    def add_event(
        self,
        call: CallRow,
        kind: EventKind,
        *,
        dedupe_key: str | None = None,
        guarded: bool = False,
        queue: str | None = None,
        at: datetime | None = None,
        **data: Any,
    ) -> bool:
        """Queue an event; False (nothing queued) when `dedupe_key` is already on record.

        `guarded=True`: the caller's state check already rules out a repeat, so the keys on record
        are not looked up; the unique constraint still stops a concurrent duplicate.
        """
        if dedupe_key is not None and not guarded and self.store.has_key(call, dedupe_key):
            return False
        self.store.event(
            call,
            {
                "at": at or self.clock.now(),
                "kind": str(kind),
                "queue": queue,
                "agent": None,
                "data": data,
                "dedupe_key": dedupe_key,
            },
        )
        return True

    # -- IVR facts -----------------------------------------------------------------------
    def _abandon_in_intro(self, call: CallRow, at: datetime, status: str, duration: int | None) -> None:
        """Hung up in the menus, or in the queue intro before Twilio joined them to the queue (no wait
        turn): an IVR abandon in every report. The queue entry we noted is taken back, since reports
        count a call as offered by it (the ENTERQUEUE event stays on the timeline)."""
        in_intro = call.stage == CallStage.QUEUED
        if in_intro:
            call.queue_entered_at = None
        self.add_event(
            call,
            EventKind.IVR_ABANDON,
            dedupe_key="ivr-abandon",
            guarded=True,
            at=at,
            seconds=self._seconds_since(call.started_at, at),
            during="queue_intro" if in_intro else "menu",
        )
        self._finish(call, at, CallOutcome.IVR_ABANDONED, final_status=status, duration=duration)

    def _left_queue(self, call: CallRow, at: datetime, wait: int) -> None:
        """The caller left the queue by choice: a callback (place kept) or a voicemail."""
        outcome = LEAVE_OUTCOMES.get(call.leave_reason or "")
        if outcome is None:  # a <Leave> we did not ask for: they were not served
            self._abandon_in_queue(call, at, wait, duration=call.duration_seconds)
            return
        call.queue_exited_at = at
        call.queue_wait_seconds = wait
        ended = call.ended_at if call.stage == CallStage.ENDING else None
        self._finish(
            call,
            ended or at,
            outcome,
            final_status=call.final_status,
            duration=call.duration_seconds if ended else None,
        )

    def _abandon_in_queue(self, call: CallRow, at: datetime, wait: int, duration: int | None = None) -> None:
        if call.answered_at is not None:  # handed back to the queue after an answer: still an answered call
            self.add_event(call, EventKind.ABANDON, dedupe_key="abandon", guarded=True, at=at, after_transfer=True)
            self._finish(call, at, CallOutcome.ANSWERED, final_status="completed", duration=duration)
            return
        call.queue_exited_at = at
        call.queue_wait_seconds = wait
        self.add_event(
            call,
            EventKind.ABANDON,
            dedupe_key="abandon",
            guarded=True,
            at=at,
            queue=call.queue_name,
            position=call.queue_position_last,
            original_position=call.queue_position_first,
            wait=wait,
        )
        self._finish(call, at, CallOutcome.QUEUE_ABANDONED, final_status="completed", duration=duration)

    def _finish(
        self,
        call: CallRow,
        at: datetime,
        outcome: CallOutcome,
        *,
        final_status: str | None,
        duration: int | None = None,
    ) -> None:
        call.stage = CallStage.ENDED
        call.outcome = outcome
        call.final_status = final_status
        call.ended_at = at
        call.duration_seconds = duration if duration is not None else self._seconds_since(call.started_at, at)
        if outcome in TICKET_OUTCOME:
            # An abandoned queue call from a known number stays open: someone may call them back.
            keep_open = outcome in FOLLOW_UP_OUTCOMES or (
                outcome == CallOutcome.QUEUE_ABANDONED and call.caller_e164 is not None
            )
            self.store.close_ticket_once(
                call, TICKET_OUTCOME[outcome], None if keep_open else TicketStatus.CLOSED, None if keep_open else at
            )
        self.add_event(call, EventKind.HANGUP, dedupe_key="hangup", guarded=True, at=at, outcome=str(outcome))
        log.info("CallSid=%s ended: %s", call.call_sid, outcome)

    # -- helpers -------------------------------------------------------------------------
    def _is_hotline(self, dialled_e164: str | None) -> bool:
        return dialled_e164 is not None and dialled_e164 in hotline_e164s(
            tuple(self.settings.hotline_numbers), self.settings.region
        )

    def _event_time(self, raw: str | None, not_before: datetime) -> datetime:
        """Twilio's RFC 2822 Timestamp when it is sane (between the call's start and now), else now."""
        now = self.clock.now()
        if raw:
            try:
                when = parsedate_to_datetime(raw)
            except (TypeError, ValueError, IndexError, OverflowError):
                return now
            if when.tzinfo is not None and not_before <= when <= now:
                return when
        return now

    @staticmethod
    def _after(start: datetime | None, seconds: int | None) -> datetime | None:
        if start is None or seconds is None:
            return None
        return start + timedelta(seconds=seconds)

    @staticmethod
    def _seconds_since(start: datetime | None, end: datetime) -> int:
        if start is None:
            return 0
        return max(0, round((end - start).total_seconds()))
