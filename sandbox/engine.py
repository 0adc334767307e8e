"""A local stand-in for Twilio's voice engine: runs our TwiML for calls dialled in the sandbox.

It follows the documented behaviour the IVR depends on: <Say>/<Play>/<Pause> take time, <Gather>
collects keys (keys interrupt its prompts; with no key Twilio moves to the next verb without calling
the action), <Redirect> fetches new TwiML, <Enqueue> puts the caller in a named queue and loops the
waitUrl until they leave or hang up, then calls the action with QueueResult; the status callback
comes last. Time is whatever the injected clock says, so the same engine serves the browser phone
(wall clock), the CLI and the tests (a fake clock).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

from callcenter.clock import Clock

from .transport import Transport

log = logging.getLogger(__name__)

CHARS_PER_SECOND = 15.0  # how fast TTS speaks, to give <Say> a duration
BLOCKING_VERBS = {"Say", "Play", "Pause"}


def new_call_sid() -> str:
    """A fresh Twilio-shaped call SID."""
    return "CA" + secrets.token_hex(16)


def queue_sid(name: str) -> str:
    """A stable Twilio-shaped queue SID for a queue name."""
    return "QU" + hashlib.md5(name.encode("utf-8")).hexdigest()  # noqa: S324 - an identifier, not security


@dataclass
class Heard:
    """One line of what the caller heard or did."""

    at: float  # seconds since the call started
    kind: str  # say, play, pause, key, queue, info, end
    text: str
    language: str | None = None
    voice: str | None = None
    url: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": round(self.at, 1),
            "kind": self.kind,
            "text": self.text,
            "language": self.language,
            "voice": self.voice,
            "url": self.url,
        }


@dataclass
class _Gather:
    action: str
    num_digits: int | None
    finish_on_key: str
    timeout: float
    digits: str = ""
    listen_until: datetime | None = None  # set once its prompts have finished (or a key was pressed)


@dataclass
class _Queue:
    name: str
    action: str
    wait_url: str
    entered_at: datetime
    max_size: int


@dataclass
class _Bridge:
    queue: _Queue
    at: datetime
    agent_sid: str


@dataclass
class SandboxSettings:
    """The sandbox "phone number": its webhooks, and how long a <Play> lasts."""

    voice_url: str
    status_callback_url: str
    account_sid: str
    play_seconds: float = 30.0
    connect_url: str = ""  # the `url` of an agent's <Dial><Queue url=…>


class SandboxCall:
    """One call in progress in the sandbox."""

    def __init__(self, switch: SandboxSwitch, from_: str, to: str, now: datetime) -> None:
        self.switch = switch
        self.call_sid = new_call_sid()
        self.from_ = from_
        self.to = to
        self.started_at = now
        self.ended_at: datetime | None = None
        self.heard: list[Heard] = []
        self.verbs: deque[ET.Element] = deque()
        self.url = switch.settings.voice_url
        self.busy_until: datetime = now
        self.gather: _Gather | None = None
        self.gather_rest: deque[ET.Element] | None = None  # verbs after the <Gather> in its document
        self.queue: _Queue | None = None
        self.bridge: _Bridge | None = None
        self.sequence = 0

    # -- what the outside sees ---------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    def state(self, now: datetime) -> dict[str, Any]:
        """A JSON-able picture of the call for the browser phone."""
        position = self.switch.position(self) if self.queue else None
        return {
            "call_sid": self.call_sid,
            "from": self.from_,
            "to": self.to,
            "status": "completed" if self.ended else "in-progress",
            "listening_for_keys": self.gather is not None,
            "with_agent": self.bridge is not None,
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
        """The parameters Twilio sends with every request about this call."""
        return {
            "CallSid": self.call_sid,
            "AccountSid": self.switch.settings.account_sid,
            "From": self.from_,
            "To": self.to,
            "Caller": self.from_,
            "Called": self.to,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            "FromCountry": "VN",
            "ToCountry": "VN",
        }

    def fetch(self, now: datetime, url: str, extra: dict[str, str] | None = None) -> None:
        """POST to `url` and make its TwiML the current document."""
        params = {**self.base_params(), **(extra or {})}
        reply = self.switch.transport.post(url, params)
        self.url = url
        if reply.status != 200:
            self._note(now, "info", f"The app answered HTTP {reply.status}: Twilio would play an application error")
            self._end(now, status="failed")
            return
        try:
            root = ET.fromstring(reply.body)  # noqa: S314 - our own app's TwiML, not outside input
        except ET.ParseError:
            self._note(now, "info", "The app answered something that is not TwiML")
            self._end(now, status="failed")
            return
        self.verbs = deque(root)

    def post_only(self, url: str, extra: dict[str, str]) -> None:
        """POST a callback whose answer is not executed (the caller is gone)."""
        self.switch.transport.post(url, {**self.base_params(), **extra})

    # -- the caller's actions -------------------------------------------------------------
    def press(self, now: datetime, keys: str) -> None:
        """The caller presses keys (0–9, *, #)."""
        for key in keys:
            if self.ended:
                return
            self.run(now)
            self._note(now, "key", key)
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
        """The caller hangs up."""
        if self.ended:
            return
        self.run(now)
        if self.ended:
            return
        self._note(now, "end", "Caller hung up")
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
        self._end(now, status="completed")

    def bridge_to_agent(self, now: datetime, agent_sid: str) -> None:
        """An agent's <Dial><Queue url=…> takes this caller from the front of the queue."""
        q = self.queue
        if q is None or self.ended:
            return
        self.run(now)
        self.switch.leave(self)
        self.queue, self.gather, self.gather_rest = None, None, None
        self.bridge = _Bridge(q, now, agent_sid)
        self._note(now, "queue", "An agent took the call")
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

    def _bridged_params(self, bridge: _Bridge) -> dict[str, str]:
        waited = int((bridge.at - bridge.queue.entered_at).total_seconds())
        return {"QueueResult": "bridged", "QueueSid": queue_sid(bridge.queue.name), "QueueTime": str(waited)}

    # -- the interpreter -----------------------------------------------------------------
    def run(self, now: datetime) -> None:
        """Execute verbs until one is still playing at `now`, or the call waits for the caller."""
        for _ in range(500):  # a guard against TwiML that loops without ever taking time
            if self.ended or self.busy_until > now:
                return
            at = self.busy_until if self.busy_until > self.started_at else now
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
            self._end(at, status="completed")  # no more TwiML: Twilio hangs up
        log.warning("CallSid=%s: TwiML looped 500 times without taking time; ending", self.call_sid)
        self._end(now, status="completed")

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
            self._end(now, status="completed")
        else:
            self._note(now, "info", f"<{tag}> is not simulated by the sandbox; skipped")

    def _start_gather(self, now: datetime, verb: ET.Element) -> None:
        num = verb.get("numDigits")
        self.gather = _Gather(
            action=verb.get("action") or self.url,
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

    def _enqueue(self, now: datetime, verb: ET.Element) -> None:
        name = (verb.text or "").strip()
        action = verb.get("action") or self.url
        max_size = int(verb.get("maxQueueSize") or 1000)
        q = _Queue(name, action, verb.get("waitUrl") or "", now, max_size)
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

    def _end(self, now: datetime, status: str) -> None:
        if self.ended:
            return
        if self.queue is not None:
            self.switch.leave(self)
            self.queue = None
        self.ended_at = now
        self.verbs.clear()
        self.gather = None
        duration = int((now - self.started_at).total_seconds())
        self._note(now, "end", f"Call ended ({status}) after {duration} s")
        self.post_only(
            self.switch.settings.status_callback_url,
            {
                "CallStatus": status,
                "CallDuration": str(duration),
                "Timestamp": format_datetime(now),
                "SequenceNumber": str(self.sequence),
                "CallbackSource": "call-progress-events",
            },
        )
        self.sequence += 1


class SandboxSwitch:
    """The sandbox "Twilio account": its calls and its named queues. Thread-safe."""

    def __init__(self, settings: SandboxSettings, transport: Transport, clock: Clock) -> None:
        self.settings = settings
        self.transport = transport
        self.clock = clock
        self.calls: dict[str, SandboxCall] = {}
        self.queues: dict[str, list[SandboxCall]] = {}
        self.lock = threading.RLock()

    def dial(self, from_: str, to: str) -> SandboxCall:
        """Place a call to the hotline: Twilio requests the Voice URL."""
        with self.lock:
            now = self.clock.now()
            call = SandboxCall(self, from_, to, now)
            self.calls[call.call_sid] = call
            call.fetch(now, self.settings.voice_url, {"CallStatus": "ringing"})
            call.run(now)
            return call

    def get(self, call_sid: str) -> SandboxCall | None:
        """A call of this sandbox, brought up to date with the clock."""
        with self.lock:
            call = self.calls.get(call_sid)
            if call is not None:
                call.run(self.clock.now())
            return call

    def tick(self) -> None:
        """Bring every call up to the clock's time."""
        with self.lock:
            now = self.clock.now()
            for call in list(self.calls.values()):
                call.run(now)

    def press(self, call_sid: str, keys: str) -> SandboxCall | None:
        """The caller of `call_sid` presses `keys`."""
        with self.lock:
            call = self.calls.get(call_sid)
            if call is not None:
                call.press(self.clock.now(), keys)
            return call

    def hang_up(self, call_sid: str) -> SandboxCall | None:
        """The caller of `call_sid` hangs up."""
        with self.lock:
            call = self.calls.get(call_sid)
            if call is not None:
                call.hang_up(self.clock.now())
            return call

    def answer_next(self, queue_name: str) -> SandboxCall | None:
        """A test agent takes the caller at the front of `queue_name` (None when it is empty)."""
        with self.lock:
            now = self.clock.now()
            for call in list(self.calls.values()):
                call.run(now)
            waiting = self.queues.get(queue_name, [])
            if not waiting:
                return None
            call = waiting[0]
            call.bridge_to_agent(now, new_call_sid())
            return call

    def agent_hang_up(self, call_sid: str) -> SandboxCall | None:
        """The test agent talking to `call_sid` hangs up."""
        with self.lock:
            call = self.calls.get(call_sid)
            if call is not None:
                call.agent_hangs_up(self.clock.now())
            return call

    # -- queues ----------------------------------------------------------------------------
    def join(self, call: SandboxCall) -> None:
        assert call.queue is not None
        self.queues.setdefault(call.queue.name, []).append(call)

    def leave(self, call: SandboxCall) -> None:
        if call.queue is not None and call in self.queues.get(call.queue.name, []):
            self.queues[call.queue.name].remove(call)

    def size(self, name: str) -> int:
        return len(self.queues.get(name, []))

    def position(self, call: SandboxCall) -> int:
        assert call.queue is not None
        return self.queues.get(call.queue.name, []).index(call) + 1

    def waits(self, name: str, now: datetime) -> list[float]:
        return [(now - c.queue.entered_at).total_seconds() for c in self.queues.get(name, []) if c.queue]
