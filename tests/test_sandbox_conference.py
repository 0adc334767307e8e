"""The sandbox engine's <Dial><Conference> and its switch-side Participants API: join order, waiting
with music, who hears whom (hold, mute, coaching), kicks, endConferenceOnExit and the status callbacks."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

from .sandbox_support import CALLER, HOTLINE, advance, heard, url

EVENTS = "start end join leave mute hold modify"


def conference(name: str = "call-1", label: str | None = None, **attrs: str) -> VoiceResponse:
    response = VoiceResponse()
    dial = Dial(action=attrs.pop("action", None))
    dial.conference(name, participant_label=label, status_callback=url("conf"), status_callback_event=EVENTS, **attrs)
    response.append(dial)
    response.say("After the conference")
    return response


def events(hotline) -> list[tuple[str, str | None]]:
    return [(f["StatusCallbackEvent"], f.get("CallSid")) for f in hotline.posts("/hook/conf")]


def test_caller_waits_with_music_until_the_agent_starts_the_conference(hotline, switch, clock) -> None:
    hotline.on("/voice", conference(start_conference_on_enter="false", wait_url=url("music"), label="customer"))
    caller = switch.dial(CALLER, HOTLINE)
    room = switch.room("call-1")
    assert room.status == "init" and switch.conferences.hears_music(caller.call_sid)
    assert caller.heard[-1].kind == "play" and caller.heard[-1].url == url("music")
    agent = switch.create_participant(room.sid, "client:an", HOTLINE, label="agent", end_conference_on_exit=True)
    assert agent.status == "ringing" and [p.call_sid for p in room.participants] == [caller.call_sid]
    switch.answer(agent.call_sid)
    assert room.status == "in-progress" and [p.label for p in room.participants] == ["customer", "agent"]
    assert switch.conferences.hears(caller.call_sid) == {agent.call_sid}
    assert switch.conferences.heard_by(caller.call_sid) == {agent.call_sid}
    assert events(hotline) == [  # the room's callback (the first participant's) hears of everybody
        ("participant-join", caller.call_sid),
        ("participant-join", agent.call_sid),
        ("conference-start", None),
    ]
    first = hotline.posts("/hook/conf")[0]
    assert first["ConferenceSid"] == room.sid and first["FriendlyName"] == "call-1" and first["SequenceNumber"] == "1"
    assert (first["StartConferenceOnEnter"], first["EndConferenceOnExit"], first["Muted"], first["Hold"]) == (
        "false", "false", "false", "false",
    )  # fmt: skip
    assert first["ParticipantLabel"] == "customer" and first["AccountSid"].startswith("AC")


def test_hold_mute_and_coaching_decide_who_hears_whom(hotline, switch, clock) -> None:
    hotline.on("/voice", conference(label="customer"))
    caller = switch.dial(CALLER, HOTLINE)
    room = switch.room("call-1")
    agent = switch.create_participant("call-1", "client:an", HOTLINE, label="agent")
    switch.answer(agent.call_sid)
    coach = switch.create_participant(
        room.sid, "client:lan", HOTLINE, label="supervisor", call_sid_to_coach=agent.call_sid
    )
    switch.answer(coach.call_sid)
    hears = switch.conferences.hears
    assert hears(agent.call_sid) == {caller.call_sid, coach.call_sid}
    assert hears(caller.call_sid) == {agent.call_sid}, "the caller never hears the coach"
    assert hears(coach.call_sid) == {caller.call_sid, agent.call_sid}

    switch.update_participant(room.sid, "customer", hold=True, hold_url=url("hold"))
    assert hears(caller.call_sid) == set() and switch.conferences.hears_music(caller.call_sid)
    assert caller.heard[-1].url == url("hold") and hears(agent.call_sid) == {coach.call_sid}
    switch.update_participant(room.sid, "customer", hold=False)
    switch.update_participant(room.sid, agent.call_sid, muted=True)
    assert hears(caller.call_sid) == set() and hears(agent.call_sid) == {caller.call_sid, coach.call_sid}
    switch.update_participant(room.sid, agent.call_sid, muted=False)
    switch.update_participant(room.sid, "supervisor", coaching=False)  # barge
    assert hears(caller.call_sid) == {agent.call_sid, coach.call_sid}
    assert [e for e, _ in events(hotline)] == [
        "participant-join", "conference-start", "participant-join", "participant-join", "participant-hold",
        "participant-unhold", "participant-mute", "participant-unmute", "participant-modify",
    ]  # fmt: skip
    posts = hotline.posts("/hook/conf")
    assert [f["SequenceNumber"] for f in posts] == [str(n) for n in range(1, 10)]
    assert posts[3]["CallSidToCoach"] == agent.call_sid and posts[3]["Coaching"] == "true"
    assert posts[4]["Hold"] == "true" and posts[6]["Muted"] == "true" and posts[8]["Coaching"] == "false"


def test_kick_goes_on_with_the_twiml_and_the_last_to_leave_completes_it(hotline, switch, clock) -> None:
    hotline.on("/voice", conference(label="customer"))
    caller = switch.dial(CALLER, HOTLINE)
    room = switch.room("call-1")
    switch.kick(room.sid, "customer")
    assert caller.conference is None and heard(caller, "say") == ["After the conference"]
    assert room.status == "completed" and room.reason == "last-participant-kicked"
    assert events(hotline) == [
        ("participant-join", caller.call_sid),
        ("conference-start", None),
        ("participant-leave", caller.call_sid),
        ("conference-end", None),
    ]
    assert hotline.posts("/hook/conf")[-1]["ReasonConferenceEnded"] == "last-participant-kicked"


def test_end_conference_on_exit_ends_it_for_everybody(hotline, switch, clock) -> None:
    hotline.on("/voice", conference(label="customer", action=url("after")))
    caller = switch.dial(CALLER, HOTLINE)
    agent = switch.create_participant("call-1", "client:an", HOTLINE, end_conference_on_exit=True)
    switch.answer(agent.call_sid)
    room = switch.room("call-1")
    advance(switch, clock, 30)
    switch.hang_up(agent.call_sid)
    assert room.status == "completed" and room.reason == "participant-with-end-conference-on-exit-left"
    assert room.call_sid_ending == agent.call_sid and hotline.posts("/hook/after")
    assert caller.conference is None and [e for e, _ in events(hotline)][-3:] == [
        "participant-leave", "participant-leave", "conference-end",
    ]  # fmt: skip


def test_ending_the_conference_through_the_api(hotline, switch, clock) -> None:
    hotline.on("/voice", conference(label="customer"))
    caller = switch.dial(CALLER, HOTLINE)
    room = switch.end_conference("call-1")
    assert room.reason == "conference-ended-via-api" and caller.conference is None
    assert heard(caller, "say") == ["After the conference"]
