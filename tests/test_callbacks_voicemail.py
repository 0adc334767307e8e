"""Voicemail and the caller's other keys while waiting, against the local REST double: a voicemail is a
ticket with its recording, any other key keeps the caller waiting, and the caller's choice wins over a
ring on its way (a caller leaving for voicemail is not offered to an agent)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Ticket, db

from . import callbacks_support
from .callbacks_support import OPTION, timeline
from .conftest import BACKENDS, call_params, new_sid, parse_twiml
from .test_ringing import agent_state, call_row, caller_waits, dispatch, make_agents

twilio = callbacks_support.twilio  # the fixture: webhooks signed for the app on the REST double


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_voicemail_is_a_ticket_with_its_recording_link(twilio_app, twilio, double, clock) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    leave = parse_twiml(twilio.post(OPTION, call_params(sid, Digits="2")).data)
    assert leave.find("Leave") is not None
    record = parse_twiml(
        twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="leave", QueueTime="25")).data
    ).find("Record")
    assert (record.get("finishOnKey"), record.get("maxLength"), record.get("playBeep")) == ("#", "180", "true")
    recording = {
        "RecordingSid": "RE" + "1" * 32,
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE" + "1" * 32,
        "RecordingDuration": "42",
    }
    thanks = parse_twiml(twilio.post(record.get("action"), call_params(sid, Digits="#", **recording)).data)
    assert thanks.find("Hangup") is not None
    twilio.post(record.get("recordingStatusCallback"), call_params(sid, RecordingStatus="completed", **recording))
    call = call_row(twilio_app, sid)
    assert (call.outcome, call.stage) == ("voicemail", "ended")
    with twilio_app.app_context():
        ticket = db.session.scalars(select(Ticket).where(Ticket.call_id == call.id)).one()
        assert (ticket.outcome, ticket.status, ticket.recording_url, ticket.recording_seconds) == (
            "voicemail",
            "open",
            recording["RecordingUrl"],
            42,
        )
    assert [k for k, _ in timeline(twilio_app, sid)].count("VOICEMAIL") == 1, "action and status callback: once"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_any_other_key_while_waiting_keeps_the_caller_waiting(twilio_app, twilio, double) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    back = parse_twiml(twilio.post(OPTION, call_params(sid, Digits="7")).data)
    assert back.find("Redirect").text.endswith("/ivr/queue/wait?branch=2&lang=vi")
    assert call_row(twilio_app, sid).stage == "queued"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_callers_choice_wins_over_a_ring_on_its_way(twilio_app, twilio, double, clock) -> None:
    """The caller presses 2 (voicemail) while the dequeue that rings an agent is in flight: the choice
    needs no REST call and always works. If Twilio then runs the ring's URL, the caller records their
    message and the agent is free again at once."""
    sid = new_sid()
    caller_waits(twilio, double, sid)
    (agent_id,) = make_agents(twilio_app, clock, "lan")
    dispatch(twilio_app, clock)  # the dequeue is in flight: the caller's phone still plays the wait loop
    offer = parse_twiml(twilio.post(OPTION, call_params(sid, Digits="2")).data)
    assert offer.find("Leave") is not None, "the caller's choice is honoured"
    assert call_row(twilio_app, sid).leave_reason == "voicemail"
    # Twilio ran the member update first after all: the ring's URL honours the choice.
    reply = parse_twiml(twilio.post(double.dequeued[0][2], call_params(sid)).data)
    assert reply.find("Record") is not None and reply.find("Dial") is None
    assert agent_state(twilio_app, agent_id) == "available"
    assert call_row(twilio_app, sid).offered_agent_id is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_caller_leaving_for_voicemail_is_not_offered_to_an_agent(twilio_app, twilio, double, clock) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    twilio.post(OPTION, call_params(sid, Digits="2"))  # <Leave> returned; the <Enqueue> action not yet
    make_agents(twilio_app, clock, "lan")
    assert dispatch(twilio_app, clock) == [] and double.dequeued == []
