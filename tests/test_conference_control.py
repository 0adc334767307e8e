"""The conference building blocks of the agent's desk (issue 13): what the Participants API is asked
for each change, and the TwiML that seats a leg in a call's conference."""

from __future__ import annotations

from callcenter.telephony.conference import ParticipantChange, change_params
from ivr.twiml import ConferenceSeat, join_conference

from .conftest import parse_twiml


def test_hold_sends_hold_and_the_music_and_resume_sends_only_hold() -> None:
    assert change_params(ParticipantChange(hold=True, hold_url="https://x/hold.xml")) == {
        "hold": True,
        "hold_url": "https://x/hold.xml",
        "hold_method": "GET",
    }
    assert change_params(ParticipantChange(hold=False, hold_url="https://x/hold.xml")) == {"hold": False}


def test_whisper_coaches_one_call_and_barge_stops_coaching_and_unmutes() -> None:
    assert change_params(ParticipantChange(coach="CA" + "1" * 32, muted=False)) == {
        "muted": False,
        "coaching": True,
        "call_sid_to_coach": "CA" + "1" * 32,
    }
    assert change_params(ParticipantChange(stop_coaching=True, muted=False)) == {"muted": False, "coaching": False}
    assert change_params(ParticipantChange()) == {}


def test_the_caller_waits_with_music_until_the_agent_starts_the_conference_and_ends_it_on_leaving() -> None:
    seat = ConferenceSeat(
        "call-CA1",
        "caller",
        "https://h/ivr/conference/events",
        start_on_enter=False,
        end_on_exit=True,
        wait_url="https://h/music.mp3",
    )
    dial = parse_twiml(str(join_conference(seat, "https://h/ivr/conference/left")).encode()).find("Dial")
    assert dial.get("action") == "https://h/ivr/conference/left"
    conference = dial.find("Conference")
    assert conference.text == "call-CA1"
    assert (conference.get("startConferenceOnEnter"), conference.get("endConferenceOnExit")) == ("false", "true")
    assert (conference.get("participantLabel"), conference.get("waitUrl")) == ("caller", "https://h/music.mp3")
    assert conference.get("statusCallbackEvent") == "start end join leave hold modify"


def test_a_listening_supervisor_joins_muted() -> None:
    seat = ConferenceSeat("call-CA1", "monitor", "https://h/ev", muted=True)
    conference = parse_twiml(str(join_conference(seat)).encode()).find("Dial/Conference")
    assert (conference.get("muted"), conference.get("coach")) == ("true", None)
