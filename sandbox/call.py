"""One leg of a sandbox call, as its party experiences it, and the small TwiML interpreter that runs it.

A leg is an inbound caller (Direction inbound: the party is on the From side), a device rung by
a <Dial> (outbound-dial, with a `parent`), or a call created through the REST API (outbound-api);
for outbound legs the party is on the To side. Outbound legs ring until their device answers,
rejects, or the timeout passes. Everything happens at the injected clock's time: a verb that takes
time (<Say>, <Play>, <Pause>) holds the leg until it is over, and `run` catches up with the clock.

This module is the leg itself (its state, its requests to the app, its party's actions, the run
loop and the end); the verbs it plays are in verbs.py, its queue and <Dial> in connect.py.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections import deque
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from .connect import QueueAndDial
from .state import (
    BUSY,
    CANCELED,
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    INBOUND,
    NO_ANSWER,
    OUTBOUND_DIAL,
    RINGING,
    AgentBridge,
    DialState,
    GatherState,
    Heard,
    QueueState,
    RecordState,
    new_call_sid,
    queue_sid,
)
from .verbs import TwimlVerbs

if TYPE_CHECKING:
    from .engine import SandboxSwitch

log = logging.getLogger(__name__)


class SandboxCall(QueueAndDial, TwimlVerbs):
    """One call leg in the sandbox: what its party hears and does, and where the TwiML is."""

    def __init__(
        self,
        switch: SandboxSwitch,
        from_: str,
        to: str,
        now: datetime,
        *,
        direction: str = INBOUND,
        parent: SandboxCall | None = None,
        status_callback: str | None = None,
    ) -> None:
        self.switch = switch
        self.call_sid = new_call_sid()
        self.from_ = from_
        self.to = to
        self.direction = direction
        self.parent = parent  # the leg whose <Dial> rang this one
        inbound = direction == INBOUND
        self.status = IN_PROGRESS if inbound else RINGING
        if inbound and not status_callback:
            status_callback = switch.settings.status_callback_url
        self.status_callback = status_callback  # outbound-dial legs have none
        self.started_at = now
        self.answered_at: datetime | None = now if inbound else None
        self.ring_until: datetime | None = None  # an outbound leg not answered by then: no-answer
        self.answer_url: str | None = None  # the TwiML an outbound leg runs once answered
        self.ended_at: datetime | None = None
        self.heard: list[Heard] = []
        self.verbs: deque[ET.Element] = deque()
        self.url = switch.settings.voice_url if inbound else ""
        self.busy_until: datetime = now
        self.gather: GatherState | None = None
        self.gather_rest: deque[ET.Element] | None = None  # verbs after the <Gather> in its document
        self.queue: QueueState | None = None
        self.bridge: AgentBridge | None = None  # taken from a queue by the simulated agent
        self.dial: DialState | None = None  # this leg's <Dial> in progress
        self.bridged_with: SandboxCall | None = None  # the other leg of a <Dial>, once connected
        self.awaiting_bridge = False  # a dialled leg running its noun's `url` (the whisper) before the bridge
        self.record: RecordState | None = None
        self.sequence = 0
        self.conference: Any = None  # the conference.Room this leg is in
        self.pending_conference: tuple[Any, ...] | None = None  # a created participant's room, joined on answer

    # -- what the outside sees ---------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def duration(self) -> int:
        """Seconds since the leg was answered (Twilio's CallDuration): up to its end, or up to the clock."""
        if self.answered_at is None:
            return 0
        until = self.ended_at or self.switch.clock.now()
        return max(0, int((until - self.answered_at).total_seconds()))

    @property
    def party_address(self) -> str:
        """Where this leg's party is: the caller's number for an inbound call, the rung device otherwise."""
        return self.from_ if self.direction == INBOUND else self.to

    def state(self, now: datetime) -> dict[str, Any]:
        """A JSON-able picture of the leg for the browser phone."""
        position = self.switch.position(self) if self.queue else None
        other, dial, record = self.bridged_with, self.dial, self.record
        return {
            "call_sid": self.call_sid,
            "from": self.from_,
            "to": self.to,
            "direction": self.direction,
            "status": self.status,
            "ended": self.ended,
            "parent_call_sid": self.parent.call_sid if self.parent else None,
            "bridged_with": other.call_sid if other else None,
            "talking_to": {"from": other.from_, "to": other.to, "party": other.party_address} if other else None,
            "dialling": None
            if dial is None
            else {"call_sid": dial.child.call_sid, "to": dial.child.to, "status": dial.child.status},
            "listening_for_keys": self.gather is not None,
            "recording": None
            if record is None
            else {
                "finish_on_key": record.finish_on_key,
                "seconds": int((now - record.started_at).total_seconds()),
            },
            "with_agent": self.bridge is not None or (self.direction == INBOUND and other is not None),
            "queue": None
            if self.queue is None
            else {
                "name": self.queue.name,
                "position": position,
                "waited": int((now - self.queue.entered_at).total_seconds()),
            },
            "elapsed": int(((self.ended_at or now) - self.started_at).total_seconds()),
            "heard": [h.as_json() for h in self.heard],
        }

    def _note(self, now: datetime, kind: str, text: str, **extra: Any) -> None:
        self.heard.append(Heard((now - self.started_at).total_seconds(), kind, text, **extra))

    # -- requests to the app -------------------------------------------------------------
    def base_params(self) -> dict[str, str]:
        """The parameters Twilio sends with every request about this leg."""
        params = {
            "CallSid": self.call_sid,
            "AccountSid": self.switch.settings.account_sid,
            "From": self.from_,
            "To": self.to,
            "Caller": self.from_,
            "Called": self.to,
            "CallStatus": self.status,
            "Direction": self.direction,
            "ApiVersion": "2010-04-01",
        }
        if self.parent is not None:
            params["ParentCallSid"] = self.parent.call_sid
        if not self.from_.startswith("client:"):
            params["FromCountry"] = "VN"
        if not self.to.startswith("client:"):
            params["ToCountry"] = "VN"
        return params

    def fetch(self, now: datetime, url: str, extra: dict[str, str] | None = None) -> None:
        """POST to `url` and make its TwiML the current document."""
        params = {**self.base_params(), **(extra or {})}
        url = self.resolve(url)
        reply = self.switch.transport.post(url, params)
        self.url = url
        if reply.status != 200:
            self._note(now, "info", f"The app answered HTTP {reply.status}: Twilio would play an application error")
            self._end(now, status=FAILED)
            return
        try:
            root = ET.fromstring(reply.body)  # noqa: S314 - our own app's TwiML, not outside input
        except ET.ParseError:
            self._note(now, "info", "The app answered something that is not TwiML")
            self._end(now, status=FAILED)
            return
        self.verbs = deque(root)

    def post_only(self, url: str, extra: dict[str, str]) -> None:
        """POST a callback whose answer is not executed (the caller is gone)."""
        self.switch.transport.post(self.resolve(url), {**self.base_params(), **extra})

    def resolve(self, url: str) -> str:
        """A URL from TwiML, made absolute against the current document's URL (as Twilio does)."""
        return urljoin(self.url or self.switch.settings.voice_url, url)

    # -- the party's actions ------------------------------------------------------------------
    def press(self, now: datetime, keys: str) -> None:
        """The party presses keys (0–9, *, #)."""
        for key in keys:
            self.run(now)
            if self.ended or self.status == RINGING:
                return
            self._note(now, "key", key)
            if self.record is not None:
                if key in self.record.finish_on_key:
                    self._finish_record(now, key)
                continue  # other keys are just sound on the recording
            gather = self.gather
            if gather is None:
                continue  # Twilio ignores keys outside a <Gather>
            gather.digits += key
            if key == gather.finish_on_key:
                self._submit_gather(now, finished_on_key=True)
            elif gather.num_digits is not None and len(gather.digits) >= gather.num_digits:
                self._submit_gather(now)
            else:
                self.verbs.clear()  # a key interrupts the <Gather>'s prompts
                gather.listen_until = now + timedelta(seconds=gather.timeout)
                self.busy_until = now
        self.run(now)

    def hang_up(self, now: datetime) -> None:
        """The party of this leg hangs up (on a ringing leg: declines it)."""
        if self.ended:
            return
        self.run(now)
        if self.ended:
            return
        if self.status == RINGING:
            self.reject(now)
            return
        self._note(now, "end", "Caller hung up" if self.direction == INBOUND else "Hung up")
        if self.record is not None:
            self._finish_record(now, "hangup", hung_up=True)
        self._abandon_dial(now)
        if self.bridge is not None:  # the bridged conversation ends: Twilio fires the <Enqueue> action
            bridge, self.bridge = self.bridge, None
            self.post_only(bridge.queue.action, self._bridged_params(bridge))
        if self.queue is not None:
            q = self.queue
            self.switch.leave(self)
            self.queue = None
            self.post_only(
                q.action,
                {
                    "QueueResult": "hangup",
                    "QueueSid": queue_sid(q.name),
                    "QueueTime": str(int((now - q.entered_at).total_seconds())),
                },
            )
        self._end(now, status=COMPLETED)

    def ring(self, now: datetime, timeout: float, answer_url: str | None) -> None:
        """Start ringing at the device `to` for `timeout` seconds; `answer_url` runs once answered."""
        self.ring_until = now + timedelta(seconds=timeout)
        self.answer_url = answer_url
        self._note(now, "ring", f"Incoming call from {self.from_}")

    def answer(self, now: datetime) -> None:
        """The device picks up a ringing leg."""
        if self.status != RINGING or self.ended:
            return
        self.status, self.answered_at, self.ring_until, self.busy_until = IN_PROGRESS, now, None, now
        self._note(now, "connect", "Answered")
        if self.pending_conference is not None:  # a participant created through the REST API
            name, participant, callback, events = self.pending_conference
            self.pending_conference = None
            self.switch.conferences.join(now, name, participant, callback, events)
        elif self.answer_url:
            self.awaiting_bridge = self.direction == OUTBOUND_DIAL  # its TwiML is the whisper, then the bridge
            self.fetch(now, self.answer_url)
        elif self.direction == OUTBOUND_DIAL:
            self._connect(now)
        self.run(now)

    def reject(self, now: datetime) -> None:
        """The device declines a ringing leg: busy."""
        if self.status != RINGING or self.ended:
            return
        self._note(now, "end", "Declined")
        self._end(now, status=BUSY)

    def cancel(self, now: datetime) -> None:
        """The REST API cancels a ringing leg."""
        if self.status != RINGING or self.ended:
            return
        self._note(now, "end", "Canceled before it was answered")
        self._end(now, status=CANCELED)

    # -- the interpreter -----------------------------------------------------------------
    def run(self, now: datetime) -> None:
        """Execute verbs until one is still playing at `now`, or the leg waits for its party or another leg."""
        for _ in range(500):  # a guard against TwiML that loops without ever taking time
            if self.ended:
                return
            if self.status == RINGING:
                if self.ring_until is not None and now >= self.ring_until:
                    self._note(self.ring_until, "end", "Not answered")
                    self._end(self.ring_until, status=NO_ANSWER)
                return
            if self.busy_until > now:
                return
            at = self.busy_until if self.busy_until > self.started_at else now
            if self.dial is not None:  # ringing, whispering or bridged: the dialled leg decides
                self.dial.child.run(now)
                if self.dial is not None:
                    return
                continue  # it ended: the <Dial> action's TwiML (or the verbs after the <Dial>) goes on
            if self.conference is not None:
                return  # in a conference until it ends, the leg is kicked or hangs up
            if self.record is not None:
                if self.record.until > now:
                    return
                self._finish_record(self.record.until, None)  # maxLength reached
                continue
            if self.verbs:
                self._execute(at, self.verbs.popleft())
                continue
            if self.gather is not None:
                if self.gather.listen_until is None:
                    self.gather.listen_until = at + timedelta(seconds=self.gather.timeout)
                if self.gather.listen_until > now:
                    return
                if self.gather.digits:
                    self._submit_gather(self.gather.listen_until)
                else:  # timeout without keys: the verbs after the <Gather>, from when it timed out
                    self.busy_until = self.gather.listen_until
                    self.verbs = self.gather_rest or deque()
                    self.gather, self.gather_rest = None, None
                continue
            if self.queue is not None:
                self._fetch_wait(at)
                continue
            if self.bridge is not None:
                return  # talking with the agent until one of them hangs up
            if self.awaiting_bridge:
                self._connect(at)  # the whisper is over
                continue
            if self.bridged_with is not None:
                return  # talking with the other leg until one of them hangs up
            self._end(at, status=COMPLETED)  # no more TwiML: Twilio hangs up
        log.warning("CallSid=%s: TwiML looped 500 times without taking time; ending", self.call_sid)
        self._end(now, status=COMPLETED)

    # -- the end ------------------------------------------------------------------------------
    def _end(self, now: datetime, status: str) -> None:
        if self.ended:
            return
        self._abandon_dial(now)
        self.switch.conferences.leave(now, self, gone=True)
        if self.queue is not None:
            self.switch.leave(self)
            self.queue = None
        self.ended_at = now
        self.status = status
        self.verbs.clear()
        self.gather, self.record, self.awaiting_bridge = None, None, False
        duration = self.duration
        self._note(now, "end", f"Call ended ({status}) after {duration} s")
        if self.status_callback:
            self.post_only(
                self.status_callback,
                {
                    "CallStatus": status,
                    "CallDuration": str(duration),
                    "Timestamp": format_datetime(now),
                    "SequenceNumber": str(self.sequence),
                    "CallbackSource": "call-progress-events",
                },
            )
            self.sequence += 1
        parent = self.parent
        if parent is not None and parent.dial is not None and parent.dial.child is self:
            dial, parent.dial = parent.dial, None
            if self.bridged_with is not None:
                parent._note(now, "end", f"{self.party_address} hung up")
            parent._dial_over(now, dial, post_only=False)
