"""Simulated Twilio calls: the signed webhooks one caller's call sends, and checks of the answers.

A call walks incoming → language (key 2: branch 2, answered with the group menu) → group (key 1:
<Enqueue>) → several queue-wait turns → the <Enqueue> action (QueueResult=hangup: the caller gave up)
→ the final status callback (completed), so every call the
benchmark opens is closed in the database. Each request carries Twilio's parameters and a valid
X-Twilio-Signature for the exact URL requested (path and query string included).
"""

from __future__ import annotations

import random
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bench.common import BARE_BODY, BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN, public_base_url
from ivr.prompts import DEFAULT_PROMPTS

HOTLINE_TO = "+8419009299"
API_VERSION = "2010-04-01"
# The words the app says when a webhook failed and it answered its fallback TwiML.
FALLBACK_TEXTS = frozenset(DEFAULT_PROMPTS["technical_error"].values())


@dataclass(frozen=True)
class Step:
    """One webhook of a call: where Twilio posts it, what it posts, and the TwiML verb expected back."""

    label: str
    path: str  # path and query string, exactly as requested (and signed)
    params: dict[str, str]
    expect: str | None  # a verb the <Response> must contain; None: an empty <Response/>


@dataclass(frozen=True)
class Request:
    """A step ready to send: URL path, form body and headers (signature included)."""

    label: str
    path: str
    body: bytes
    headers: dict[str, str]
    expect: str | None


def call_steps(rng: random.Random, waits: int) -> list[Step]:
    """The webhooks of one simulated call, in order; the last one is always the status callback."""
    base = {
        "CallSid": "CA" + uuid.uuid4().hex,
        "AccountSid": BENCH_ACCOUNT_SID,
        "From": f"+8491{rng.randrange(10**7):07d}",
        "To": HOTLINE_TO,
        "Direction": "inbound",
        "ApiVersion": API_VERSION,
    }
    live = {**base, "CallStatus": "in-progress"}
    steps = [
        Step("incoming", "/ivr/incoming", {**base, "CallStatus": "ringing"}, "Gather"),
        Step("language", "/ivr/language", {**live, "Digits": "2"}, "Gather"),
        Step("group", "/ivr/group?attempt=1&lang=vi", {**live, "Digits": "1"}, "Enqueue"),
    ]
    queue = {"QueueSid": "QU" + uuid.uuid4().hex, "AvgQueueTime": "45", "MaxQueueSize": "1000"}
    position = rng.randint(1, 20)
    for turn in range(waits):
        wait = {
            **live,
            **queue,
            "QueuePosition": str(max(1, position - turn)),
            "QueueTime": str(30 * turn),
            "CurrentQueueSize": str(position + rng.randint(0, 10)),
        }
        steps.append(Step("queue_wait", "/ivr/queue/wait?branch=2&lang=vi", wait, "Play"))
    # The caller hangs up while waiting: Twilio calls the <Enqueue> action (QueueResult=hangup), then
    # sends the final status callback.
    exit_params = {**live, **queue, "QueueResult": "hangup", "QueueTime": str(30 * waits)}
    steps.append(Step("queue_exit", "/ivr/queue/exit?branch=2&lang=vi", exit_params, None))
    hangup = {**base, "CallStatus": "completed", "CallDuration": str(20 + 30 * waits)}
    steps.append(Step("status", "/ivr/status", hangup, None))
    return steps


class Target:
    """What the load generator talks to: turns call steps into requests and judges the answers."""

    name = "ivr"
    health_path = "/healthz"

    def __init__(self, port: int, waits: int) -> None:
        self.base_url = public_base_url(port)
        self.waits = waits
        self.validator = RequestValidator(BENCH_AUTH_TOKEN)

    def path_for(self, step: Step) -> str:
        """The path a step is posted to."""
        return step.path

    def call_requests(self, rng: random.Random) -> list[Request]:
        """The signed requests of one new simulated call."""
        return [self.prepare(step) for step in call_steps(rng, self.waits)]

    def prepare(self, step: Step) -> Request:
        """Form-encode and sign one step, as Twilio would for the URL it requests."""
        path = self.path_for(step)
        signature = self.validator.compute_signature(self.base_url + path, step.params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
            "User-Agent": "TwilioProxy/1.1 (ivr-load benchmark)",
        }
        return Request(step.label, path, urlencode(step.params).encode(), headers, step.expect)

    def check(self, request: Request, status: int, body: bytes) -> str | None:
        """None when the answer is the TwiML the step expects, else a short description of the problem."""
        if status != 200:
            return f"HTTP {status}"
        return check_twiml(body, request.expect)


class BareTarget(Target):
    """The baseline: the same signed bodies, posted to the bare app's one route."""

    name = "bare"
    health_path = "/"

    def path_for(self, step: Step) -> str:
        return "/"

    def check(self, request: Request, status: int, body: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status}"
        return None if body.decode(errors="replace") == BARE_BODY else "unexpected body"


TARGETS: dict[str, type[Target]] = {"ivr": Target, "bare": BareTarget}


def check_twiml(body: bytes, expect: str | None) -> str | None:
    """None when `body` is a TwiML <Response> with the expected verb and no fallback apology."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return "not XML"
    if root.tag != "Response":
        return f"root is <{root.tag}>, not <Response>"
    if any((say.text or "") in FALLBACK_TEXTS for say in root.iter("Say")):
        return "fallback TwiML (the webhook failed)"
    if expect is None:
        return None if len(root) == 0 else "expected an empty <Response/>"
    return None if root.find(f".//{expect}") is not None else f"no <{expect}>"
