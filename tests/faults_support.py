"""What the faults tests share: webhooks signed for the app on the REST double, an agent's events,
an agent in an answered call, and a run of the stuck-agent sweep."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from callcenter.common.clock import FakeClock
from models import AgentEvent, db

from .conftest import Twilio, call_params, new_sid, parse_twiml
from .rest_double import TwilioDouble
from .test_ringing import agent_state, caller_waits, dispatch, make_agents


@pytest.fixture
def twilio(twilio_app: Flask) -> Twilio:
    return Twilio(twilio_app, twilio_app.test_client())


def events_of(app: Flask, agent_id: int) -> list[tuple[str, str | None, str | None]]:
    with app.app_context():
        query = select(AgentEvent).where(AgentEvent.agent_id == agent_id).order_by(AgentEvent.id)
        return [(e.kind, e.reason, e.actor) for e in db.session.scalars(query)]


def _answered_call(twilio: Twilio, double: TwilioDouble, app: Flask, clock: FakeClock) -> tuple[str, str, int]:
    sid, leg = new_sid(), new_sid()
    caller_waits(twilio, double, sid)
    (agent_id,) = make_agents(app, clock, "lan")
    dispatch(app, clock)
    dial = parse_twiml(twilio.post(double.dequeued[-1][2], call_params(sid)).data).find("Dial")
    twilio.post(dial.find("Client").get("url"), call_params(leg, ParentCallSid=sid, Direction="outbound-dial"))
    assert agent_state(app, agent_id) == "on_call"
    return sid, leg, agent_id


def sweep(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["calls", "reconcile"])
    assert result.exit_code == 0, result.output
    return result.output
