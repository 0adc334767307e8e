"""The conference building blocks of the agent's desk (issue 13): what the Participants API is asked
for each change, and the TwiML that seats a leg in a call's conference."""

from __future__ import annotations

import json
from pathlib import Path

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


def _request_fields(path: str) -> set[str]:
    spec = json.loads((Path(__file__).parent / "twilio_api_v2010_subset.json").read_text(encoding="utf-8"))
    body = spec["paths"][path]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    return set(body["schema"]["properties"])


def test_what_we_send_is_in_twilios_published_description() -> None:
    """Every field of our participant creates and updates is a documented field (no guessing)."""
    base = "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants"
    with serve(ACCOUNT) as double:
        control = _control(double)
        who = NewParticipant("client:lan", "+842873001234", "agent-1", AGENT_STATUS, coach="CA" + "3" * 32)
        control.add_participant(
            "call-CA1", NewParticipant("client:an", "+842873001234", "caller", AGENT_STATUS, room_events="https://h/ev")
        )
        room = double.conferences.resolve("call-CA1")
        control.add_participant(room, who)
        for change in (
            ParticipantChange(hold=True, hold_url="https://h/hold"),
            ParticipantChange(muted=True, stop_coaching=True),
            ParticipantChange(coach="CA" + "3" * 32, muted=False),
            ParticipantChange(end_on_exit=False),
        ):
            control.update_participant(room, "agent-1", change)
        sent = double.conferences.requests
    created = {
        key for method, path, form in sent if method == "POST" and path.endswith("/Participants.json") for key in form
    }
    updated = {key for method, path, form in sent if method == "POST" and "/Participants/" in path for key in form}
    assert created and created <= _request_fields(f"{base}.json")
    assert updated and updated <= _request_fields(f"{base}/{{CallSid}}.json")
