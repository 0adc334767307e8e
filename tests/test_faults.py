"""Faults of a real line (issue 10), each played with the fake clock and the REST double: one bad call
never blocks the others — a caller Twilio no longer holds, a live one not (yet) in its queue, a queue SID
never learned, a refused callback, a late agent leg, a caller back after a missed ring. The README's
"When something goes wrong" table lists the same; the breaker and Twilio's REST API are in
test_faults_telephony.py, lost call results in test_faults_sweep.py.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from callcenter.queue.callbacks import CallbackService
from models import Agent, db

from . import faults_support
from .callbacks_support import agent_accepts, book_callback, callback_of, timeline
from .conftest import BACKENDS, call_params, new_sid, parse_twiml
from .faults_support import events_of
from .rest_double import TwilioDouble
from .test_ringing import QUEUE_SID, agent_state, call_row, caller_waits, dispatch, make_agents

twilio = faults_support.twilio  # the fixture: webhooks signed for the app on the REST double


def kinds(app: Flask, sid: str) -> list[str]:
    return [kind for kind, _ in timeline(app, sid)]


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
    from callcenter.reports import service as reports

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
