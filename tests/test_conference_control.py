"""The conference building blocks of the agent's desk (issue 13): what the Participants API is asked
for each change, and the TwiML that seats a leg in a call's conference."""

from __future__ import annotations

import pytest

from callcenter.telephony.conference import (
    NewParticipant,
    ParticipantChange,
    ParticipantGone,
    TwilioConferences,
    change_params,
)
from callcenter.telephony.gateway import TwilioGateway
from ivr.twiml import ConferenceSeat, join_conference

from .conftest import parse_twiml
from .rest_double import TwilioDouble, serve


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


# -- through Twilio's REST API (the official client against the REST double over HTTP) -------------
ACCOUNT = "AC" + "0" * 32
AGENT_STATUS = "https://h/ivr/conference/agent-status?agent=1"


def _control(double: TwilioDouble) -> TwilioConferences:
    return TwilioConferences(TwilioGateway(ACCOUNT, "token", double.base_url, 2.0, sleep=lambda _s: None))


def test_an_agent_is_called_into_the_calls_conference_by_its_name() -> None:
    with serve(ACCOUNT) as double:
        who = NewParticipant("client:lan", "+842873001234", "agent", AGENT_STATUS, timeout=20)
        sid = _control(double).add_participant("call-CA1", who)
        created = double.conferences.created_calls[0]
    assert sid.startswith("CA") and created["Sid"] == sid
    assert (created["To"], created["From"], created["Label"], created["Timeout"]) == (
        "client:lan",
        "+842873001234",
        "agent",
        "20",
    )
    assert (created["StartConferenceOnEnter"], created["EndConferenceOnExit"]) == ("true", "false")
    assert created["StatusCallback"] == AGENT_STATUS and "CallSidToCoach" not in created


def test_hold_resume_and_remove_address_the_participant_by_its_label() -> None:
    with serve(ACCOUNT) as double:
        conference = double.conferences.add("call-CA1", ["CA" + "1" * 32])
        double.conferences.join(conference, "CA" + "2" * 32, "caller")
        control = _control(double)
        control.update_participant(conference, "caller", ParticipantChange(hold=True, hold_url="https://h/hold"))
        held = double.conferences.find(conference, "caller")
        assert held is not None and held["hold"] is True
        control.update_participant(conference, "caller", ParticipantChange(hold=False))
        control.remove_participant(conference, "caller")
        forms = [(method, form) for method, _path, form in double.conferences.requests if "/Participants/" in _path]
    assert forms == [
        ("POST", {"Hold": "true", "HoldUrl": "https://h/hold", "HoldMethod": "GET"}),
        ("POST", {"Hold": "false"}),
        ("DELETE", {}),
    ]


def test_a_participant_no_longer_there_is_gone_not_a_failure() -> None:
    with serve(ACCOUNT) as double:
        conference = double.conferences.add("call-CA1", ["CA" + "1" * 32])
        with pytest.raises(ParticipantGone):
            _control(double).update_participant(conference, "caller", ParticipantChange(hold=True))
