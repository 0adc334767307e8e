"""The call service: creates the one call and ticket per CallSid and writes its timeline.

Every change goes through here. Rules that make webhooks safe to repeat and reorder:
- a call is found or created by CallSid (unique), so a retried first webhook adds nothing;
- an event with a `dedupe_key` is written at most once per call;
- once a call is ENDED, nothing changes it except recording that a late event arrived.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Call, CallEvent, CallOutcome, CallStage, EventKind, Ticket, TicketOutcome, TicketStatus

from .clock import Clock
from .numbers import is_hotline_number, parse_number

log = logging.getLogger(__name__)

TERMINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
TICKET_OUTCOME = {
    CallOutcome.IVR_ABANDONED: TicketOutcome.ABANDONED_IVR,
    CallOutcome.QUEUE_ABANDONED: TicketOutcome.ABANDONED_QUEUE,
    CallOutcome.QUEUE_FULL: TicketOutcome.QUEUE_FULL,
    CallOutcome.FAILED: TicketOutcome.CALL_FAILED,
}


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


class CallService:
    """Owns the call aggregate: creation, routing facts, queue facts, the end of the call."""

    def __init__(self, session: Session, clock: Clock, settings: HotlineSettings) -> None:
        self.session = session
        self.clock = clock
        self.settings = settings

    # -- lookup and creation -------------------------------------------------------------
    def find(self, call_sid: str) -> Call | None:
        """The call with this CallSid, or None."""
        return self.session.scalars(select(Call).where(Call.call_sid == call_sid)).first()

    def ensure_call(self, form: Mapping[str, str]) -> Call:
        """The call for form['CallSid'], created with its ticket and IVR_ENTER event if new."""
        call_sid = form["CallSid"]
        call = self.find(call_sid)
        if call is not None:
            return call
        now = self.clock.now()
        caller = parse_number(form.get("From") or form.get("Caller"), self.settings.region)
        dialled_raw = form.get("To") or form.get("Called")
        dialled = parse_number(dialled_raw, self.settings.region)
        call = Call(
            call_sid=call_sid,
            account_sid=(form.get("AccountSid") or None),
            from_raw=(form.get("From") or "")[:64] or None,
            caller_e164=caller.e164,
            caller_kind=caller.kind,
            to_raw=(dialled_raw or "")[:64] or None,
            dialled_e164=dialled.e164,
            dialled_known=is_hotline_number(dialled_raw, self.settings.hotline_numbers, self.settings.region),
            language=self.settings.default_language,
            stage=CallStage.IVR,
            started_at=now,
        )
        self.session.add(call)
        self.session.flush()
        self.session.add(Ticket(call_id=call.id, status=TicketStatus.OPEN, created_at=now))
        self.add_event(
            call,
            EventKind.IVR_ENTER,
            dedupe_key="ivr-enter",
            dialled_known=call.dialled_known,
            caller_kind=str(caller.kind),
        )
        if not call.dialled_known:
            log.warning("CallSid=%s dialled a number that is not a configured hotline number", call_sid)
        return call

    # -- timeline ------------------------------------------------------------------------
    def add_event(
        self,
        call: Call,
        kind: EventKind,
        *,
        dedupe_key: str | None = None,
        queue: str | None = None,
        at: datetime | None = None,
        **data: Any,
    ) -> bool:
        """Append an event; False (and nothing written) when `dedupe_key` was already recorded."""
        if dedupe_key is not None:
            exists = self.session.scalar(
                select(CallEvent.id).where(CallEvent.call_id == call.id, CallEvent.dedupe_key == dedupe_key)
            )
            if exists is not None:
                return False
        self.session.add(
            CallEvent(
                call_id=call.id, at=at or self.clock.now(), kind=kind, queue=queue, data=data, dedupe_key=dedupe_key
            )
        )
        self.session.flush()
        return True

    # -- IVR facts -----------------------------------------------------------------------
    def set_language(self, call: Call, language: str) -> None:
        """Remember the caller's language for every later prompt."""
        if call.is_final or call.language == language:
            return
        call.language = language
        self.add_event(call, EventKind.LANGUAGE, language=language)

    def note_menu_problem(self, call: Call, menu: str, reason: str, digits: str | None, attempt: int) -> None:
        """Record a wrong key or silence in a menu."""
        if call.is_final:
            return
        call.menu_attempts += 1
        kind = EventKind.MENU_TIMEOUT if reason == "timeout" else EventKind.MENU_INVALID
        self.add_event(
            call, kind, dedupe_key=f"{menu}-{attempt}-{reason}", menu=menu, digits=(digits or "")[:8], attempt=attempt
        )

    def choose_branch(self, call: Call, branch: int, *, by_default: bool = False) -> None:
        """Record the branch the caller chose (or was given after running out of attempts)."""
        if call.is_final or call.stage != CallStage.IVR:
            return
        call.branch = branch
        kind = EventKind.DEFAULT_ROUTE if by_default else EventKind.BRANCH_CHOSEN
        self.add_event(call, kind, dedupe_key="branch", branch=branch)
        self._sync_ticket(call)

    def choose_group(self, call: Call, group: str, *, by_default: bool = False) -> None:
        """Record the branch-2 problem group."""
        if call.is_final or call.stage != CallStage.IVR:
            return
        call.problem_group = group
        kind = EventKind.DEFAULT_ROUTE if by_default else EventKind.GROUP_CHOSEN
        self.add_event(call, kind, dedupe_key="group", group=group)
        self._sync_ticket(call)

    # -- queue facts ---------------------------------------------------------------------
    def enter_queue(self, call: Call, queue_name: str) -> None:
        """The caller is being put into `queue_name` (the <Enqueue> was returned)."""
        if call.is_final or call.stage != CallStage.IVR:
            return
        now = self.clock.now()
        call.stage = CallStage.QUEUED
        call.queue_name = queue_name
        call.queue_entered_at = now
        self.add_event(
            call,
            EventKind.ENTERQUEUE,
            dedupe_key="enterqueue",
            queue=queue_name,
            branch=call.branch,
            group=call.problem_group,
        )

    def note_position(self, call: Call, position: int | None, queue_size: int | None) -> None:
        """Remember where the caller stands (first position is kept as the original one)."""
        if call.is_final or position is None:
            return
        if call.queue_position_first is None:
            call.queue_position_first = position
        call.queue_position_last = position

    def announcement_due(self, call: Call, interval_seconds: int) -> bool:
        """True when the caller has not been told their position for `interval_seconds`."""
        if call.last_announced_at is None:
            return True
        return (self.clock.now() - call.last_announced_at).total_seconds() >= interval_seconds

    def note_announcement(self, call: Call, position: int | None, eta_seconds: int | None) -> None:
        """Record that position and estimated wait were announced."""
        if call.is_final:
            return
        call.last_announced_at = self.clock.now()
        self.add_event(call, EventKind.POSITION, queue=call.queue_name, position=position, eta_seconds=eta_seconds)

    def queue_exit(self, call: Call, result: str, queue_time: int | None) -> None:
        """Handle the <Enqueue> action: why the caller left the queue."""
        first = self.add_event(
            call,
            EventKind.EXITQUEUE,
            dedupe_key=f"exitqueue-{result}",
            queue=call.queue_name,
            result=result,
            queue_time=queue_time,
        )
        if not first or call.is_final:
            return
        now = self.clock.now()
        if result == "hangup":
            wait = queue_time if queue_time is not None else self._seconds_since(call.queue_entered_at, now)
            self._abandon_in_queue(call, now, wait)
        elif result == "queue-full":
            call.queue_exited_at = now
            self.add_event(call, EventKind.EXITFULL, dedupe_key="exitfull", queue=call.queue_name)
            self._finish(call, now, CallOutcome.QUEUE_FULL, final_status=None)
        elif result in ("bridged", "redirected-from-bridged"):
            call.queue_exited_at = call.queue_exited_at or now

    # -- the end of the call -------------------------------------------------------------
    def status_update(self, call: Call, form: Mapping[str, str]) -> None:
        """Handle a status callback; duplicates (same SequenceNumber) and late ones change nothing."""
        status = (form.get("CallStatus") or "").strip().lower()
        seq = (form.get("SequenceNumber") or "").strip()
        key = f"status-{seq}" if seq.isdigit() else f"status-{status}"
        at = self._event_time(form.get("Timestamp"), call.started_at)
        duration = _int_or_none(form.get("CallDuration"))
        if not self.add_event(
            call,
            EventKind.STATUS,
            dedupe_key=key[:64],
            at=at,
            status=status[:16],
            sequence=seq[:8] or None,
            duration=duration,
        ):
            return
        if status not in TERMINAL_STATUSES or call.is_final:
            return
        if status != "completed":
            self._finish(call, at, CallOutcome.FAILED, final_status=status, duration=duration)
        elif call.stage == CallStage.QUEUED:
            self._abandon_in_queue(call, at, self._seconds_since(call.queue_entered_at, at), duration=duration)
        elif call.stage == CallStage.CONNECTED:
            self._finish(call, at, CallOutcome.ANSWERED, final_status=status, duration=duration)
        else:
            self.add_event(
                call,
                EventKind.IVR_ABANDON,
                dedupe_key="ivr-abandon",
                at=at,
                seconds=self._seconds_since(call.started_at, at),
            )
            self._finish(call, at, CallOutcome.IVR_ABANDONED, final_status=status, duration=duration)

    def _abandon_in_queue(self, call: Call, at: datetime, wait: int, duration: int | None = None) -> None:
        call.queue_exited_at = at
        call.queue_wait_seconds = wait
        self.add_event(
            call,
            EventKind.ABANDON,
            dedupe_key="abandon",
            at=at,
            queue=call.queue_name,
            position=call.queue_position_last,
            original_position=call.queue_position_first,
            wait=wait,
        )
        self._finish(call, at, CallOutcome.QUEUE_ABANDONED, final_status="completed", duration=duration)

    def _finish(
        self, call: Call, at: datetime, outcome: CallOutcome, *, final_status: str | None, duration: int | None = None
    ) -> None:
        call.stage = CallStage.ENDED
        call.outcome = outcome
        call.final_status = final_status
        call.ended_at = at
        call.duration_seconds = duration if duration is not None else self._seconds_since(call.started_at, at)
        ticket = self.ticket_for(call)
        if ticket.outcome is None and outcome in TICKET_OUTCOME:
            ticket.outcome = TICKET_OUTCOME[outcome]
            # An abandoned queue call from a known number stays open: someone may call them back.
            if outcome != CallOutcome.QUEUE_ABANDONED or call.caller_e164 is None:
                ticket.status = TicketStatus.CLOSED
                ticket.closed_at = at
        self.add_event(call, EventKind.HANGUP, dedupe_key="hangup", at=at, outcome=str(outcome))
        log.info("CallSid=%s ended: %s", call.call_sid, outcome)

    # -- helpers -------------------------------------------------------------------------
    def ticket_for(self, call: Call) -> Ticket:
        """The call's ticket (created with the call)."""
        ticket = self.session.scalars(select(Ticket).where(Ticket.call_id == call.id)).one()
        return ticket

    def _sync_ticket(self, call: Call) -> None:
        ticket = self.ticket_for(call)
        ticket.branch = call.branch
        ticket.problem_group = call.problem_group

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
    def _seconds_since(start: datetime | None, end: datetime) -> int:
        if start is None:
            return 0
        return max(0, round((end - start).total_seconds()))


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None
