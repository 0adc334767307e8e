"""The sandbox engine's outbound calls, against the tiny app of sandbox_support.py: calls created
through the REST API (answered, not answered, rejected, canceled, failing, hung up by the callee),
devices matched whichever way a number is written, and the browser phone's JSON API.
"""

from __future__ import annotations

import pytest
from flask import Response
from twilio.twiml.voice_response import VoiceResponse

from sandbox import NotRinging

from .sandbox_support import HOTLINE, advance, heard, leg, say, status_params, twiml, url


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
