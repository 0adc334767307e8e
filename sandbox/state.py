"""The small records the sandbox keeps: identifiers, device addresses, what a party heard, the
"phone number" settings, and the state of the verb a call is in (a <Gather>, <Enqueue>, <Dial> or
<Record> waiting for the caller, the clock or the other party)."""

from __future__ import annotations

import hashlib
import re
import secrets
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .call import SandboxCall

INBOUND, OUTBOUND_DIAL, OUTBOUND_API = "inbound", "outbound-dial", "outbound-api"
RINGING, IN_PROGRESS = "ringing", "in-progress"
COMPLETED, BUSY, NO_ANSWER, CANCELED, FAILED = "completed", "busy", "no-answer", "canceled", "failed"
FINAL_STATUSES = frozenset({COMPLETED, BUSY, NO_ANSWER, CANCELED, FAILED})


def new_call_sid() -> str:
    """A fresh Twilio-shaped call SID."""
    return "CA" + secrets.token_hex(16)


def new_recording_sid() -> str:
    """A fresh Twilio-shaped recording SID."""
    return "RE" + secrets.token_hex(16)


def queue_sid(name: str) -> str:
    """A stable Twilio-shaped queue SID for a queue name."""
    return "QU" + hashlib.md5(name.encode("utf-8")).hexdigest()  # noqa: S324 - an identifier, not security


def device_key(address: str) -> str:
    """The device an address rings: "client:<identity>" as is, a phone number as its international digits.

    Vietnamese numbers are compared the way people write them: "0912 345 678", "+84912345678" and
    "0084912345678" are the same phone.
    """
    address = address.strip()
    if address.lower().startswith("client:"):
        return "client:" + address[len("client:") :]
    digits = re.sub(r"\D", "", address)
    if address.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits


@dataclass
class Heard:
    """One line of what the party of a call leg heard or did."""

    at: float  # seconds since the leg started
    kind: str  # say, play, pause, key, queue, ring, connect, record, beep, info, end
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
class SandboxSettings:
    """The sandbox "phone number": its webhooks, and how long a <Play> lasts."""

    voice_url: str
    status_callback_url: str
    account_sid: str
    play_seconds: float = 30.0
    connect_url: str = ""  # the `url` of an agent's <Dial><Queue url=…>
    recordings_base_url: str = ""  # where <Record>ings are served; default: /sandbox/recordings on voice_url's host


@dataclass
class GatherState:
    """A <Gather> collecting keys."""

    action: str
    num_digits: int | None
    finish_on_key: str
    timeout: float
    digits: str = ""
    listen_until: datetime | None = None  # set once its prompts have finished (or a key was pressed)


@dataclass
class QueueState:
    """An <Enqueue>: the caller waits in a named queue."""

    name: str
    action: str
    wait_url: str
    entered_at: datetime
    max_size: int


@dataclass
class AgentBridge:
    """A caller taken from a queue by a (simulated) agent's <Dial><Queue>."""

    queue: QueueState
    at: datetime
    agent_sid: str


@dataclass
class DialState:
    """A <Dial> in progress: the dialled leg rings, whispers, or is bridged with this one."""

    child: SandboxCall
    action: str | None
    started_at: datetime


@dataclass
class RecordState:
    """A <Record> in progress."""

    action: str
    finish_on_key: str
    started_at: datetime
    until: datetime  # maxLength reached
    status_callback: str | None
    rest: deque[ET.Element]  # the verbs after the <Record>: Twilio runs them only after an empty recording
