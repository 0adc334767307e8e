"""The sandbox engine's <Dial>, against the tiny app of sandbox_support.py: <Dial><Client> (whisper,
bridge, no-answer, busy, hang-ups on either side) and <Dial><Number>, with Twilio's exact parameters.
"""

from __future__ import annotations

from typing import Any

import pytest
from twilio.twiml.voice_response import VoiceResponse

from sandbox import NotRinging

from .sandbox_support import CALLER, HOTLINE, advance, heard, inbound, leg, say, status_params, twiml, url


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
