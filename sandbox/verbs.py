"""The TwiML verbs a sandbox leg plays by itself: <Say>, <Play>, <Pause>, <Gather> and <Record>.

`TwimlVerbs` is mixed into `SandboxCall` (call.py), whose state and helpers (`verbs`, `busy_until`,
`_note`, `fetch`, `resolve`, ...) its methods use; `_execute` dispatches every verb, handing <Enqueue>,
<Leave> and <Dial> to the queue and dial half (connect.py).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import deque
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

from .state import COMPLETED, GatherState, RecordState

CHARS_PER_SECOND = 15.0  # how fast TTS speaks, to give <Say> a duration
DEFAULT_RECORD_MAX_LENGTH = 3600.0
DEFAULT_RECORD_FINISH_KEYS = "1234567890*#"


def positive(raw: str | None, default: float) -> float:
    try:
        value = float(raw) if raw not in (None, "") else default
    except ValueError:
        return default
    return value if value > 0 else default


class TwimlVerbs:
    """How a leg executes one TwiML verb, and the <Gather> and <Record> it may be in."""

    # provided by SandboxCall
    switch: Any
    verbs: deque[ET.Element]

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

    # -- <Record> -----------------------------------------------------------------------------
    def _start_record(self, now: datetime, verb: ET.Element) -> None:
        finish = verb.get("finishOnKey")
        finish_on_key = DEFAULT_RECORD_FINISH_KEYS if finish is None else finish
        max_length = positive(verb.get("maxLength"), DEFAULT_RECORD_MAX_LENGTH)
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
