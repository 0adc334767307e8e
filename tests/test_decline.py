"""A Decline is a decline, not a missed ring: the softphone's Decline (the Voice SDK's call.reject(), the
sandbox's reject) ends the caller's <Dial> "busy". The agent stays available, the caller goes to the
next agent and is not offered to her again at once; the agents report counts declines apart."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from callcenter.reports.agents import StateChange, build, figures
from models import AgentEvent, db

from .conftest import BACKENDS, Twilio, call_params, new_sid, parse_twiml
from .rest_double import TwilioDouble
from .test_presence import caller_queued, go_available, softphone_page
from .test_ringing import QUEUE_SID, agent_state, call_row, caller_waits, dispatch, make_agents
from .test_sandbox_desk import legs, round_
from .test_softphone import post_json


@pytest.fixture
def twilio(twilio_app: Flask) -> Twilio:
    return Twilio(twilio_app, twilio_app.test_client())


def ring_result(twilio: Twilio, double: TwilioDouble, sid: str, status: str) -> Any:
    """The <Dial> of the last dequeue runs and ends with `status`; returns the TwiML of its action."""
    url = double.dequeued[-1][2]
    dial = parse_twiml(twilio.post(url, call_params(sid)).data).find("Dial")
    return parse_twiml(twilio.post(dial.get("action"), call_params(sid, DialCallStatus=status)).data)


def back_in_queue(twilio: Twilio, double: TwilioDouble, sid: str) -> None:
    """Twilio has the caller back in the queue (their next wait turn names it)."""
    wait_turn = call_params(sid, QueuePosition="1", QueueTime="0", QueueSid=QUEUE_SID)
    twilio.post("/ivr/queue/wait?branch=2&lang=vi", wait_turn)
    double.add_member(QUEUE_SID, sid)


def events(app: Flask, kind: str) -> list[AgentEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AgentEvent).where(AgentEvent.kind == kind)))


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_declined_call_goes_to_the_next_agent_and_the_decliner_stays_available(
    twilio_app, twilio, double, clock
) -> None:
    started = clock.now()
    sid = new_sid()
    caller_waits(twilio, double, sid)
    lan, minh = make_agents(twilio_app, clock, "lan", "minh")
    dispatch(twilio_app, clock)
    assert double.dequeued[-1][2].endswith(f"agent={lan}"), "lan idled longest"

    clock.advance(3)  # lan presses Decline
    back = ring_result(twilio, double, sid, "busy")
    assert back.find("Enqueue").text == "hotline-branch-2", "the caller keeps waiting, in their place"
    assert agent_state(twilio_app, lan) == "available", "a decline is a choice, not a missed ring"
    (declined,) = events(twilio_app, "RINGDECLINED")
    assert (declined.from_state, declined.to_state, declined.reason, declined.call_sid) == (
        "ringing",
        "available",
        "declined",
        sid,
    )
    assert events(twilio_app, "RINGNOANSWER") == []

    back_in_queue(twilio, double, sid)
    dispatch(twilio_app, clock)
    assert double.dequeued[-1][2].endswith(f"agent={minh}"), "the next agent rings"
    clock.advance(20)  # minh does not pick up: that is a missed ring, as before
    ring_result(twilio, double, sid, "no-answer")
    assert agent_state(twilio_app, minh) == "break"
    assert call_row(twilio_app, sid).offers == 2

    with twilio_app.app_context():
        report = {r["agent"]: r for r in build(db.session, started, clock.now() + timedelta(seconds=1))}
    assert (report["lan"]["declined"], report["lan"]["missed_rings"]) == (1, 0)
    assert (report["minh"]["declined"], report["minh"]["missed_rings"]) == (0, 1)


def test_the_same_call_is_not_offered_again_at_once_to_the_agent_who_declined_it(
    twilio_app, twilio, double, clock
) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    (lan,) = make_agents(twilio_app, clock, "lan")
    dispatch(twilio_app, clock)
    ring_result(twilio, double, sid, "busy")
    back_in_queue(twilio, double, sid)

    other = new_sid()  # a newer caller: lan may take them
    caller_waits(twilio, double, other)
    dispatch(twilio_app, clock)
    assert double.dequeued[-1][1] == other, "lan gets the next caller, not the one she just declined"
    ring_result(twilio, double, other, "busy")
    back_in_queue(twilio, double, other)

    clock.advance(30)
    assert dispatch(twilio_app, clock) == [], "both declined by lan a moment ago: they wait for someone else"
    clock.advance(31)  # DECLINE_REOFFER_SECONDS later nobody else came: lan is asked again, oldest first
    dispatch(twilio_app, clock)
    assert double.dequeued[-1][1] == sid and agent_state(twilio_app, lan) == "ringing"


def test_the_sandbox_softphones_decline_is_recorded_as_a_decline(app, sandbox, clock) -> None:
    lan, csrf = softphone_page(app, clock, "lan")
    go_available(lan, csrf)
    caller_queued(sandbox, clock)
    post_json(lan, "/agent/api/presence", {"ready": True}, csrf)
    assert round_(app) == 1
    (leg,) = legs(lan)
    assert post_json(lan, f"/agent/api/sandbox/calls/{leg['call_sid']}/reject", {}, csrf).status_code == 200
    sandbox.tick()
    assert lan.get("/agent/api/state").get_json()["agent"]["state"] == "available"
    assert [e.reason for e in events(app, "RINGDECLINED")] == ["declined"]
    assert events(app, "RINGNOANSWER") == []


def test_the_agents_report_counts_declines_apart_from_missed_rings() -> None:
    t0 = datetime(2026, 12, 1, 1, 0)
    at = [t0 + timedelta(seconds=s) for s in (0, 10, 20, 30, 60, 70)]
    changes = [
        StateChange(at[0], "RINGING", "ringing"),
        StateChange(at[1], "RINGDECLINED", "available"),
        StateChange(at[2], "RINGING", "ringing"),
        StateChange(at[3], "RINGDECLINED", "available"),
        StateChange(at[4], "RINGING", "ringing"),
        StateChange(at[5], "RINGNOANSWER", "break"),
    ]
    result = figures("available", changes, t0, t0 + timedelta(seconds=100)).as_json()
    assert (result["declined"], result["missed_rings"]) == (2, 1)
    assert result["seconds_by_state"] == {"ringing": 30, "available": 40, "break": 30}
