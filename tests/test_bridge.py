"""The conference bridge (DESK_BRIDGE=conference, issue 13) walked as Twilio sends it, against the REST
double: the agent is called into the call's conference first, the caller waits in the queue (same
place) until she joins, then is dequeued into the room; not answered, nothing moves the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from models import AgentEvent, Call, CallEvent, Ticket, db

from .conftest import BACKENDS, Twilio, call_params, make_twilio_app, new_sid, parse_twiml
from .rest_double import TwilioDouble
from .test_ringing import QUEUE_SID, agent_state, call_row, caller_waits, dispatch, make_agents

PUBLIC = "https://hotline.example.test"


@pytest.fixture
def bridge_app(database_url: str, clock: Any, double: TwilioDouble) -> Iterator[Flask]:
    application = make_twilio_app(database_url, clock, double, DESK_BRIDGE="conference")
    yield application
    application.extensions["db"].engine.dispose()


@pytest.fixture
def twilio(bridge_app: Flask) -> Twilio:
    return Twilio(bridge_app, bridge_app.test_client())


def room_event(twilio: Twilio, sid: str, event: str, leg: str, label: str, sequence: int, room: str) -> Any:
    """What Twilio posts to the room's status callback."""
    form = call_params(
        leg,
        StatusCallbackEvent=event,
        ConferenceSid=room,
        FriendlyName=f"call-{sid}",
        ParticipantLabel=label,
        SequenceNumber=str(sequence),
        Hold="false",
        Muted="false",
    )
    return twilio.post(f"/ivr/conference/events?call={sid}", form)


def ring(app: Flask, twilio: Twilio, double: TwilioDouble, clock: Any) -> tuple[str, int, dict[str, str], str]:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    clock.advance(30)
    (agent_id,) = make_agents(app, clock, "lan")
    dispatch(app, clock)
    created = double.conferences.created_calls[0]
    room = double.conferences.resolve(f"call-{sid}")
    double.conferences.conferences[room]["status"] = "in-progress"  # she answered: her seat starts it
    return sid, agent_id, created, room


def events(app: Flask, sid: str, kind: str) -> list[dict[str, Any]]:
    with app.app_context():
        call_id = db.session.scalar(select(Call.id).where(Call.call_sid == sid))
        rows = db.session.scalars(select(CallEvent).where(CallEvent.call_id == call_id, CallEvent.kind == kind))
        return [row.data for row in rows]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_agent_joins_first_then_the_caller_is_brought_in_and_the_call_is_answered(
    bridge_app, twilio, double, clock
) -> None:
    sid, agent_id, created, room = ring(bridge_app, twilio, double, clock)
    assert (created["To"], created["Label"], created["EndConferenceOnExit"]) == (
        "client:lan",
        f"agent-{agent_id}",
        "true",
    )
    assert created["StatusCallback"] == f"{PUBLIC}/ivr/conference/agent-leg?agent={agent_id}&call={sid}"
    assert created["ConferenceStatusCallback"] == f"{PUBLIC}/ivr/conference/events?call={sid}"
    assert double.dequeued == [], "the caller keeps waiting in the queue while she rings"
    assert agent_state(bridge_app, agent_id) == "ringing"

    room_event(twilio, sid, "participant-join", created["Sid"], f"agent-{agent_id}", 1, room)
    assert double.dequeued == [(QUEUE_SID, sid, f"{PUBLIC}/ivr/conference/caller?agent={agent_id}")]
    assert agent_state(bridge_app, agent_id) == "on_call"
    assert call_row(bridge_app, sid).agent_id == agent_id
    room_event(twilio, sid, "participant-join", created["Sid"], f"agent-{agent_id}", 1, room)  # a repeat
    assert len(double.dequeued) == 1

    seat = parse_twiml(twilio.post(f"/ivr/conference/caller?agent={agent_id}", call_params(sid)).data)
    conference = seat.find("Dial/Conference")
    assert (conference.text, conference.get("participantLabel")) == (f"call-{sid}", "caller")
    assert conference.get("endConferenceOnExit") == "true"
    room_event(twilio, sid, "participant-join", sid, "caller", 2, room)

    clock.advance(240)
    twilio.post(
        f"/ivr/conference/agent-leg?agent={agent_id}&call={sid}", call_params(created["Sid"], CallStatus="completed")
    )
    assert agent_state(bridge_app, agent_id) == "wrap_up"
    left = parse_twiml(
        twilio.post("/ivr/conference/caller-left?lang=vi", call_params(sid, CallStatus="in-progress")).data
    )
    assert left.find("Hangup") is not None
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", CallDuration="300"))
    with bridge_app.app_context():
        ticket = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == sid)).one()
        assert call_row(bridge_app, sid).outcome == "answered" and ticket.agent_id in (None, agent_id)
    assert [(e["event"], e["label"]) for e in events(bridge_app, sid, "LEG")] == [
        ("participant-join", f"agent-{agent_id}"),
        ("participant-join", "caller"),
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_not_answered_the_caller_never_left_the_queue(bridge_app, twilio, double, clock) -> None:
    sid, agent_id, created, _room = ring(bridge_app, twilio, double, clock)
    twilio.post(
        f"/ivr/conference/agent-leg?agent={agent_id}&call={sid}", call_params(created["Sid"], CallStatus="no-answer")
    )
    assert agent_state(bridge_app, agent_id) == "break"
    call = call_row(bridge_app, sid)
    assert (call.stage, call.offered_agent_id, double.dequeued) == ("queued", None, [])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_caller_gone_from_the_queue_when_she_joins_frees_her_and_takes_her_out_of_the_room(
    bridge_app, twilio, double, clock
) -> None:
    sid, agent_id, created, room = ring(bridge_app, twilio, double, clock)
    double.members.clear()  # the caller hung up a moment ago: Twilio no longer holds them in the queue
    room_event(twilio, sid, "participant-join", created["Sid"], f"agent-{agent_id}", 1, room)
    assert agent_state(bridge_app, agent_id) == "available"
    assert call_row(bridge_app, sid).offered_agent_id is None
    assert (
        "DELETE",
        f"/2010-04-01/Accounts/{double.account_sid}/Conferences/{room}/Participants/agent-{agent_id}.json",
    ) in [(method, path) for method, path, _form in double.conferences.requests]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_decline_on_the_bridge_is_a_decline_and_she_stays_available(bridge_app, twilio, double, clock) -> None:
    sid, agent_id, created, _room = ring(bridge_app, twilio, double, clock)
    twilio.post(
        f"/ivr/conference/agent-leg?agent={agent_id}&call={sid}", call_params(created["Sid"], CallStatus="busy")
    )
    assert agent_state(bridge_app, agent_id) == "available"
    with bridge_app.app_context():
        kinds = [e.kind for e in db.session.scalars(select(AgentEvent).where(AgentEvent.agent_id == agent_id))]
    assert "RINGDECLINED" in kinds and call_row(bridge_app, sid).offered_agent_id is None
