"""The sandbox engine tests' stand-in app and helpers: a tiny app whose webhooks answer fixed TwiML and
keep every request, the switch on a fake clock, and the parameters Twilio sends about each leg.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import format_datetime
from typing import Any

from flask import Flask, Response, request
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from callcenter.common.clock import FakeClock
from sandbox import SandboxCall, SandboxSwitch
from sandbox.views import bp as sandbox_bp

BASE = "http://sandbox.test"


TOKEN = "token"


ACCOUNT = "AC" + "0" * 32


CALLER = "+84912345678"


HOTLINE = "+8419009299"


Reply = VoiceResponse | Response | Callable[[dict[str, str]], VoiceResponse]


class Hotline:
    """A tiny app: each webhook answers the TwiML a test gave it (empty by default); every request is kept."""

    def __init__(self) -> None:
        self.app = Flask(__name__)
        self.replies: dict[str, Reply] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.validator = RequestValidator(TOKEN)
        self.app.add_url_rule("/voice", "voice", self._hook, methods=["POST"])
        self.app.add_url_rule("/status", "status", self._hook, methods=["POST"])
        self.app.add_url_rule("/hook/<name>", "hook", self._hook, methods=["POST"])
        self.app.register_blueprint(sandbox_bp)

    def _hook(self, name: str | None = None) -> Response:
        form = request.form.to_dict()
        signed = self.validator.validate(BASE + request.path, form, request.headers.get("X-Twilio-Signature", ""))
        self.requests.append((request.path, form))
        if not signed:
            return Response("bad signature", status=403)
        reply = self.replies.get(request.path, VoiceResponse())
        if isinstance(reply, Response):
            return reply
        if callable(reply):
            reply = reply(form)
        return Response(str(reply), mimetype="application/xml")

    def on(self, path: str, reply: Reply) -> None:
        """Answer `path` with `reply` (TwiML, or a function of the request's form)."""
        self.replies[path] = reply

    def posts(self, path: str) -> list[dict[str, str]]:
        """The forms POSTed to `path`, in order."""
        return [form for p, form in self.requests if p == path]

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


# -- helpers ------------------------------------------------------------------------------------
def url(name: str) -> str:
    return f"{BASE}/hook/{name}"


def twiml(build: Callable[[VoiceResponse], Any]) -> VoiceResponse:
    response = VoiceResponse()
    build(response)
    return response


def say(*texts: str, hangup: bool = False) -> VoiceResponse:
    response = VoiceResponse()
    for text in texts:
        response.say(text)
    if hangup:
        response.hangup()
    return response


def advance(switch: SandboxSwitch, clock: FakeClock, seconds: float, step: float = 1.0) -> None:
    """Let `seconds` pass one step at a time, ticking the switch as a polling phone would."""
    elapsed = 0.0
    while elapsed < seconds:
        clock.advance(step)
        elapsed += step
        switch.tick()


def inbound(call: SandboxCall, **extra: str) -> dict[str, str]:
    """The parameters Twilio sends about the test's inbound call."""
    return {
        "CallSid": call.call_sid,
        "AccountSid": ACCOUNT,
        "From": CALLER,
        "To": HOTLINE,
        "Caller": CALLER,
        "Called": HOTLINE,
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "FromCountry": "VN",
        "ToCountry": "VN",
        **extra,
    }


def leg(call: SandboxCall, **extra: str) -> dict[str, str]:
    """The parameters Twilio sends about an outbound leg (ToCountry only for a phone number)."""
    params = {
        "CallSid": call.call_sid,
        "AccountSid": ACCOUNT,
        "From": call.from_,
        "To": call.to,
        "Caller": call.from_,
        "Called": call.to,
        "CallStatus": "in-progress",
        "Direction": call.direction,
        "ApiVersion": "2010-04-01",
        "FromCountry": "VN",
    }
    if call.parent is not None:
        params["ParentCallSid"] = call.parent.call_sid
    if not call.to.startswith("client:"):
        params["ToCountry"] = "VN"
    return {**params, **extra}


def status_params(call: SandboxCall, base: dict[str, str], status: str, duration: int, sequence: int = 0) -> dict:
    assert call.ended_at is not None
    return {
        **base,
        "CallStatus": status,
        "CallDuration": str(duration),
        "Timestamp": format_datetime(call.ended_at),
        "SequenceNumber": str(sequence),
        "CallbackSource": "call-progress-events",
    }


def heard(call: SandboxCall, kind: str | None = None) -> list[str]:
    return [h.text for h in call.heard if kind is None or h.kind == kind]
