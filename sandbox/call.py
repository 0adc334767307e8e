"""One leg of a sandbox call, as its party experiences it, and the small TwiML interpreter that runs it.

A leg is an inbound caller (Direction inbound: the party is on the From side), a device rung by
a <Dial> (outbound-dial, with a `parent`), or a call created through the REST API (outbound-api);
for outbound legs the party is on the To side. Outbound legs ring until their device answers,
rejects, or the timeout passes. Everything happens at the injected clock's time: a verb that takes
time (<Say>, <Play>, <Pause>) holds the leg until it is over, and `run` catches up with the clock.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections import deque
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

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

if TYPE_CHECKING:
    from .engine import SandboxSwitch

log = logging.getLogger(__name__)

CHARS_PER_SECOND = 15.0  # how fast TTS speaks, to give <Say> a duration
DEFAULT_DIAL_TIMEOUT = 30  # seconds a <Dial> rings
DEFAULT_RECORD_MAX_LENGTH = 3600.0
DEFAULT_RECORD_FINISH_KEYS = "1234567890*#"


def dial_target(verb: ET.Element) -> tuple[str, str | None] | None:
    """The device a <Dial> rings and its noun's `url`: ("client:<identity>" or the number, url), or None.

    Only the first <Client> or <Number> noun is simulated; a bare number as the <Dial>'s text counts.
    """
    nouns = list(verb)
    if not nouns:
        number = (verb.text or "").strip()
        return (number, None) if number else None
    noun = nouns[0]
    if noun.tag == "Client":
        identity = noun.find("Identity")  # the newer form: <Client><Identity>alice</Identity>…</Client>
        name = ((identity.text if identity is not None else noun.text) or "").strip()
        return (f"client:{name}", noun.get("url") or None) if name else None
    if noun.tag == "Number":
        number = (noun.text or "").strip()
        return (number, noun.get("url") or None) if number else None
    return None


def _positive(raw: str | None, default: float) -> float:
    try:
        value = float(raw) if raw not in (None, "") else default
    except ValueError:
        return default
    return value if value > 0 else default


class SandboxCall:
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
        if self.answer_url:
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

    def _take_out_of_queue(self, now: datetime, note: str) -> Any:
        """Leave the queue (up to date with the clock first); the queue left, or None if not in one."""
        q = self.queue
        if q is None or self.ended:
            return None
        self.run(now)
        self.switch.leave(self)
        self.queue, self.gather, self.gather_rest = None, None, None
        self._note(now, "queue", note)
        return q

    def redirect_from_queue(self, now: datetime, url: str) -> None:
        """REST "update a queue member": leave the queue (the <Enqueue> action hears of it), then run `url`."""
        q = self._take_out_of_queue(now, "Taken out of the queue")
        if q is None:
            return
        self.post_only(
            q.action,
            {
                "QueueResult": "redirected",
                "QueueSid": queue_sid(q.name),
                "QueueTime": str(int((now - q.entered_at).total_seconds())),
            },
        )
        self.verbs.clear()
        self.busy_until = now
        self.fetch(now, url)
        self.run(now)

    def bridge_to_agent(self, now: datetime, agent_sid: str) -> None:
        """An agent's <Dial><Queue url=…> takes this caller from the front of the queue."""
        q = self._take_out_of_queue(now, "An agent took the call")
        if q is None:
            return
        self.bridge = AgentBridge(q, now, agent_sid)
        self.verbs.clear()
        self.busy_until = now
        if self.switch.settings.connect_url:
            self.fetch(
                now,
                self.switch.settings.connect_url,
                {
                    "QueueSid": queue_sid(q.name),
                    "QueueTime": str(int((now - q.entered_at).total_seconds())),
                    "DequeingCallSid": agent_sid,
                },
            )
        self.run(now)

    def agent_hangs_up(self, now: datetime) -> None:
        """The agent ends the conversation: the caller continues with the <Enqueue> action's TwiML."""
        if self.bridge is None or self.ended:
            return
        self.run(now)
        bridge, self.bridge = self.bridge, None
        self._note(now, "info", "The agent hung up")
        self.busy_until = now
        self.fetch(now, bridge.queue.action, self._bridged_params(bridge))
        self.run(now)

    def _bridged_params(self, bridge: AgentBridge) -> dict[str, str]:
        waited = int((bridge.at - bridge.queue.entered_at).total_seconds())
        return {"QueueResult": "bridged", "QueueSid": queue_sid(bridge.queue.name), "QueueTime": str(waited)}

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

    def _execute(self, now: datetime, verb: ET.Element) -> None:
        tag = verb.tag
        if tag == "Say":
            text = (verb.text or "").strip()
            self._note(now, "say", text, language=verb.get("language"), voice=verb.get("voice"))
            self.busy_until = now + timedelta(seconds=max(1.0, len(text) / CHARS_PER_SECOND))
        elif tag == "Play":
            self._note(now, "play", "audio", url=(verb.text or "").strip())
            self.busy_until = now + timedelta(seconds=self.switch.settings.play_seconds)
        elif tag == "Pause":
            length = float(verb.get("length", "1"))
            self._note(now, "pause", f"{length:g} s of silence")
            self.busy_until = now + timedelta(seconds=length)
        elif tag == "Gather":
            self._start_gather(now, verb)
        elif tag == "Redirect":
            self.gather = None
            self.fetch(now, (verb.text or "").strip())
        elif tag == "Enqueue":
            self._enqueue(now, verb)
        elif tag == "Leave":
            self._leave_queue(now, "leave")
        elif tag == "Hangup":
            self._note(now, "end", "The hotline hung up")
            if self.queue is not None:
                self._leave_queue(now, "hangup", then_fetch=False)
            self._end(now, status=COMPLETED)
        elif tag == "Dial":
            self._start_dial(now, verb)
        elif tag == "Record":
            self._start_record(now, verb)
        else:
            self._note(now, "info", f"<{tag}> is not simulated by the sandbox; skipped")

    # -- <Gather> ---------------------------------------------------------------------------
    def _start_gather(self, now: datetime, verb: ET.Element) -> None:
        num = verb.get("numDigits")
        self.gather = GatherState(
            action=self.resolve(verb.get("action") or self.url),
            num_digits=int(num) if num else None,
            finish_on_key=verb.get("finishOnKey", "#"),
            timeout=float(verb.get("timeout", "5")),
        )
        self.gather_rest = self.verbs
        self.verbs = deque(verb)  # its nested Say/Play/Pause play first

    def _submit_gather(self, now: datetime, finished_on_key: bool = False) -> None:
        gather = self.gather
        assert gather is not None
        self.gather, self.gather_rest = None, None
        self.busy_until = now
        digits = gather.digits[:-1] if finished_on_key else gather.digits
        extra = {"Digits": digits}
        if finished_on_key:
            extra["FinishedOnKey"] = gather.finish_on_key
        self.fetch(now, gather.action, extra)

    # -- <Enqueue>, <Leave> -----------------------------------------------------------------------
    def _enqueue(self, now: datetime, verb: ET.Element) -> None:
        name = (verb.text or "").strip()
        action = self.resolve(verb.get("action") or self.url)
        max_size = int(verb.get("maxQueueSize") or 1000)
        wait_url = verb.get("waitUrl")
        q = QueueState(name, action, self.resolve(wait_url) if wait_url else "", now, max_size)
        if self.switch.size(name) >= max_size:
            self._note(now, "queue", f"Queue {name} is full")
            self.fetch(now, action, {"QueueResult": "queue-full", "QueueSid": queue_sid(name)})
            return
        self.queue = q
        self.switch.join(self)
        self._note(now, "queue", f"Waiting in queue {name}")
        self.verbs = deque()

    def _fetch_wait(self, now: datetime) -> None:
        q = self.queue
        assert q is not None
        if not q.wait_url:
            self.busy_until = now + timedelta(seconds=self.switch.settings.play_seconds)
            return
        waits = self.switch.waits(q.name, now)
        params = {
            "QueueSid": queue_sid(q.name),
            "QueuePosition": str(self.switch.position(self)),
            "QueueTime": str(int((now - q.entered_at).total_seconds())),
            "AvgQueueTime": str(int(sum(waits) / len(waits)) if waits else 0),
            "CurrentQueueSize": str(self.switch.size(q.name)),
            "MaxQueueSize": str(q.max_size),
        }
        self.fetch(now, q.wait_url, params)
        if not self.verbs and not self.ended:
            self.busy_until = now + timedelta(seconds=1)  # an empty wait document: ask again shortly

    def _leave_queue(self, now: datetime, result: str, then_fetch: bool = True) -> None:
        q = self.queue
        if q is None:
            return
        self.switch.leave(self)
        self.queue = None
        extra = {
            "QueueResult": result,
            "QueueSid": queue_sid(q.name),
            "QueueTime": str(int((now - q.entered_at).total_seconds())),
        }
        if then_fetch:
            self.fetch(now, q.action, extra)
        else:
            self.post_only(q.action, extra)

    # -- <Dial> -------------------------------------------------------------------------------
    def _start_dial(self, now: datetime, verb: ET.Element) -> None:
        target = dial_target(verb)
        if target is None:
            self._note(now, "info", "<Dial> without a <Client> or <Number> is not simulated by the sandbox; skipped")
            return
        if len(verb) > 1:
            self._note(now, "info", "Only the first noun of a <Dial> is rung in the sandbox")
        to, url = target
        caller_id = (verb.get("callerId") or "").strip() or self.from_
        child = SandboxCall(self.switch, caller_id, to, now, direction=OUTBOUND_DIAL, parent=self)
        child.ring(now, _positive(verb.get("timeout"), DEFAULT_DIAL_TIMEOUT), self.resolve(url) if url else None)
        self.switch.add(child)
        action = verb.get("action")
        self.dial = DialState(child, self.resolve(action) if action else None, now)
        self._note(now, "ring", f"Ringing {to}")

    def _connect(self, now: datetime) -> None:
        """A dialled leg, answered (and its whisper over), is bridged with the leg that dialled it."""
        self.awaiting_bridge = False
        parent = self.parent
        if parent is None or parent.ended or parent.dial is None or parent.dial.child is not self:
            self._end(now, status=COMPLETED)  # nobody left to talk to
            return
        self.bridged_with, parent.bridged_with = parent, self
        self._note(now, "connect", f"Connected with {parent.party_address}")
        parent._note(now, "connect", f"Connected with {self.party_address}")

    def _dial_over(self, now: datetime, dial: DialState, post_only: bool) -> None:
        """The dialled leg has ended: tell the <Dial> action (and run its answer unless this leg is gone)."""
        child = dial.child
        self.bridged_with, child.bridged_with = None, None
        extra = {
            "DialCallStatus": child.status,
            "DialCallSid": child.call_sid,
            "DialCallDuration": str(child.duration),
        }
        if post_only:
            if dial.action:
                self.post_only(dial.action, {**extra, "CallStatus": COMPLETED})
            return
        self._note(now, "info", f"The call to {child.to} is over ({child.status})")
        self.busy_until = now
        if dial.action:
            self.verbs.clear()
            self.fetch(now, dial.action, extra)
        # without an action the verbs after the <Dial> go on

    def _abandon_dial(self, now: datetime) -> None:
        """This leg hangs up during its <Dial>: the dialled leg is canceled (ringing) or completed."""
        if self.dial is None:
            return
        dial, self.dial = self.dial, None
        child = dial.child
        ringing = child.status == RINGING
        child._note(now, "end", "Missed call: the caller hung up" if ringing else "The other party hung up")
        child._end(now, status=CANCELED if ringing else COMPLETED)
        self._dial_over(now, dial, post_only=True)

    # -- <Record> -----------------------------------------------------------------------------
    def _start_record(self, now: datetime, verb: ET.Element) -> None:
        finish = verb.get("finishOnKey")
        finish_on_key = DEFAULT_RECORD_FINISH_KEYS if finish is None else finish
        max_length = _positive(verb.get("maxLength"), DEFAULT_RECORD_MAX_LENGTH)
        callback = verb.get("recordingStatusCallback")
        if (verb.get("playBeep") or "true").strip().lower() != "false":
            self._note(now, "beep", "beep")
        self.record = RecordState(
            action=self.resolve(verb.get("action") or self.url),
            finish_on_key=finish_on_key,
            started_at=now,
            until=now + timedelta(seconds=max_length),
            status_callback=self.resolve(callback) if callback else None,
            rest=self.verbs,
        )
        self.verbs = deque()
        if "#" in finish_on_key:
            how = "press # to finish"
        elif finish_on_key:
            how = f"press {finish_on_key[0]} to finish"
        else:
            how = "hang up to finish"
        self._note(now, "record", f"Recording… {how} (at most {max_length:g} s)")

    def _finish_record(self, now: datetime, digits: str | None, hung_up: bool = False) -> None:
        """The recording stops (a finish key, maxLength, or the hang-up): the action and the callback hear of it."""
        record, self.record = self.record, None
        assert record is not None
        seconds = int((now - record.started_at).total_seconds())
        if seconds <= 0 and not hung_up:  # Twilio skips the action on an empty recording and goes on
            self._note(now, "record", "Nothing was recorded; the verbs after <Record> go on")
            self.busy_until = now
            self.verbs = record.rest
            return
        recording = self.switch.store_recording(self, record.started_at, seconds)
        self._note(now, "record", f"Recorded {seconds} s", url=recording.url)
        extra = {"RecordingUrl": recording.url, "RecordingSid": recording.sid, "RecordingDuration": str(seconds)}
        if digits is not None:
            extra["Digits"] = digits
        if hung_up:
            self.post_only(record.action, {**extra, "CallStatus": COMPLETED})
        else:
            self.busy_until = now
            self.fetch(now, record.action, extra)
        if record.status_callback:
            self.switch.transport.post(
                record.status_callback,
                {
                    "AccountSid": self.switch.settings.account_sid,
                    "CallSid": self.call_sid,
                    "RecordingSid": recording.sid,
                    "RecordingUrl": recording.url,
                    "RecordingStatus": "completed",
                    "RecordingDuration": str(seconds),
                    "RecordingChannels": "1",
                    "RecordingSource": "RecordVerb",
                    "RecordingStartTime": format_datetime(record.started_at),
                },
            )

    # -- the end ------------------------------------------------------------------------------
    def _end(self, now: datetime, status: str) -> None:
        if self.ended:
            return
        self._abandon_dial(now)
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
