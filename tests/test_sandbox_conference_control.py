"""The desk's conference control over the sandbox (sandbox/gateway.py: SandboxConferences): the same
operations the app asks of Twilio's Participants API, so the demo can hold, consult and monitor offline."""

from __future__ import annotations

import pytest
from twilio.twiml.voice_response import Dial, VoiceResponse

from callcenter.telephony.conference import NewParticipant, ParticipantChange, ParticipantGone
from sandbox.gateway import SandboxConferences

from .sandbox_support import CALLER, HOTLINE, advance, url


def _caller_in_room(hotline, switch):  # noqa: ANN001, ANN202 - fixtures from conftest
    response = VoiceResponse()
    dial = Dial()
    dial.conference("call-1", participant_label="caller", status_callback=url("conf"))
    response.append(dial)
    hotline.on("/voice", response)
    return switch.dial(CALLER, HOTLINE)


def test_an_agent_called_in_who_does_not_answer_is_reported_on_her_legs_status_callback(hotline, switch, clock) -> None:
    caller = _caller_in_room(hotline, switch)
    control = SandboxConferences(switch)
    leg = control.add_participant("call-1", NewParticipant("client:an", HOTLINE, "agent", url("leg"), timeout=20))
    advance(switch, clock, 21)
    assert [f["CallStatus"] for f in hotline.posts("/hook/leg")] == ["no-answer"]
    assert hotline.posts("/hook/leg")[0]["CallSid"] == leg
    assert [p.label for p in switch.room("call-1").participants] == ["caller"], "the caller is still there"
    assert not switch.get(caller.call_sid).ended


def test_hold_puts_the_caller_on_music_and_resume_brings_them_back(hotline, switch, clock) -> None:
    caller = _caller_in_room(hotline, switch)
    control = SandboxConferences(switch)
    agent = control.add_participant("call-1", NewParticipant("client:an", HOTLINE, "agent", url("leg")))
    switch.answer(agent)
    room = switch.room("call-1").sid
    control.update_participant(room, "caller", ParticipantChange(hold=True, hold_url=url("hold")))
    assert switch.conferences.hears_music(caller.call_sid)
    assert switch.conferences.hears(agent) == set(), "nobody hears a held caller"
    control.update_participant(room, "caller", ParticipantChange(hold=False))
    assert switch.conferences.hears(agent) == {caller.call_sid}


def test_a_live_leg_is_moved_to_new_twiml_and_leaves_its_room(hotline, switch, clock) -> None:
    caller = _caller_in_room(hotline, switch)
    control = SandboxConferences(switch)
    agent = control.add_participant("call-1", NewParticipant("client:an", HOTLINE, "agent", url("leg")))
    switch.answer(agent)
    back = VoiceResponse()
    back.say("Back to the queue")
    hotline.on("/hook/back", back)
    control.redirect_call(caller.call_sid, url("back"))
    assert switch.conferences.member(caller.call_sid) is None
    assert "Back to the queue" in [h.text for h in caller.heard]  # then its TwiML is over: it ends


def test_a_participant_who_is_not_there_is_gone(hotline, switch, clock) -> None:
    _caller_in_room(hotline, switch)
    control = SandboxConferences(switch)
    room = switch.room("call-1").sid
    with pytest.raises(ParticipantGone):
        control.update_participant(room, "agent", ParticipantChange(hold=True))
    with pytest.raises(ParticipantGone):
        control.remove_participant("CF" + "0" * 32, "caller")
    with pytest.raises(ParticipantGone):
        control.redirect_call("CA" + "0" * 32, url("back"))
