"""The call service: creates the one call and ticket per CallSid and writes its timeline.

Every change goes through here. Rules that make webhooks safe to repeat and reorder:
- a call is found or created by CallSid (unique), so a retried first webhook adds nothing;
- an event with a `dedupe_key` is written at most once per call: a state guard (branch already
  chosen, call already ended…) or a look-up of the keys on record stops a repeat, and the unique
  (call_id, dedupe_key) constraint stops a concurrent one;
- once a call is ENDED, nothing changes it except recording that a late event arrived.
Changes are queued and written by `commit()` (tickets/store.py: Core, for the webhook hot path); the
timeline and the endings are in tickets/record.py.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from callcenter.common.inputs import bounded_int
from callcenter.common.numbers import parse_number
from callcenter.tickets.record import TERMINAL_STATUSES, CallRecord
from callcenter.tickets.store import CallRow
from models import CallOutcome, CallStage, EventKind
from models.crypto import blind_index

log = logging.getLogger(__name__)
MAX_LEGS = 20  # hand-backs to the queue counted per call (beyond that the timeline keys repeat)


class CallService(CallRecord):
    """Owns the call aggregate: creation, routing facts, queue facts, the end of the call."""

    # -- creation ------------------------------------------------------------------------
    def ensure_call(self, form: Mapping[str, str]) -> CallRow:
        """The call for form['CallSid'], created with its ticket and IVR_ENTER event if new."""
        call_sid = form["CallSid"]
        call = self.find(call_sid)
        if call is not None:
            return call
        now = self.clock.now()
        caller = parse_number(form.get("From") or form.get("Caller"), self.settings.region)
        dialled_raw = form.get("To") or form.get("Called")
        dialled = parse_number(dialled_raw, self.settings.region)
        call = CallRow(
            call_sid=call_sid,
            account_sid=(form.get("AccountSid") or None),
            from_raw=(form.get("From") or "")[:64] or None,
            caller_e164=caller.e164,
            caller_hash=blind_index(caller.e164),
            caller_kind=caller.kind,
            to_raw=(dialled_raw or "")[:64] or None,
            dialled_e164=dialled.e164,
            dialled_known=self._is_hotline(dialled.e164),
            language=self.settings.default_language,
            stage=CallStage.IVR,
            started_at=now,
            menu_attempts=0,
        )
        self.store.created(call)
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

    def set_language(self, call: CallRow, language: str) -> None:
        """Remember the caller's language for every later prompt."""
        if call.is_final or call.language == language:
            return
        call.language = language
        self.add_event(call, EventKind.LANGUAGE, language=language)

    def note_menu_problem(self, call: CallRow, menu: str, reason: str, digits: str | None, attempt: int) -> None:
        """Record a wrong key or silence in a menu."""
        if call.is_final:
            return
        kind = EventKind.MENU_TIMEOUT if reason == "timeout" else EventKind.MENU_INVALID
        if self.add_event(
            call, kind, dedupe_key=f"{menu}-{attempt}-{reason}", menu=menu, digits=(digits or "")[:8], attempt=attempt
        ):
            call.menu_attempts += 1  # a repeated webhook adds no attempt

    def choose_branch(self, call: CallRow, branch: int, *, by_default: bool = False) -> None:
        """Record the branch the caller chose (or was given after running out of attempts)."""
        if call.is_final or call.stage != CallStage.IVR or call.branch is not None:
            return
        call.branch = branch
        kind = EventKind.DEFAULT_ROUTE if by_default else EventKind.BRANCH_CHOSEN
        self.add_event(call, kind, dedupe_key="branch", guarded=True, branch=branch)
        self.store.ticket(call, branch=branch)

    def choose_group(self, call: CallRow, group: str, *, by_default: bool = False) -> None:
        """Record the branch-2 problem group."""
        if call.is_final or call.stage != CallStage.IVR or call.problem_group is not None:
            return
        call.problem_group = group
        kind = EventKind.DEFAULT_ROUTE if by_default else EventKind.GROUP_CHOSEN
        self.add_event(call, kind, dedupe_key="group", guarded=True, group=group)
        self.store.ticket(call, problem_group=group)

    # -- queue facts ---------------------------------------------------------------------
    def enter_queue(self, call: CallRow, queue_name: str) -> None:
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
            guarded=True,
            queue=queue_name,
            branch=call.branch,
            group=call.problem_group,
        )

    def note_queue_sid(self, call: CallRow, queue_sid: str | None) -> bool:
        """Remember Twilio's SID of the queue holding the caller (the dispatcher dequeues by it);
        True when it is new (the caller can be put through from now on)."""
        if queue_sid and call.stage == CallStage.QUEUED and call.queue_sid != queue_sid[:64]:
            call.queue_sid = queue_sid[:64]
            return True
        return False

    def note_position(self, call: CallRow, position: int | None, queue_time: int | None) -> None:
        """Remember where the caller stands (the first position is kept as the original one).

        The first wait turn also fixes when the caller really joined the queue: we recorded the
        moment we answered <Enqueue>, but Twilio enqueues after the intro prompt; its QueueTime says
        how long ago that was, so wait times from our timestamps agree with Twilio's.
        """
        if call.stage != CallStage.QUEUED or position is None:
            return
        if call.queue_position_first is None:
            call.queue_position_first = position
            if queue_time is not None and call.queue_entered_at is not None:
                joined = self.clock.now() - timedelta(seconds=queue_time)
                call.queue_entered_at = max(call.queue_entered_at, joined)
        if call.queue_position_last != position:  # the wait loop repeats: write only changes
            call.queue_position_last = position

    def announcement_due(self, call: CallRow, interval_seconds: int) -> bool:
        """True when the caller has not been told their position for `interval_seconds`."""
        if call.last_announced_at is None:
            return True
        return (self.clock.now() - call.last_announced_at).total_seconds() >= interval_seconds

    def note_announcement(self, call: CallRow, position: int | None, eta_seconds: int | None) -> None:
        """Record that position and estimated wait were announced."""
        if call.is_final:
            return
        call.last_announced_at = self.clock.now()
        self.add_event(call, EventKind.POSITION, queue=call.queue_name, position=position, eta_seconds=eta_seconds)

    def choose_to_leave(self, call: CallRow, reason: str, **data: Any) -> bool:
        """The waiting caller chose to leave the queue for a callback or to leave a message.

        A compare-and-set against the dispatcher: a caller who left is never offered. A caller whose
        offer is still in flight (the REST dequeue not done, or failing) may leave: their choice needs
        no REST call and always works; the ring then finds them gone or honours the choice.
        """
        if call.stage != CallStage.QUEUED or call.leave_reason is not None:
            return False
        if not self.store.claim_leave(call, reason):
            return False
        self.add_event(call, EventKind.QUEUE_OPTION, dedupe_key=f"leave-{reason}", option=reason, **data)
        return True

    def queue_exit(self, call: CallRow, result: str, queue_time: int | None) -> None:
        """Handle the <Enqueue> action: why the caller left the queue."""
        first = self.add_event(
            call,
            EventKind.EXITQUEUE,
            dedupe_key=f"exitqueue-{result}",
            queue=call.queue_name,
            result=result,
            queue_time=queue_time,
        )
        if not first or call.stage not in (CallStage.QUEUED, CallStage.ENDING):
            return  # final, or already connected (a late hangup result changes nothing)
        now = self.clock.now()
        if result == "leave" or (result == "hangup" and call.leave_reason == "callback"):
            # Left by choice (<Leave>), or hung up after booking the callback: their place is kept.
            at = call.ended_at if call.stage == CallStage.ENDING and call.ended_at else now
            wait = queue_time if queue_time is not None else self._seconds_since(call.queue_entered_at, at)
            self._left_queue(call, at, wait)
        elif result == "hangup" and call.queue_position_first is None and not queue_time:
            # Gone before the first wait turn (during the queue intro): never waited, never offered.
            at = call.ended_at if call.stage == CallStage.ENDING and call.ended_at else now
            self._abandon_in_intro(call, at, call.final_status or "completed", call.duration_seconds)
        elif result == "hangup":
            at = call.ended_at if call.stage == CallStage.ENDING and call.ended_at else now
            wait = queue_time if queue_time is not None else self._seconds_since(call.queue_entered_at, at)
            self._abandon_in_queue(call, at, wait, duration=call.duration_seconds)
        elif result == "queue-full":
            call.queue_exited_at = now
            self.add_event(call, EventKind.EXITFULL, dedupe_key="exitfull", guarded=True, queue=call.queue_name)
            self._finish(call, now, CallOutcome.QUEUE_FULL, final_status=call.final_status)
        elif result in ("bridged", "redirected-from-bridged"):
            # Fired when the bridged conversation ends; if the connect webhook was not used, this is
            # how we learn the call was answered: it left the queue QueueTime after entering it.
            answered = self._after(call.queue_entered_at, queue_time) or now
            self.connect(call, answered, queue_time, agent=None)

    def connect(self, call: CallRow, at: datetime, queue_time: int | None, agent: str | None) -> bool:
        """The caller was taken from the queue and bridged to an agent; False if already known."""
        if call.stage not in (CallStage.QUEUED, CallStage.ENDING):
            return False
        if call.answered_at is not None and call.stage == CallStage.QUEUED:  # a later leg, after a transfer
            call.stage = CallStage.CONNECTED
            leg = self.legs(call)
            self.add_event(call, EventKind.CONNECT, dedupe_key=f"connect-{leg}", at=at, agent=agent, leg=leg)
            return True
        ended_at = call.ended_at if call.stage == CallStage.ENDING else None
        wait = queue_time if queue_time is not None else self._seconds_since(call.queue_entered_at, at)
        call.stage = CallStage.CONNECTED
        call.answered_at = at
        call.queue_exited_at = at
        call.queue_wait_seconds = wait
        self.add_event(
            call,
            EventKind.CONNECT,
            dedupe_key="connect",
            guarded=True,
            at=at,
            queue=call.queue_name,
            holdtime=wait,
            agent=agent,
            position=call.queue_position_last,
        )
        log.info("CallSid=%s answered after %s s in queue", call.call_sid, wait)
        if ended_at is not None:  # the status callback came first: the call is over, answered
            self._finish(
                call, ended_at, CallOutcome.ANSWERED, final_status=call.final_status, duration=call.duration_seconds
            )
        return True

    def requeue(self, call: CallRow, by: str) -> bool:
        """The agent hands the answered caller back to their queue (a cold transfer): they wait again
        with their first place (the dispatcher orders by it) until the next agent; False if not on a call."""
        if call.stage != CallStage.CONNECTED:
            return False
        leg = self.legs(call) + 1
        call.stage = CallStage.QUEUED
        call.queue_sid = None  # put through again only once Twilio has them back in the queue
        call.offered_agent_id, call.offered_at = None, None
        self.add_event(call, EventKind.TRANSFER, dedupe_key=f"requeue-{leg}", to="queue", by=by, leg=leg)
        return True

    def legs(self, call: CallRow) -> int:
        """How many times the caller was handed back to the queue (the first answer is leg 0)."""
        leg = 0
        while leg < MAX_LEGS and self.store.has_key(call, f"requeue-{leg + 1}"):
            leg += 1
        return leg

    # -- the end of the call -------------------------------------------------------------
    def status_update(self, call: CallRow, form: Mapping[str, str]) -> None:
        """Handle a status callback; duplicates (same SequenceNumber) and late ones change nothing."""
        status = (form.get("CallStatus") or "").strip().lower()
        seq = (form.get("SequenceNumber") or "").strip()
        key = f"status-{seq}" if seq.isdigit() else f"status-{status}"
        at = self._event_time(form.get("Timestamp"), call.started_at)
        duration = bounded_int(form.get("CallDuration"))  # negative, huge or odd: unknown
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
        if status in TERMINAL_STATUSES and call.is_final and call.final_status is None:
            # Left the queue by choice (callback, voicemail) while still on the line: now the line is gone.
            call.final_status, call.ended_at = status, at
            call.duration_seconds = duration if duration is not None else self._seconds_since(call.started_at, at)
            return
        if status not in TERMINAL_STATUSES or call.is_final or call.stage == CallStage.ENDING:
            return
        if status != "completed":
            self._finish(call, at, CallOutcome.FAILED, final_status=status, duration=duration)
        elif call.stage == CallStage.QUEUED and call.queue_position_first is not None:
            # Waiting in the queue when the line went: the <Enqueue> action (hangup or bridged) says
            # which, and may arrive after this callback. Until then the call is ENDING.
            call.stage, call.final_status, call.ended_at = CallStage.ENDING, status, at
            call.duration_seconds = duration if duration is not None else self._seconds_since(call.started_at, at)
        elif call.stage == CallStage.CONNECTED:
            self._finish(call, at, CallOutcome.ANSWERED, final_status=status, duration=duration)
        else:
            self._abandon_in_intro(call, at, status, duration)

    def return_to_queue(self, call: CallRow) -> None:
        """The caller goes back to the queue after a ring that was not answered: they keep their place,
        but cannot be dequeued until Twilio has them back (their next wait turn tells the queue SID)."""
        if call.stage == CallStage.QUEUED:
            call.queue_sid = None

    def settle_ending(self, call: CallRow) -> bool:
        """An ENDING call whose <Enqueue> action never came: abandoned in the queue (by our clock)."""
        if call.stage != CallStage.ENDING or call.ended_at is None:
            return False
        wait = self._seconds_since(call.queue_entered_at, call.ended_at)
        if call.leave_reason == "callback":
            self._left_queue(call, call.ended_at, wait)
        else:
            self._abandon_in_queue(call, call.ended_at, wait, duration=call.duration_seconds)
        return True
