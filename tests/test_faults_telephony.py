"""Faults of a real line (issue 10): Twilio's REST API slow, failing or answering nonsense degrades the
desk without stopping it. The circuit breaker's rule on its own, then agents staying available while it
is open, reconciliation bounded, a hung request never holding up the other rings, the degraded banner,
and an agent forced off mid-call leaving a ticket for follow-up.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select

from callcenter.common.clock import FakeClock
from callcenter.telephony.breaker import CircuitBreaker
from models import Agent, TelephonyHealth, db

from . import faults_support
from .callbacks_support import book_callback, callback_of
from .conftest import BACKENDS, Twilio, call_params, make_twilio_app, new_sid
from .faults_support import _answered_call, events_of, sweep
from .rest_double import TwilioDouble
from .test_ringing import agent_state, call_row, caller_waits, dispatch, make_agents

twilio = faults_support.twilio  # the fixture: webhooks signed for the app on the REST double


# -- the circuit breaker's rule ---------------------------------------------------------------------
def test_breaker_opens_after_repeated_failures_probes_once_and_backs_off() -> None:
    clock = FakeClock()
    changes: list[Any] = []
    breaker = CircuitBreaker(clock, threshold=3, cooldown_seconds=5, max_cooldown_seconds=12, listener=changes.append)
    for _ in range(2):
        assert breaker.allow()
        breaker.failure("timeout")
    assert breaker.state == "closed" and changes == []
    breaker.failure("timeout")  # the third in a row
    assert breaker.state == "open" and not breaker.allow() and not breaker.would_allow()
    assert [(c.state, c.since, c.error) for c in changes] == [("degraded", clock.now(), "timeout")]
    clock.advance(5)
    assert breaker.would_allow() and breaker.allow(), "after the cooldown one probe goes out"
    assert not breaker.allow(), "only one probe at a time"
    breaker.failure("503")  # the probe failed: open again, twice as long
    clock.advance(9)
    assert not breaker.allow()
    clock.advance(1)
    assert breaker.allow()
    breaker.failure("503")  # 20 s would exceed the cap of 12 s
    clock.advance(12)
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed" and breaker.allow()
    assert [c.state for c in changes] == ["degraded", "ok"], "one change each way, not one per failure"


# -- 3. Twilio's REST API slow, failing, or answering nonsense --------------------------------------
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_twilio_failing_opens_the_breaker_agents_stay_available_and_the_desk_recovers(
    twilio_app, twilio, double: TwilioDouble, clock
) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    (agent_id,) = make_agents(twilio_app, clock, "lan")
    double.fail_next = [503] * 100  # Twilio's API is down
    for _ in range(10):  # the 2-second sweep, 20 seconds of it
        dispatch(twilio_app, clock)
        clock.advance(2)
    # t=0: two attempts fail; t=2: the third fails and opens the breaker (cooldown 5 s); t=8: one probe
    # fails (cooldown 10 s); t=18: one probe fails (cooldown 20 s). Nothing else is sent.
    member_updates = [path for method, path, _ in double.requests if "/Members/" in path]
    assert len(member_updates) == 5, "no ring storm: three failures, then one probe per cooldown"
    assert agent_state(twilio_app, agent_id) == "available"
    assert len(events_of(twilio_app, agent_id)) == 1 + 2 * 4, "login, then RINGING and RINGCANCELED per claim (4)"
    health = twilio_app.test_client().get("/healthz").get_json()
    assert health["status"] == "ok" and health["telephony"] == "degraded"
    assert health["telephony_detail"]["since"].startswith("2026-11-22T02:")

    # A waiting caller's own choices need no REST call: booking a callback works meanwhile.
    book_callback(twilio, sid)
    assert callback_of(twilio_app, sid).status == "pending"

    double.fail_next = []
    clock.advance(60)  # past the cooldown: one probe, Twilio answers, the desk is back
    assert dispatch(twilio_app, clock) != []
    assert twilio_app.test_client().get("/healthz").get_json()["telephony"] == "ok"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_malformed_answer_is_an_error_like_any_other(twilio_app, twilio, double: TwilioDouble, clock) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    clock.advance(10 * 60)
    double.malformed_next = 1
    output = sweep(twilio_app)
    assert "checked 1 of 1 stale calls" in output and "errors 1" in output
    double.add_call(sid, "completed", duration=600)
    assert "closed 1" in sweep(twilio_app), "the next run checks it again"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reconciliation_is_bounded_moves_on_and_stops_when_telephony_is_degraded(
    twilio_app, twilio, double: TwilioDouble, clock
) -> None:
    sids = [new_sid() for _ in range(5)]
    for sid in sids:
        twilio.post("/ivr/incoming", call_params(sid))
        double.add_call(sid, "in-progress")
    clock.advance(10 * 60)
    runner = twilio_app.test_cli_runner()
    first = runner.invoke(args=["calls", "reconcile", "--limit", "2"]).output
    assert "checked 2 of 5 stale calls" in first and "3 remain for the next run (at most 2 a run)" in first
    runner.invoke(args=["calls", "reconcile", "--limit", "3"])
    asked = [path.rsplit("/", 1)[1][:-5] for _, path, _ in double.requests if "/Calls/CA" in path]
    assert sorted(asked) == sorted(sids), "the second run took the three not checked yet"
    double.fail_next = [503] * 3
    runner.invoke(args=["calls", "reconcile", "--limit", "3"])  # three failures open the breaker
    requests = len(double.requests)
    stopped = runner.invoke(args=["calls", "reconcile"]).output
    assert "checked 0 of 5 stale calls" in stopped and "circuit open" in stopped
    assert len(double.requests) == requests, "not one request while the breaker is open"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_hung_request_never_holds_up_the_other_rings(database_url, clock, double: TwilioDouble) -> None:
    """Two callers, two agents; Twilio hangs on the first dequeue. The round returns at once, the second
    caller is put through while the first request hangs, and the hung one ends by its timeout."""
    app = make_twilio_app(database_url, clock, double, RING_IN_BACKGROUND=True, TWILIO_TIMEOUT_SECONDS=1.0)
    from callcenter.routing.trigger import dispatch_round

    twilio = Twilio(app, app.test_client())
    slow, fast = new_sid(), new_sid()
    caller_waits(twilio, double, slow)
    clock.advance(1)
    caller_waits(twilio, double, fast)
    make_agents(app, clock, "lan", "minh")
    double.hold[slow] = threading.Event()
    with app.app_context():
        assert dispatch_round() == 2, "both pairs claimed; the rings go out on the pool"
    deadline = time.monotonic() + 20
    while not double.dequeued and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [sid for _, sid, _ in double.dequeued] == [fast], "the second ring did not wait for the first"
    ringer = app.extensions["ringer"]
    while ringer.in_flight and time.monotonic() < deadline:
        time.sleep(0.05)
    double.hold[slow].set()
    assert ringer.in_flight == 0
    assert call_row(app, slow).offered_agent_id is None, "the timed-out ring gave the caller back (same place)"
    app.extensions["db"].engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_wallboard_and_softphone_say_when_telephony_is_degraded(twilio_app, make_user, clock) -> None:
    with twilio_app.app_context():
        db.session.add(
            TelephonyHealth(name="twilio", state="degraded", since=clock.now(), last_error="x", updated_at=clock.now())
        )
        db.session.commit()
    headers = make_user("supervisor")
    board = twilio_app.test_client().get("/api/wallboard", headers=headers).get_json()
    assert board["telephony"] == {"state": "degraded", "since": clock.now().isoformat(), "error": "x"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_forced_off_mid_call_leaves_a_ticket_for_follow_up(twilio_app, twilio, double, clock) -> None:
    """A supervisor logs off a softphone left open on a call: the ticket is not left without an outcome."""
    from callcenter.agents.service import AgentService
    from models import Ticket

    sid, _leg, agent_id = _answered_call(twilio, double, twilio_app, clock)
    with twilio_app.app_context():
        agent = db.session.get(Agent, agent_id)
        AgentService(db.session, clock).force(agent, "offline", actor="sup")
        db.session.commit()
        ticket = db.session.scalars(select(Ticket).join(Ticket.call).where(Ticket.call.has(call_sid=sid))).one()
        assert ticket.outcome == "follow_up" and "logged off by sup" in (ticket.notes or "")
    assert events_of(twilio_app, agent_id)[-1] == ("AGENTLOGOFF", "forced_by_supervisor", "sup")
