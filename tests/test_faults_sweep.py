"""Faults of a real line (issue 10): a lost <Dial> result or status callback. The stuck-agent sweep
asks Twilio about the agent's leg, or releases her after a bounded time without an answer; an agent left
ringing is released with the caller keeping their place.
"""

from __future__ import annotations

import pytest

from . import faults_support
from .conftest import BACKENDS, call_params, new_sid
from .faults_support import _answered_call, events_of, sweep
from .rest_double import TwilioDouble
from .test_ringing import agent_state, call_row, caller_waits, dispatch, make_agents

twilio = faults_support.twilio  # the fixture: webhooks signed for the app on the REST double


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_agent_whose_call_results_were_lost_is_released_by_asking_about_her_leg(
    twilio_app, twilio, double: TwilioDouble, clock
) -> None:
    sid, leg, agent_id = _answered_call(twilio, double, twilio_app, clock)
    double.add_call(leg, "in-progress")
    clock.advance(300)
    assert "agents released: 0" in sweep(twilio_app), "Twilio says the conversation goes on"
    double.calls[leg]["status"] = "completed"  # it ended; the <Dial> action and status callbacks were lost
    assert "lan: call_result_lost" in sweep(twilio_app)
    assert agent_state(twilio_app, agent_id) == "wrap_up"
    assert events_of(twilio_app, agent_id)[-1] == ("WRAPUP", "call_result_lost", "sweep")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_an_answer_from_twilio_a_bounded_time_releases_the_agent(
    twilio_app, twilio, double: TwilioDouble, clock
) -> None:
    sid, leg, agent_id = _answered_call(twilio, double, twilio_app, clock)
    double.fail_next = [503] * 1000  # Twilio down for good
    clock.advance(60 * 60)
    assert "agents released: 0" in sweep(twilio_app)
    clock.advance(61 * 60)  # AGENT_MAX_CALL_MINUTES = 120
    assert "lan: call_result_lost_timeout" in sweep(twilio_app)
    assert agent_state(twilio_app, agent_id) == "wrap_up"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_left_ringing_is_released_and_the_caller_keeps_their_place(
    twilio_app, twilio, double: TwilioDouble, clock
) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    (agent_id,) = make_agents(twilio_app, clock, "lan")
    dispatch(twilio_app, clock)  # the dequeue went out; Twilio's requests for the <Dial> never arrive
    clock.advance(20 + 30)
    assert "agents released: 0" in sweep(twilio_app), "still within the ring time and grace"
    clock.advance(31)
    assert "lan: ring_result_lost" in sweep(twilio_app)
    assert agent_state(twilio_app, agent_id) == "available"
    assert call_row(twilio_app, sid).offered_agent_id is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_whose_caller_we_saw_hang_up_needs_no_question(twilio_app, twilio, double, clock) -> None:
    sid, _leg, agent_id = _answered_call(twilio, double, twilio_app, clock)
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="5"))  # the <Dial> action lost
    clock.advance(121)
    requests = len(double.requests)
    assert "lan: call_ended" in sweep(twilio_app)
    assert not any("/Calls/CA" in path for _, path, _ in double.requests[requests:]), "no REST question"
    assert agent_state(twilio_app, agent_id) == "wrap_up"
