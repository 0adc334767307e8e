"""The sandbox engine on its own, against a tiny app whose webhooks answer fixed TwiML and keep every
request: dequeue by REST, <Dial> (whisper, bridge, no-answer, busy, hang-ups), REST-created calls,
devices, <Record> and its WAV, and <Gather> inside a queue's wait loop, with Twilio's exact parameters.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from callcenter.common.clock import FakeClock
from sandbox import MemberNotFound, NotRinging, SandboxCall, SandboxSettings, SandboxSwitch
from sandbox.engine import queue_sid
from sandbox.transport import WsgiTransport
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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hotline() -> Hotline:
    return Hotline()


@pytest.fixture
def switch(hotline: Hotline, clock: FakeClock) -> SandboxSwitch:
    settings = SandboxSettings(voice_url=f"{BASE}/voice", status_callback_url=f"{BASE}/status", account_sid=ACCOUNT)
    sandbox = SandboxSwitch(settings, WsgiTransport(hotline.app, TOKEN, BASE), clock)
    hotline.app.extensions["sandbox"] = sandbox
    return sandbox


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


def enqueue(queue: str = "support", wait: str = "wait", action: str = "queue-exit") -> VoiceResponse:
    return twiml(lambda r: r.enqueue(queue, action=url(action), wait_url=url(wait)))


def dial_client(identity: str, *, timeout: int = 20, action: str | None = "dial-result", whisper: str | None = None):
    """TwiML: say a line, then <Dial><Client> `identity`."""

    def build(r: VoiceResponse) -> None:
        r.say("Connecting")  # 10 characters: 1 s
        kwargs: dict[str, Any] = {"timeout": timeout}
        if action:
            kwargs["action"] = url(action)
        dial = r.dial(**kwargs)
        if whisper:
            dial.client(identity, url=url(whisper), method="POST")
        else:
            dial.client(identity)

    return twiml(build)


# -- REST: update a queue member --------------------------------------------------------------
def test_redirect_member_takes_the_caller_out_of_the_queue_and_runs_the_url(hotline, switch, clock) -> None:
    hotline.on("/voice", enqueue())
    hotline.on("/hook/wait", twiml(lambda r: r.pause(length=5)))
    hotline.on("/hook/queue-exit", say("This must not be played"))
    hotline.on("/hook/connect", say("An agent will take your call"))
    call = switch.dial(CALLER, HOTLINE)
    other = switch.dial("+84900000002", HOTLINE)
    advance(switch, clock, 12)

    returned = switch.redirect_member(queue_sid("support"), call.call_sid, url("connect"))

    assert returned is call and call.queue is None and not call.ended
    assert switch.size("support") == 1 and switch.position(other) == 1
    assert hotline.posts("/hook/queue-exit") == [
        inbound(call, QueueResult="redirected", QueueSid=queue_sid("support"), QueueTime="12")
    ]
    assert hotline.posts("/hook/connect") == [inbound(call)]
    assert hotline.paths()[-2:] == ["/hook/queue-exit", "/hook/connect"], "the action first, then the url"
    assert heard(call, "say") == ["An agent will take your call"], "the action's answer is not executed"
    advance(switch, clock, 3)
    assert call.ended and hotline.posts("/status")[-1]["CallSid"] == call.call_sid


def test_redirect_member_of_a_call_not_in_that_queue_raises_member_not_found(hotline, switch, clock) -> None:
    hotline.on("/voice", enqueue())
    hotline.on("/hook/wait", twiml(lambda r: r.pause(length=5)))
    call = switch.dial(CALLER, HOTLINE)
    with pytest.raises(MemberNotFound):
        switch.redirect_member(queue_sid("another-queue"), call.call_sid, url("connect"))
    with pytest.raises(MemberNotFound):
        switch.redirect_member(queue_sid("support"), "CA" + "f" * 32, url("connect"))
    assert issubclass(MemberNotFound, LookupError)
    assert call.queue is not None and not hotline.posts("/hook/queue-exit"), "a failed request changes nothing"
    switch.hang_up(call.call_sid)
    with pytest.raises(MemberNotFound):
        switch.redirect_member(queue_sid("support"), call.call_sid, url("connect"))


# -- <Dial><Client> ---------------------------------------------------------------------------
def test_dialled_client_answers_hears_the_whisper_is_bridged_and_hangs_up(hotline, switch, clock) -> None:
    hotline.on("/voice", dial_client("alice", whisper="whisper"))
    hotline.on("/hook/whisper", say("A caller from branch two, ok"))  # 28 characters: ~1.9 s
    hotline.on("/hook/dial-result", say("Thank you, goodbye", hangup=True))
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 1)

    [child] = switch.device_calls("client:alice")
    assert (child.direction, child.status, child.parent) == ("outbound-dial", "ringing", call)
    assert (child.from_, child.to) == (CALLER, "client:alice")
    assert heard(call, "ring") == ["Ringing client:alice"] and call.state(clock.now())["dialling"] == {
        "call_sid": child.call_sid,
        "to": "client:alice",
        "status": "ringing",
    }
    advance(switch, clock, 5)
    assert switch.answer(child.call_sid) is child  # 6 s into the call

    assert child.status == "in-progress"
    assert hotline.posts("/hook/whisper") == [leg(child)]
    assert hotline.posts("/hook/whisper")[0]["ParentCallSid"] == call.call_sid
    assert heard(child, "say") == ["A caller from branch two, ok"], "the whisper is for the agent only"
    assert heard(call, "say") == ["Connecting"]
    assert call.bridged_with is None, "not bridged while the whisper plays"
    advance(switch, clock, 2)

    assert call.bridged_with is child and child.bridged_with is call
    assert heard(call, "connect") == ["Connected with client:alice"]
    assert heard(child, "connect") == ["Answered", f"Connected with {CALLER}"]
    state = child.state(clock.now())
    assert state["bridged_with"] == call.call_sid and state["talking_to"] == {
        "from": CALLER,
        "to": HOTLINE,
        "party": CALLER,
    }
    assert state["parent_call_sid"] == call.call_sid and state["direction"] == "outbound-dial"
    caller_state = call.state(clock.now())
    assert caller_state["with_agent"] and caller_state["talking_to"] == {
        "from": CALLER,
        "to": "client:alice",
        "party": "client:alice",
    }

    advance(switch, clock, 60)
    switch.hang_up(child.call_sid)  # 68 s into the call, 62 s after the answer

    assert child.ended and child.status == "completed"
    assert hotline.posts("/hook/dial-result") == [
        inbound(call, DialCallStatus="completed", DialCallSid=child.call_sid, DialCallDuration="62")
    ]
    assert heard(call, "say")[-1] == "Thank you, goodbye"
    advance(switch, clock, 3)
    assert call.ended and call.status == "completed"
    assert hotline.posts("/status") == [status_params(call, inbound(call), "completed", 69)]
    assert switch.device_calls("client:alice") == []


def test_whisper_that_hangs_up_ends_the_dial_without_a_bridge(hotline, switch, clock) -> None:
    def whisper(r: VoiceResponse) -> None:
        r.gather(num_digits=1, action=url("accept"), timeout=4).say("Press 1 to accept")  # 17 characters
        r.hangup()

    hotline.on("/voice", dial_client("alice", whisper="whisper"))
    hotline.on("/hook/whisper", twiml(whisper))
    hotline.on("/hook/dial-result", say("Nobody took the call"))
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 2)
    [child] = switch.device_calls("client:alice")
    switch.answer(child.call_sid)  # 2 s
    assert child.gather is not None and call.bridged_with is None
    advance(switch, clock, 6)  # 1.1 s of prompt, 4 s of silence, then <Hangup>

    assert child.status == "completed" and call.bridged_with is None
    assert hotline.posts("/hook/accept") == []
    assert hotline.posts("/hook/dial-result") == [
        inbound(call, DialCallStatus="completed", DialCallSid=child.call_sid, DialCallDuration="5")
    ]
    assert heard(call, "say")[-1] == "Nobody took the call" and "connect" not in [h.kind for h in call.heard]


def test_dialled_client_not_answering_in_time_is_no_answer_and_the_call_goes_on(hotline, switch, clock) -> None:
    hotline.on("/voice", dial_client("alice", timeout=15))
    hotline.on("/hook/dial-result", say("Nobody is free, please hold"))
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 15)  # rings from 1 s to 16 s
    [child] = switch.device_calls("client:alice")
    assert child.status == "ringing" and not hotline.posts("/hook/dial-result")

    advance(switch, clock, 1)

    assert child.status == "no-answer" and child.ended
    assert hotline.posts("/hook/dial-result") == [
        inbound(call, DialCallStatus="no-answer", DialCallSid=child.call_sid, DialCallDuration="0")
    ]
    assert heard(call, "say")[-1] == "Nobody is free, please hold"
    assert switch.device_calls("client:alice") == []
    with pytest.raises(NotRinging):
        switch.answer(child.call_sid)
    assert not [p for p in hotline.posts("/status") if p["CallSid"] == child.call_sid], "a dialled leg: no callback"


def test_dialled_client_rejecting_is_busy(hotline, switch, clock) -> None:
    hotline.on("/voice", dial_client("alice"))
    hotline.on("/hook/dial-result", say("The line is busy"))
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 4)
    [child] = switch.device_calls("client:alice")

    assert switch.reject(child.call_sid) is child

    assert child.status == "busy" and heard(child, "end")[0] == "Declined"
    assert hotline.posts("/hook/dial-result") == [
        inbound(call, DialCallStatus="busy", DialCallSid=child.call_sid, DialCallDuration="0")
    ]
    assert heard(call, "say")[-1] == "The line is busy"
    with pytest.raises(NotRinging):
        switch.reject(child.call_sid)
    assert switch.reject("CA" + "0" * 32) is None


def test_caller_hanging_up_while_the_client_rings_cancels_it(hotline, switch, clock) -> None:
    hotline.on("/voice", dial_client("alice"))
    hotline.on("/hook/dial-result", say("This must not be played"))
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 5)
    [child] = switch.device_calls("client:alice")

    switch.hang_up(call.call_sid)

    assert child.status == "canceled" and call.status == "completed"
    assert hotline.posts("/hook/dial-result") == [
        inbound(
            call, CallStatus="completed", DialCallStatus="canceled", DialCallSid=child.call_sid, DialCallDuration="0"
        )
    ]
    assert hotline.posts("/status") == [status_params(call, inbound(call), "completed", 5)]
    assert hotline.paths()[-2:] == ["/hook/dial-result", "/status"]
    assert "This must not be played" not in heard(call)
    advance(switch, clock, 60)
    assert len(hotline.posts("/status")) == 1 and len(hotline.posts("/hook/dial-result")) == 1


def test_caller_hanging_up_while_bridged_completes_the_dialled_leg(hotline, switch, clock) -> None:
    hotline.on("/voice", dial_client("alice"))
    hotline.on("/hook/dial-result", say("This must not be played"))
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 3)
    [child] = switch.device_calls("client:alice")
    switch.answer(child.call_sid)  # no url: bridged at once
    assert call.bridged_with is child
    advance(switch, clock, 40)

    switch.hang_up(call.call_sid)

    assert child.status == "completed" and heard(child, "end")[0] == "The other party hung up"
    assert hotline.posts("/hook/dial-result") == [
        inbound(
            call, CallStatus="completed", DialCallStatus="completed", DialCallSid=child.call_sid, DialCallDuration="40"
        )
    ]
    assert hotline.posts("/status") == [status_params(call, inbound(call), "completed", 43)]
    assert hotline.paths()[-2:] == ["/hook/dial-result", "/status"]


# -- <Dial><Number> ---------------------------------------------------------------------------
def test_dial_number_without_action_goes_on_with_the_next_verbs(hotline, switch, clock) -> None:
    def build(r: VoiceResponse) -> None:
        r.dial(caller_id=HOTLINE).number("0987 654 321")
        r.say("After the dial")

    hotline.on("/voice", twiml(build))
    call = switch.dial(CALLER, HOTLINE)
    [child] = switch.device_calls("+84987654321")
    assert (child.from_, child.to, child.direction) == (HOTLINE, "0987 654 321", "outbound-dial")
    assert heard(call, "say") == [], "the caller hears ringing, not the next verb"
    switch.answer(child.call_sid)
    assert heard(call, "connect") == ["Connected with 0987 654 321"]
    advance(switch, clock, 10)

    switch.hang_up(child.call_sid)

    assert heard(call, "say") == ["After the dial"]
    advance(switch, clock, 2)
    assert call.ended and len(hotline.posts("/status")) == 1
    assert [p for p, _ in hotline.requests] == ["/voice", "/status"], "no action, no whisper, one status callback"


# -- REST: create a call ----------------------------------------------------------------------
def test_created_call_to_a_client_dials_a_number_that_answers(hotline, switch, clock) -> None:
    def outbound(form: dict[str, str]) -> VoiceResponse:
        response = VoiceResponse()
        response.say("Calling the citizen back")  # 24 characters: 1.6 s
        response.dial(action=url("callback-result"), timeout=25).number("0912345678")
        return response

    hotline.on("/hook/outbound", outbound)
    hotline.on("/hook/callback-result", say("Done", hangup=True))
    call = switch.create_call("client:agent7", HOTLINE, url("outbound"), url("outbound-status"), 20)
    assert (call.direction, call.status, call.from_, call.to) == ("outbound-api", "ringing", HOTLINE, "client:agent7")
    assert switch.device_calls("client:agent7") == [call] and hotline.requests == []
    advance(switch, clock, 3)

    switch.answer(call.call_sid)

    assert hotline.posts("/hook/outbound") == [leg(call)]
    advance(switch, clock, 2)
    [child] = switch.device_calls("0912 345 678")
    assert (child.parent, child.from_, child.to) == (call, HOTLINE, "0912345678")
    switch.answer(child.call_sid)
    assert call.bridged_with is child and heard(child, "connect")[-1] == "Connected with client:agent7"
    advance(switch, clock, 30)

    switch.hang_up(child.call_sid)

    assert hotline.posts("/hook/callback-result") == [
        leg(call, DialCallStatus="completed", DialCallSid=child.call_sid, DialCallDuration="30")
    ]
    advance(switch, clock, 2)
    assert call.ended and call.status == "completed"
    assert hotline.posts("/hook/outbound-status") == [status_params(call, leg(call), "completed", 33)]
    assert hotline.posts("/status") == [], "the Voice URL's status callback is for inbound calls"


def test_created_call_dialling_a_number_that_does_not_answer(hotline, switch, clock) -> None:
    dial_back = twiml(lambda r: r.dial(action=url("callback-result"), timeout=10).number("0912345678"))
    hotline.on("/hook/outbound", dial_back)
    hotline.on("/hook/callback-result", say("The citizen did not answer"))
    call = switch.create_call("client:agent7", HOTLINE, url("outbound"), url("outbound-status"))
    switch.answer(call.call_sid)
    [child] = switch.device_calls("+84912345678")
    advance(switch, clock, 10)

    assert child.status == "no-answer"
    assert hotline.posts("/hook/callback-result") == [
        leg(call, DialCallStatus="no-answer", DialCallSid=child.call_sid, DialCallDuration="0")
    ]
    assert heard(call, "say") == ["The citizen did not answer"]
    advance(switch, clock, 2)
    assert call.ended, "after the 1.7 s <Say>, no more TwiML"
    assert hotline.posts("/hook/outbound-status") == [status_params(call, leg(call), "completed", 11)]


def test_created_call_not_answered_rejected_or_refused(hotline, switch, clock) -> None:
    missed = switch.create_call("+84912345678", HOTLINE, url("outbound"), url("outbound-status"), timeout=20)
    declined = switch.create_call("0987654321", HOTLINE, url("outbound"), url("outbound-status"))
    silent = switch.create_call("client:agent7", HOTLINE, url("outbound"))  # no status callback
    advance(switch, clock, 5)
    switch.reject(declined.call_sid)
    advance(switch, clock, 15)

    assert (missed.status, declined.status, silent.status) == ("no-answer", "busy", "ringing")
    missed_params = leg(missed, CallStatus="no-answer")
    declined_params = leg(declined, CallStatus="busy")
    assert hotline.posts("/hook/outbound-status") == [
        status_params(declined, declined_params, "busy", 0),
        status_params(missed, missed_params, "no-answer", 0),
    ]
    assert missed.ended_at == clock.now() and hotline.posts("/hook/outbound") == []
    advance(switch, clock, 10)
    assert silent.status == "no-answer" and len(hotline.requests) == 2
    with pytest.raises(ValueError):
        switch.create_call("", HOTLINE, url("outbound"))
    with pytest.raises(ValueError):
        switch.create_call("   ", HOTLINE, url("outbound"))


def test_created_call_canceled_or_failing_reports_it(hotline, switch, clock) -> None:
    hotline.on("/hook/broken", Response("boom", status=500))
    canceled = switch.create_call("0912345678", HOTLINE, url("outbound"), url("outbound-status"))
    failing = switch.create_call("client:agent7", HOTLINE, url("broken"), url("outbound-status"))
    advance(switch, clock, 2)

    switch.cancel(canceled.call_sid)
    switch.answer(failing.call_sid)

    assert (canceled.status, failing.status) == ("canceled", "failed")
    assert hotline.posts("/hook/outbound-status") == [
        status_params(canceled, leg(canceled, CallStatus="canceled"), "canceled", 0),
        status_params(failing, leg(failing), "failed", 0),
    ]
    with pytest.raises(NotRinging):
        switch.cancel(canceled.call_sid)


def test_created_call_hung_up_by_the_callee_reports_its_duration(hotline, switch, clock) -> None:
    hotline.on("/hook/outbound", twiml(lambda r: r.pause(length=600)))
    call = switch.create_call("0912345678", HOTLINE, url("outbound"), url("outbound-status"))
    advance(switch, clock, 4)
    switch.answer(call.call_sid)
    advance(switch, clock, 25)
    switch.hang_up(call.call_sid)
    assert hotline.posts("/hook/outbound-status") == [status_params(call, leg(call), "completed", 25)]
    assert call.duration == 25


# -- devices ------------------------------------------------------------------------------------
def test_device_calls_match_phone_numbers_written_either_way(hotline, switch, clock) -> None:
    hotline.on("/voice", twiml(lambda r: r.pause(length=60)))
    ringing = switch.create_call("+84912345678", HOTLINE, url("outbound"))
    answered = switch.create_call("0912 345 678", HOTLINE, url("outbound"))
    hotline.on("/hook/outbound", twiml(lambda r: r.pause(length=60)))
    switch.answer(answered.call_sid)
    elsewhere = switch.create_call("0987654321", HOTLINE, url("outbound"))
    agent = switch.create_call("client:Alice", HOTLINE, url("outbound"))
    switch.dial("0912345678", HOTLINE)  # an inbound call from that phone is not ringing at it

    for address in ("0912345678", "+84912345678", "0912 345 678", "84912345678", "0084912345678"):
        assert switch.device_calls(address) == [ringing, answered], address
    assert switch.device_calls("0987654321") == [elsewhere]
    assert switch.device_calls("client:Alice") == [agent] and switch.device_calls("client:alice") == []
    assert switch.device_calls("") == [] and switch.device_calls("client:") == []

    switch.hang_up(answered.call_sid)
    advance(switch, clock, 30)  # the others ring out
    assert switch.device_calls("0912345678") == []


# -- <Record> -----------------------------------------------------------------------------------
def voicemail() -> VoiceResponse:
    def build(r: VoiceResponse) -> None:
        r.say("Leave a message")  # 15 characters: 1 s
        r.record(
            action=url("recorded"),
            max_length=60,
            finish_on_key="#",
            recording_status_callback=url("recording-status"),
        )
        r.say("Never reached")

    return twiml(build)


def test_record_finished_with_hash_posts_the_recording_and_serves_a_wav(hotline, switch, clock) -> None:
    hotline.on("/voice", voicemail())
    hotline.on("/hook/recorded", say("Thank you", hangup=True))
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 1)
    assert heard(call, "beep") == ["beep"]
    assert call.state(clock.now())["recording"] == {"finish_on_key": "#", "seconds": 0}
    advance(switch, clock, 3)
    switch.press(call.call_sid, "5")  # not a finish key: just sound on the recording
    advance(switch, clock, 4)
    assert call.record is not None and not hotline.posts("/hook/recorded")

    switch.press(call.call_sid, "#")  # 7 s of recording

    [posted] = hotline.posts("/hook/recorded")
    sid, recording_url = posted["RecordingSid"], posted["RecordingUrl"]
    assert sid.startswith("RE") and len(sid) == 34
    assert recording_url == f"{BASE}/sandbox/recordings/{sid}"
    assert posted == inbound(call, RecordingUrl=recording_url, RecordingSid=sid, RecordingDuration="7", Digits="#")
    assert hotline.posts("/hook/recording-status") == [
        {
            "AccountSid": ACCOUNT,
            "CallSid": call.call_sid,
            "RecordingSid": sid,
            "RecordingUrl": recording_url,
            "RecordingStatus": "completed",
            "RecordingDuration": "7",
            "RecordingChannels": "1",
            "RecordingSource": "RecordVerb",
            "RecordingStartTime": format_datetime(call.started_at + timedelta(seconds=1)),
        }
    ]
    assert hotline.paths()[-2:] == ["/hook/recorded", "/hook/recording-status"]
    assert heard(call, "say") == ["Leave a message", "Thank you"], "the verbs after <Record> are not reached"
    advance(switch, clock, 2)
    assert call.ended and hotline.paths()[-1] == "/status"

    client = hotline.app.test_client()
    for path in (recording_url[len(BASE) :], recording_url[len(BASE) :] + ".wav"):
        reply = client.get(path)
        assert reply.status_code == 200 and reply.mimetype == "audio/wav"
        with wave.open(io.BytesIO(reply.data)) as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
            assert wav.getnframes() == 7 * 8000
    assert client.get("/sandbox/recordings/RE" + "0" * 32 + ".wav").status_code == 404
    assert client.get("/sandbox/recordings/nonsense.wav").get_json()["error"] == "not_found"


def test_record_ended_by_hanging_up_posts_digits_hangup_then_the_status_callback(hotline, switch, clock) -> None:
    hotline.on("/voice", voicemail())
    hotline.on("/hook/recorded", say("This must not be played"))
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 5)  # 4 s of recording

    switch.hang_up(call.call_sid)

    [posted] = hotline.posts("/hook/recorded")
    sid = posted["RecordingSid"]
    assert posted == inbound(
        call,
        CallStatus="completed",
        RecordingUrl=f"{BASE}/sandbox/recordings/{sid}",
        RecordingSid=sid,
        RecordingDuration="4",
        Digits="hangup",
    )
    assert hotline.paths()[-3:] == ["/hook/recorded", "/hook/recording-status", "/status"]
    assert hotline.posts("/status") == [status_params(call, inbound(call), "completed", 5)]
    assert switch.recording(sid) is not None and switch.recording(sid).duration == 4


def test_record_stops_at_max_length(hotline, switch, clock) -> None:
    hotline.on("/voice", twiml(lambda r: r.record(action=url("recorded"), max_length=10, play_beep=False)))
    hotline.on("/hook/recorded", say("Thank you", hangup=True))
    call = switch.dial(CALLER, HOTLINE)
    assert heard(call, "beep") == []
    advance(switch, clock, 15)
    [posted] = hotline.posts("/hook/recorded")
    assert posted["RecordingDuration"] == "10" and "Digits" not in posted
    assert call.ended


def test_record_accepts_any_key_by_default_and_skips_the_action_when_nothing_was_recorded(
    hotline, switch, clock
) -> None:
    def build(r: VoiceResponse) -> None:
        r.record(action=url("recorded"))
        r.say("Nothing recorded")

    hotline.on("/voice", twiml(build))
    call = switch.dial(CALLER, HOTLINE)
    switch.press(call.call_sid, "1")  # at once: an empty recording
    assert hotline.posts("/hook/recorded") == [] and heard(call, "say") == ["Nothing recorded"]

    second = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 3)
    switch.press(second.call_sid, "*")
    assert hotline.posts("/hook/recorded")[0]["Digits"] == "*"


# -- <Gather> in a queue's wait loop --------------------------------------------------------------
def wait_with_menu(hotline: Hotline) -> None:
    """waitUrl: a one-key menu; its action answers by key (2 stays, 1 leaves, 9 hangs up)."""

    def wait(form: dict[str, str]) -> VoiceResponse:
        response = VoiceResponse()
        gather = response.gather(num_digits=1, action=url("wait-key"), timeout=3)
        gather.say("Press 1 for voicemail")  # 21 characters: 1.4 s
        return response

    def key(form: dict[str, str]) -> VoiceResponse:
        response = VoiceResponse()
        if form["Digits"] == "1":
            response.leave()
        elif form["Digits"] == "9":
            response.hangup()
        else:
            response.say("You keep your place")  # 19 characters: 1.3 s
        return response

    hotline.on("/voice", enqueue())
    hotline.on("/hook/wait", wait)
    hotline.on("/hook/wait-key", key)
    hotline.on("/hook/queue-exit", say("Leave a message after the beep"))


def test_keys_in_the_wait_loop_keep_the_caller_in_the_same_place(hotline, switch, clock) -> None:
    wait_with_menu(hotline)
    first = switch.dial(CALLER, HOTLINE)
    second = switch.dial("+84900000002", HOTLINE)
    entered = first.queue.entered_at

    def waits_of_first() -> list[dict[str, str]]:
        return [p for p in hotline.posts("/hook/wait") if p["CallSid"] == first.call_sid]

    advance(switch, clock, 1)
    assert len(waits_of_first()) == 1 and first.gather is not None

    switch.press(first.call_sid, "2")

    assert hotline.posts("/hook/wait-key") == [inbound(first, Digits="2")]
    assert first.queue is not None and first.queue.entered_at == entered
    assert switch.position(first) == 1 and switch.position(second) == 2
    assert heard(first, "say")[-1] == "You keep your place"
    assert len(waits_of_first()) == 1, "the action's TwiML plays first"
    advance(switch, clock, 2)  # its 1.3 s <Say> is over: the waitUrl again, same queue, same place
    assert len(waits_of_first()) == 2
    assert waits_of_first()[-1] == inbound(
        first,
        QueueSid=queue_sid("support"),
        QueuePosition="1",
        QueueTime="2",  # asked again at 2.3 s
        AvgQueueTime="2",
        CurrentQueueSize="2",
        MaxQueueSize="1000",
    )
    assert heard(first, "say")[-1] == "Press 1 for voicemail"
    assert hotline.posts("/hook/queue-exit") == []


def test_leave_in_the_wait_loops_gather_action_leaves_the_queue(hotline, switch, clock) -> None:
    wait_with_menu(hotline)
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 5)

    switch.press(call.call_sid, "1")

    assert call.queue is None and switch.size("support") == 0
    assert hotline.posts("/hook/queue-exit") == [
        inbound(call, QueueResult="leave", QueueSid=queue_sid("support"), QueueTime="5")
    ]
    assert heard(call, "say")[-1] == "Leave a message after the beep"


def test_hangup_in_the_wait_loops_gather_action_ends_the_call(hotline, switch, clock) -> None:
    wait_with_menu(hotline)
    call = switch.dial(CALLER, HOTLINE)
    advance(switch, clock, 7)

    switch.press(call.call_sid, "9")

    assert call.ended and switch.size("support") == 0
    assert hotline.posts("/hook/queue-exit") == [
        inbound(call, QueueResult="hangup", QueueSid=queue_sid("support"), QueueTime="7")
    ]
    assert hotline.paths()[-2:] == ["/hook/queue-exit", "/status"]
    assert hotline.posts("/status") == [status_params(call, inbound(call), "completed", 7)]


# -- the browser phone's JSON API -------------------------------------------------------------------
def test_phone_api_lists_answers_and_rejects_calls_ringing_at_a_phone(hotline, switch, clock) -> None:
    hotline.on("/hook/outbound", say("Hello, this is the hotline calling you back"))
    client = hotline.app.test_client()
    first = switch.create_call("+84912345678", HOTLINE, url("outbound"))
    second = switch.create_call("0912345678", HOTLINE, url("outbound"))

    body = client.get("/sandbox/api/phones/0912 345 678/calls").get_json()
    assert body["device"] == "84912345678"
    assert [c["call_sid"] for c in body["calls"]] == [first.call_sid, second.call_sid]
    assert body["calls"][0]["status"] == "ringing" and body["calls"][0]["from"] == HOTLINE

    answered = client.post(f"/sandbox/api/calls/{first.call_sid}/answer")
    assert answered.status_code == 200 and answered.get_json()["status"] == "in-progress"
    assert "Hello, this is the hotline calling you back" in [h["text"] for h in answered.get_json()["heard"]]
    rejected = client.post(f"/sandbox/api/calls/{second.call_sid}/reject")
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "busy"

    again = client.post(f"/sandbox/api/calls/{first.call_sid}/answer")
    assert again.status_code == 409 and "not ringing" in again.get_json()["message"]
    unknown = client.post("/sandbox/api/calls/CA" + "0" * 32 + "/reject")
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "not_found"
    for bad in ("abc", "12", "0912345678901234567", "+84 912 345 678; drop"):
        reply = client.get(f"/sandbox/api/phones/{bad}/calls")
        assert reply.status_code == 400 and "phone number" in reply.get_json()["message"], bad
    assert [c["call_sid"] for c in client.get("/sandbox/api/phones/+84912345678/calls").get_json()["calls"]] == [
        first.call_sid
    ]
