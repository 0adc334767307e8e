"""Faults of a real line (issue 10), each played with the fake clock and the REST double.

One bad call never blocks the others; Twilio's REST API slow, failing or answering nonsense degrades
the desk without stopping it; an agent whose call results were lost is released. What each test plays
is in its name; the README's "When something goes wrong" table lists the same.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from callcenter.breaker import CircuitBreaker
from callcenter.callbacks import CallbackService
from callcenter.clock import FakeClock
from models import Agent, AgentEvent, TelephonyHealth, db

from .conftest import BACKENDS, Twilio, call_params, make_twilio_app, new_sid, parse_twiml
from .rest_double import TwilioDouble
from .callbacks_support import agent_accepts, book_callback, callback_of, timeline
from .test_ringing import QUEUE_SID, agent_state, call_row, caller_waits, dispatch, make_agents


@pytest.fixture
def twilio(twilio_app: Flask) -> Twilio:
    return Twilio(twilio_app, twilio_app.test_client())


def kinds(app: Flask, sid: str) -> list[str]:
    return [kind for kind, _ in timeline(app, sid)]


def events_of(app: Flask, agent_id: int) -> list[tuple[str, str | None, str | None]]:
    with app.app_context():
        query = select(AgentEvent).where(AgentEvent.agent_id == agent_id).order_by(AgentEvent.id)
        return [(e.kind, e.reason, e.actor) for e in db.session.scalars(query)]


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


# -- 2. one bad call never blocks the others --------------------------------------------------------
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_caller_twilio_no_longer_holds_is_settled_at_once_and_the_next_caller_goes_through(
    twilio_app, twilio, double: TwilioDouble, clock
) -> None:
    gone, next_ = new_sid(), new_sid()
    caller_waits(twilio, double, gone)
    clock.advance(5)
    caller_waits(twilio, double, next_)
    double.members.pop((QUEUE_SID, gone))  # hung up; the status callback is lost
    double.add_call(gone, "completed", duration=65, end_time="Sun, 22 Nov 2026 02:01:05 +0000")
    clock.advance(60)
    (agent_id,) = make_agents(twilio_app, clock, "lan")

    rung = dispatch(twilio_app, clock)

    assert [o.call.call_sid for o in rung] == [next_], "the agent gets the next caller in the same round"
    assert [sid for _, sid, _ in double.dequeued] == [next_]
    assert ("GET", f"/2010-04-01/Accounts/{double.account_sid}/Calls/{gone}.json", double.account_sid) in (
        double.requests
    ), "Twilio was asked about that one call at once"
    call = call_row(twilio_app, gone)
    assert (call.stage, call.outcome) == ("ended", "queue_abandoned")
    assert agent_state(twilio_app, agent_id) == "ringing"
    assert [e[:2] for e in events_of(twilio_app, agent_id)][-3:] == [
        ("RINGING", None),
        ("RINGCANCELED", "caller_gone"),
        ("RINGING", None),
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_live_caller_not_in_the_queue_is_not_offered_again_until_twilio_has_them(
    twilio_app, twilio, double: TwilioDouble, clock
) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    double.members.pop((QUEUE_SID, sid))  # e.g. being moved by Twilio: in progress, but not a member
    double.add_call(sid, "in-progress")
    make_agents(twilio_app, clock, "lan")
    assert dispatch(twilio_app, clock) == []
    assert call_row(twilio_app, sid).queue_sid is None, "held back until Twilio tells us its queue again"
    requests = len(double.requests)
    assert dispatch(twilio_app, clock) == [] and len(double.requests) == requests, "no request per round"
    # Reconciliation sees the caller in Twilio's queue again: the queue SID is learned, the caller goes through.
    double.queues[QUEUE_SID] = "hotline-branch-2"
    double.add_member(QUEUE_SID, sid)
    result = twilio_app.test_cli_runner().invoke(args=["calls", "reconcile"])
    assert "queue SIDs learned 1" in result.output, result.output
    assert [o.call.call_sid for o in dispatch(twilio_app, clock)] == [sid]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_caller_whose_queue_sid_was_never_learned_is_skipped(twilio_app, twilio, double, clock) -> None:
    silent, next_ = new_sid(), new_sid()
    twilio.post("/ivr/incoming", call_params(silent))
    twilio.post("/ivr/language", call_params(silent, Digits="2"))
    twilio.post("/ivr/group?attempt=1&lang=vi", call_params(silent, Digits="1"))  # <Enqueue>; no wait turn
    clock.advance(5)
    caller_waits(twilio, double, next_)
    make_agents(twilio_app, clock, "lan")
    assert [o.call.call_sid for o in dispatch(twilio_app, clock)] == [next_]
    assert [sid for _, sid, _ in double.dequeued] == [next_], "no dequeue that could not reach anyone"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_refused_callback_uses_an_attempt_fails_with_twilios_code_and_never_starves_live_callers(
    twilio_app, twilio, double: TwilioDouble, clock
) -> None:
    asked, live = new_sid(), new_sid()
    caller_waits(twilio, double, asked)
    book_callback(twilio, asked)
    twilio.post("/ivr/status", call_params(asked, CallStatus="completed", SequenceNumber="3"))
    clock.advance(30)
    caller_waits(twilio, double, live)
    double.refuse_create = [(400, 21210, "Caller ID is not a verified number for this account")] * 3
    (agent_id,) = make_agents(twilio_app, clock, "lan")

    rung = dispatch(twilio_app, clock)

    assert [o.call.call_sid for o in rung] == [live], "the live caller is served in the same round"
    callback = callback_of(twilio_app, asked)
    assert (callback.status, callback.attempts, callback.agent_id) == ("pending", 1, None)
    attempt = [data for kind, data in timeline(twilio_app, asked) if kind == "CALLBACK_ATTEMPT"]
    assert attempt == [{"attempt": 1, "result": "refused", "http_status": 400, "code": 21210}]

    with twilio_app.app_context():  # lan finishes with the live caller
        db.session.execute(
            Agent.__table__.update().values(state="available", current_call_sid=None).where(Agent.id == agent_id)
        )
        db.session.commit()
    assert dispatch(twilio_app, clock) == [], "the retry waits for its delay; nothing else waits"
    for _ in range(2):
        clock.advance(600)
        dispatch(twilio_app, clock)
    callback = callback_of(twilio_app, asked)
    assert (callback.status, callback.attempts) == ("failed", 3)
    failed = [data for kind, data in timeline(twilio_app, asked) if kind == "CALLBACK_FAILED"]
    assert failed == [{"attempts": 3, "code": 21210}], "Twilio's error code is on record"
    with twilio_app.app_context():
        from models import Ticket

        ticket = db.session.scalars(select(Ticket).where(Ticket.call_id == callback.call_id)).one()
        assert ticket.outcome == "callback_failed"
    assert agent_state(twilio_app, agent_id) == "available"
    assert len(double.created) == 0 and len(double.refuse_create) == 0


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_late_agent_leg_sid_cannot_land_on_a_newer_offer(twilio_app, twilio, double: TwilioDouble, clock) -> None:
    """Offer 1 rings lan and is missed; offer 2 rings minh. The SID of offer 1's leg arriving late (a
    slow create answer) changes nothing, offer 1's leg is refused, and minh's accepted ring dials."""
    sid = new_sid()
    caller_waits(twilio, double, sid)
    book_callback(twilio, sid)
    lan, minh = make_agents(twilio_app, clock, "lan", "minh")
    dispatch(twilio_app, clock)
    first = double.created[0]
    first_offer = callback_of(twilio_app, sid).offer_token
    twilio.post(first["StatusCallback"], call_params(first["Sid"], CallStatus="no-answer"))  # lan missed it
    assert agent_state(twilio_app, lan) == "break"
    dispatch(twilio_app, clock)
    second = double.created[1]
    assert "client:minh" == second["To"]
    with twilio_app.app_context():
        callback = callback_of(twilio_app, sid)
        assert CallbackService(db.session, clock).note_agent_leg(callback.id, first_offer, first["Sid"]) is False
        db.session.commit()
    assert callback_of(twilio_app, sid).agent_call_sid == second["Sid"]
    stale = agent_accepts(twilio, first)
    assert stale.find("Dial") is None and stale.find("Hangup") is not None, "an earlier offer's leg dials nobody"
    leg = agent_accepts(twilio, second)
    assert leg.find("Dial").find("Number").text == "+84912345678", "the accepted ring dials the caller"
    assert agent_state(twilio_app, minh) == "on_call"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_caller_back_after_a_missed_ring_is_dequeued_only_once_twilio_has_them(
    twilio_app, twilio, double: TwilioDouble, clock
) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    lan, minh = make_agents(twilio_app, clock, "lan", "minh")
    dispatch(twilio_app, clock)
    dial = parse_twiml(twilio.post(double.dequeued[0][2], call_params(sid)).data).find("Dial")
    back = parse_twiml(twilio.post(dial.get("action"), call_params(sid, DialCallStatus="no-answer")).data)
    assert back.find("Enqueue") is not None
    assert dispatch(twilio_app, clock) == [], "not while Twilio is still putting them back"
    assert len(double.dequeued) == 1
    double.add_member(QUEUE_SID, sid)
    twilio.post(
        "/ivr/queue/wait?branch=2&lang=vi", call_params(sid, QueuePosition="1", QueueTime="0", QueueSid=QUEUE_SID)
    )
    assert [(o.call.call_sid, o.agent.id) for o in dispatch(twilio_app, clock)] == [(sid, minh)]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_announced_positions_count_callbacks_due_and_the_other_branchs_callers(
    twilio_app, twilio, double: TwilioDouble, clock
) -> None:
    """One agent takes both branches: a branch-1 caller who came first and a callback booked earlier
    are both ahead of a new branch-2 caller, who hears position 3 (Twilio's queue says 1)."""
    asked, first, me = new_sid(), new_sid(), new_sid()
    caller_waits(twilio, double, asked)
    book_callback(twilio, asked)
    twilio.post("/ivr/status", call_params(asked, CallStatus="completed", SequenceNumber="3"))
    twilio.post("/ivr/incoming", call_params(first))
    twilio.post("/ivr/language", call_params(first, Digits="1"))
    twilio.post("/ivr/queue/wait?branch=1&lang=vi", call_params(first, QueuePosition="1", QueueSid="QU" + "1" * 32))
    clock.advance(5)
    make_agents(twilio_app, clock, "lan")  # branch_1 and branch_2
    with twilio_app.app_context():  # lan is busy: nobody is put through meanwhile
        db.session.execute(Agent.__table__.update().values(state="on_call"))
        db.session.commit()
    caller_waits(twilio, double, me)
    (position,) = [data["position"] for kind, data in timeline(twilio_app, me) if kind == "POSITION"]
    assert position == 3
    with twilio_app.app_context():  # lan takes branch 2 only: the branch-1 caller is no longer ahead
        db.session.execute(Agent.__table__.update().values(skills=["branch_2", "accounts", "vi"]))
        db.session.commit()
    clock.advance(60)
    twilio.post(
        "/ivr/queue/wait?branch=2&lang=vi", call_params(me, QueuePosition="2", QueueTime="60", QueueSid=QUEUE_SID)
    )
    positions = [data["position"] for kind, data in timeline(twilio_app, me) if kind == "POSITION"]
    assert positions == [3, 2]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_hang_up_during_the_queue_intro_is_an_ivr_abandon_in_every_report(twilio_app, twilio, clock) -> None:
    from callcenter import reports

    by_status, by_exit = new_sid(), new_sid()
    for sid in (by_status, by_exit):
        twilio.post("/ivr/incoming", call_params(sid))
        twilio.post("/ivr/language", call_params(sid, Digits="1"))  # <Say> intro, then <Enqueue>
    clock.advance(3)
    twilio.post("/ivr/status", call_params(by_status, CallStatus="completed", SequenceNumber="2"))
    twilio.post("/ivr/queue/exit?branch=1&lang=vi", call_params(by_exit, QueueResult="hangup", QueueTime="0"))
    for sid in (by_status, by_exit):
        call = call_row(twilio_app, sid)
        assert (call.outcome, call.queue_entered_at) == ("ivr_abandoned", None)
        assert "ENTERQUEUE" in kinds(twilio_app, sid) and "ABANDON" not in kinds(twilio_app, sid)
    with twilio_app.app_context():
        day = clock.now().date()
        totals = reports.build(db.session, day, day, "branch")["total"]
    assert (totals["offered"], totals["abandoned"], totals["ivr_abandoned"]) == (0, 0, 2)


# -- a lost <Dial> result or status callback: the stuck-agent sweep ----------------------------------
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
    from callcenter.trigger import dispatch_round

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
    from callcenter.agents import AgentService
    from models import Ticket

    sid, _leg, agent_id = _answered_call(twilio, double, twilio_app, clock)
    with twilio_app.app_context():
        agent = db.session.get(Agent, agent_id)
        AgentService(db.session, clock).force(agent, "offline", actor="sup")
        db.session.commit()
        ticket = db.session.scalars(select(Ticket).join(Ticket.call).where(Ticket.call.has(call_sid=sid))).one()
        assert ticket.outcome == "follow_up" and "logged off by sup" in (ticket.notes or "")
    assert events_of(twilio_app, agent_id)[-1] == ("AGENTLOGOFF", "forced_by_supervisor", "sup")
