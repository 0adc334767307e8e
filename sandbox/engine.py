"""A local stand-in for Twilio's voice engine: runs our TwiML for calls dialled in the sandbox.

It follows the documented behaviour the IVR depends on: <Say>/<Play>/<Pause> take time, <Gather>
collects keys (keys interrupt its prompts; with no key Twilio moves to the next verb without calling
the action), <Redirect> fetches new TwiML, <Enqueue> puts the caller in a named queue and loops the
waitUrl until they leave or hang up, then calls the action with QueueResult; <Dial> rings a client
or a number as a second call leg (whisper, bridge, DialCallStatus), <Record> records until a key or
maxLength; the status callback comes last. Calls can also be created through the REST API's
equivalent (`create_call`) and taken out of a queue (`redirect_member`), and each device (a client
identity or a phone number) can answer, reject or hang up its legs. Time is whatever the injected
clock says, so the same engine serves the browser phone (wall clock), the CLI and the tests (a fake
clock).

The call legs live in `call.py` (their verbs in `verbs.py`, queues and <Dial> in `connect.py`),
their small records in `state.py`; this module is the switch.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from callcenter.common.clock import Clock

from . import state
from .call import SandboxCall
from .conference import Conferences, Participant, Room
from .recordings import Recording
from .state import (
    INBOUND,
    OUTBOUND_API,
    RINGING,
    Heard,
    SandboxSettings,
    device_key,
    new_call_sid,
    new_recording_sid,
    queue_sid,
)
from .transport import Transport
from .verbs import CHARS_PER_SECOND

__all__ = [
    "CHARS_PER_SECOND",
    "Heard",
    "MemberNotFound",
    "NotRinging",
    "SandboxCall",
    "SandboxSettings",
    "SandboxSwitch",
    "device_key",
    "new_call_sid",
    "queue_sid",
]


class MemberNotFound(LookupError):
    """The call is not waiting in that queue (Twilio's REST API answers 404)."""


class NotRinging(RuntimeError):
    """Only a ringing leg can be answered or rejected."""


class SandboxSwitch:
    """The sandbox "Twilio account": its call legs, its named queues and its recordings. Thread-safe."""

    def __init__(self, settings: SandboxSettings, transport: Transport, clock: Clock) -> None:
        self.settings = settings
        self.transport = transport
        self.clock = clock
        self.calls: dict[str, SandboxCall] = {}
        self.queues: dict[str, list[SandboxCall]] = {}
        self.recordings: dict[str, Recording] = {}
        self.lock = threading.RLock()
        self.conferences = Conferences(self)

    # -- conferences: the switch side of Twilio's Participants and Conference APIs ------------------
    def room(self, conference: str) -> Room:
        """A conference by SID or by the name of a live one (MemberNotFound otherwise, Twilio's 404)."""
        room = self.conferences.rooms.get(conference) or self.conferences.named(conference)
        if room is None:
            raise MemberNotFound(f"no conference {conference}")
        return room

    def create_participant(self, conference: str, to: str, from_: str, **flags: Any) -> SandboxCall:
        """POST …/Participants.json: an outbound-api leg rings `to` and joins the room once answered.
        `flags`: label, muted, coaching, call_sid_to_coach, start_conference_on_enter,
        end_conference_on_exit, beep, wait_url, timeout; as Twilio documents them, `status_callback`
        hears the leg's own progress (completed, no-answer, busy…: the Calls API's status callback) and
        `conference_status_callback` (+ `conference_status_callback_event`) the conference's events."""
        with self.lock:
            now = self.clock.now()
            room = self.conferences.rooms.get(conference)
            name = room.friendly_name if room is not None else conference
            callback = flags.pop("conference_status_callback", None)
            events = flags.pop("conference_status_callback_event", "start end")
            leg_callback = flags.pop("status_callback", None)
            timeout = flags.pop("timeout", 60)
            if flags.get("call_sid_to_coach") and "coaching" not in flags:
                flags["coaching"] = True
            call = SandboxCall(self, from_, to, now, direction=OUTBOUND_API, status_callback=leg_callback)
            call.ring(now, timeout, None)
            call.pending_conference = (name, Participant(call, **flags), callback, frozenset(events.split()))
            self.add(call)
            return call

    def update_participant(self, conference: str, who: str, **changes: Any) -> Participant:
        """POST …/Participants/{CallSid or label}.json: hold (+hold_url), muted, coaching, call_sid_to_coach."""
        with self.lock:
            room = self.room(conference)
            participant = self.conferences.participant(room, who)
            if participant is None:
                raise MemberNotFound(f"{who} is not in conference {conference}")
            return self.conferences.update(self.clock.now(), room, participant, **changes)

    def kick(self, conference: str, who: str) -> SandboxCall:
        """DELETE …/Participants/{CallSid or label}.json: the leg leaves the room and goes on with its TwiML."""
        with self.lock:
            room = self.room(conference)
            participant = self.conferences.participant(room, who)
            if participant is None:
                raise MemberNotFound(f"{who} is not in conference {conference}")
            now = self.clock.now()
            self.conferences.leave(now, participant.call, kicked=True)
            participant.call.run(now)
            return participant.call

    def end_conference(self, conference: str) -> Room:
        """POST …/Conferences/{Sid}.json Status=completed: everybody leaves."""
        with self.lock:
            room = self.room(conference)
            now = self.clock.now()
            self.conferences.end(now, room, "conference-ended-via-api")
            self.tick()
            return room

    def redirect_call(self, call_sid: str, url: str) -> SandboxCall:
        """POST /Calls/{CallSid}.json with Url: a live leg drops what it was doing (its conference too:
        it leaves the room without its <Dial> action) and runs `url`'s TwiML. MemberNotFound when the
        call is not live."""
        with self.lock:
            now = self.clock.now()
            call = self.calls.get(call_sid)
            if call is None or call.ended:
                raise MemberNotFound(f"{call_sid} is not live")
            if getattr(call, "conference", None) is not None:
                self.conferences.leave(now, call, gone=True)
            call.verbs.clear()
            call.busy_until = now
            call.fetch(now, url)
            call.run(now)
            return call

    # -- calls in and out ------------------------------------------------------------------
    def dial(self, from_: str, to: str) -> SandboxCall:
        """Place a call to the hotline: Twilio requests the Voice URL."""
        with self.lock:
            now = self.clock.now()
            call = SandboxCall(self, from_, to, now)
            self.add(call)
            call.fetch(now, self.settings.voice_url, {"CallStatus": "ringing"})
            call.run(now)
            return call

    def create_call(
        self, to: str, from_: str, url: str, status_callback: str | None = None, timeout: int = 30
    ) -> SandboxCall:
        """REST "create a call": an outbound-api leg ringing at the device `to` for `timeout` seconds.

        Once answered, `url` is requested and its TwiML runs for the callee; `status_callback` (if
        any) hears how the call ended: completed, no-answer, busy, canceled or failed.
        """
        to = (to or "").strip()
        if not to:
            raise ValueError("a call needs a To: a phone number or client:<identity>")
        if not url:
            raise ValueError("a call needs a Url for its TwiML")
        if timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        with self.lock:
            now = self.clock.now()
            call = SandboxCall(self, from_, to, now, direction=OUTBOUND_API, status_callback=status_callback or None)
            call.ring(now, timeout, url)
            self.add(call)
            return call

    def add(self, call: SandboxCall) -> None:
        """Register a new leg (an inbound call, a dialled device, a created call)."""
        self.calls[call.call_sid] = call

    def get(self, call_sid: str) -> SandboxCall | None:
        """A call leg of this sandbox, brought up to date with the clock."""
        with self.lock:
            call = self.calls.get(call_sid)
            if call is not None:
                self._settle(call, self.clock.now())
            return call

    def tick(self) -> None:
        """Bring every call up to the clock's time (prompts, ring and record timeouts, wait loops)."""
        with self.lock:
            now = self.clock.now()
            for call in list(self.calls.values()):
                call.run(now)

    def device_calls(self, address: str) -> list[SandboxCall]:
        """The legs ringing at, or in progress at, the device `address` ("client:<identity>" or a number)."""
        key = device_key(address)
        if key in ("", "client:"):
            return []
        with self.lock:
            self.tick()
            return [
                call
                for call in self.calls.values()
                if call.direction != INBOUND and not call.ended and device_key(call.to) == key
            ]

    # -- what the parties do -------------------------------------------------------------------
    def press(self, call_sid: str, keys: str) -> SandboxCall | None:
        """The party of `call_sid` presses `keys`."""
        with self.lock:
            call = self.calls.get(call_sid)
            if call is not None:
                now = self.clock.now()
                call.press(now, keys)
                self._settle(call, now)
            return call

    def hang_up(self, call_sid: str) -> SandboxCall | None:
        """The party of `call_sid` hangs up (the caller of an inbound call, the device of an outbound leg)."""
        with self.lock:
            call = self.calls.get(call_sid)
            if call is not None:
                now = self.clock.now()
                call.hang_up(now)
                self._settle(call, now)
            return call

    def answer(self, call_sid: str) -> SandboxCall | None:
        """The device picks up the ringing leg `call_sid` (None when unknown; NotRinging otherwise)."""
        with self.lock:
            call = self._ringing(call_sid)
            if call is not None:
                now = self.clock.now()
                call.answer(now)
                self._settle(call, now)
            return call

    def reject(self, call_sid: str) -> SandboxCall | None:
        """The device declines the ringing leg `call_sid`: busy (None when unknown; NotRinging otherwise)."""
        with self.lock:
            call = self._ringing(call_sid)
            if call is not None:
                now = self.clock.now()
                call.reject(now)
                self._settle(call, now)
            return call

    def cancel(self, call_sid: str) -> SandboxCall | None:
        """REST "update a call" with Status=canceled: a ringing leg stops ringing (None when unknown)."""
        with self.lock:
            call = self._ringing(call_sid)
            if call is not None:
                now = self.clock.now()
                call.cancel(now)
                self._settle(call, now)
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

    def redirect_member(self, queue_sid: str, call_sid: str, url: str) -> SandboxCall:
        """REST "update a queue member" with a Url: the caller leaves the queue and `url`'s TwiML runs.

        The <Enqueue> action hears QueueResult=redirected (its answer is not executed). Raises
        MemberNotFound when `call_sid` is not waiting in the queue `queue_sid`.
        """
        with self.lock:
            now = self.clock.now()
            call = self.calls.get(call_sid)
            if call is not None:
                self._settle(call, now)
            if call is None or call.ended or call.queue is None or state.queue_sid(call.queue.name) != queue_sid:
                raise MemberNotFound(f"{call_sid} is not waiting in queue {queue_sid}")
            call.redirect_from_queue(now, url)
            self._settle(call, now)
            return call

    def _ringing(self, call_sid: str) -> SandboxCall | None:
        call = self.calls.get(call_sid)
        if call is None:
            return None
        self._settle(call, self.clock.now())  # a leg whose ring timeout has passed is no-answer by now
        if call.status != RINGING:
            raise NotRinging(f"Call {call_sid} is {call.status}, not ringing.")
        return call

    def _settle(self, call: SandboxCall, now: datetime) -> None:
        """Bring `call` and the legs it is tied to up to `now` (the dialling leg runs its dialled leg)."""
        root = call
        while root.parent is not None:
            root = root.parent
        root.run(now)
        call.run(now)

    # -- recordings --------------------------------------------------------------------------
    def store_recording(self, call: SandboxCall, started_at: datetime, duration: int) -> Recording:
        """Keep a <Record>ing of `duration` seconds; its URL is served by the sandbox pages."""
        sid = new_recording_sid()
        base = self.settings.recordings_base_url.rstrip("/")
        if not base:
            parts = urlsplit(self.settings.voice_url)
            base = f"{parts.scheme}://{parts.netloc}/sandbox/recordings"
        recording = Recording(sid, call.call_sid, duration, started_at, f"{base}/{sid}")
        self.recordings[sid] = recording
        return recording

    def recording(self, recording_sid: str) -> Recording | None:
        """A recording made in this sandbox, by SID."""
        with self.lock:
            return self.recordings.get(recording_sid)

    # -- queues ----------------------------------------------------------------------------
    def join(self, call: SandboxCall) -> None:
        assert call.queue is not None
        self.queues.setdefault(call.queue.name, []).append(call)

    def leave(self, call: SandboxCall) -> None:
        if call.queue is not None and call in self.queues.get(call.queue.name, []):
            self.queues[call.queue.name].remove(call)

    def waiting(self, name: str) -> list[SandboxCall]:
        """The callers in queue `name`, front first (a copy, taken under the lock)."""
        with self.lock:
            return list(self.queues.get(name, []))

    def size(self, name: str) -> int:
        return len(self.queues.get(name, []))

    def position(self, call: SandboxCall) -> int:
        assert call.queue is not None
        return self.queues.get(call.queue.name, []).index(call) + 1

    def waits(self, name: str, now: datetime) -> list[float]:
        return [(now - c.queue.entered_at).total_seconds() for c in self.queues.get(name, []) if c.queue]
