"""Reconciliation against a local double of Twilio's REST API reached through TWILIO_API_BASE_URL."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from config import TestConfig
from models import Call, db

from .conftest import BACKENDS, Twilio, call_params, new_sid


def stage_of(app: Flask, sid: str) -> Call:
    with app.app_context():
        return db.session.scalars(select(Call).where(Call.call_sid == sid)).one()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_queued_call_whose_status_callback_was_lost_is_closed_as_abandoned(twilio_app, double, clock) -> None:
    twilio = Twilio(twilio_app, twilio_app.test_client())
    lost, live, unknown = new_sid(), new_sid(), new_sid()
    for sid in (lost, live, unknown):
        twilio.post("/ivr/incoming", call_params(sid))
        twilio.post("/ivr/language", call_params(sid, Digits="1"))
        twilio.post("/ivr/queue/wait?branch=1", call_params(sid, QueuePosition="1", QueueTime="0"))
    clock.advance(90)
    double.add_call(lost, "completed", duration=95, end_time="Sun, 22 Nov 2026 02:01:30 +0000")
    double.add_call(live, "in-progress")
    clock.advance(10 * 60)

    result = twilio_app.test_cli_runner().invoke(args=["calls", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "checked 3 of 3 stale calls: closed 1, still live 1, unknown to the engine 1, errors 0" in result.output
    closed = stage_of(twilio_app, lost)
    assert closed.outcome == "queue_abandoned" and closed.duration_seconds == 95
    assert closed.queue_wait_seconds == 90, "waited from entering the queue to Twilio's end_time"
    assert stage_of(twilio_app, live).stage == "queued"
    assert all(user == TestConfig.TWILIO_ACCOUNT_SID for _, _, user in double.requests)
    account = f"/2010-04-01/Accounts/{TestConfig.TWILIO_ACCOUNT_SID}"
    assert {path for _, path, _ in double.requests} == {
        *(f"{account}/Calls/{sid}.json" for sid in (lost, live, unknown)),
        f"{account}/Queues.json",  # the queue comparison (the double has no queues here)
    }


def test_rest_failures_leave_the_call_for_the_next_sweep(twilio_app, double, clock) -> None:
    twilio = Twilio(twilio_app, twilio_app.test_client())
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    double.add_call(sid, "completed", duration=20, end_time="Sun, 22 Nov 2026 02:00:20 +0000")
    clock.advance(10 * 60)
    double.fail_next = [500]
    first = twilio_app.test_cli_runner().invoke(args=["calls", "reconcile"])
    assert "errors 1" in first.output and stage_of(twilio_app, sid).stage == "ivr"
    second = twilio_app.test_cli_runner().invoke(args=["calls", "reconcile"])
    assert "closed 1" in second.output and stage_of(twilio_app, sid).outcome == "ivr_abandoned"


def test_recent_calls_are_not_swept(twilio_app, double, clock) -> None:
    twilio = Twilio(twilio_app, twilio_app.test_client())
    twilio.post("/ivr/incoming", call_params(new_sid()))
    clock.advance(60)
    result = twilio_app.test_cli_runner().invoke(args=["calls", "reconcile"])
    assert "checked 0" in result.output
    assert [path.rsplit("/", 1)[-1] for _, path, _ in double.requests] == ["Queues.json"], "no call was fetched"


def test_sandbox_gateway_reports_the_sandbox_calls(app, sandbox, clock) -> None:
    gateway = app.extensions["gateway"]
    call = sandbox.dial("0912345678", "19009299")
    assert gateway.fetch_call(call.call_sid).status == "in-progress"
    clock.advance(12)
    sandbox.hang_up(call.call_sid)
    remote = gateway.fetch_call(call.call_sid)
    assert (remote.status, remote.duration) == ("completed", 12)
    assert gateway.fetch_call(new_sid()) is None


def test_sandbox_gateway_lists_who_waits_in_its_queues(app, sandbox, clock) -> None:
    from sandbox.engine import queue_sid

    first, second = sandbox.dial("0912000001", "19009299"), sandbox.dial("0912000002", "19009299")
    for caller in (first, second):
        sandbox.press(caller.call_sid, "1")
        for _ in range(15):  # the queue intro plays, then the caller joins
            clock.advance(1)
            sandbox.tick()
    members = app.extensions["gateway"].queue_members(["hotline-branch-1", "hotline-branch-2"])
    assert [(m.queue_name, m.call_sid, m.position) for m in members] == [
        ("hotline-branch-1", first.call_sid, 1),
        ("hotline-branch-1", second.call_sid, 2),
    ]
    assert members[0].queue_sid == queue_sid("hotline-branch-1") and members[0].wait_time > members[1].wait_time


def test_caller_whose_queue_result_never_came_is_settled_as_abandoned(app, twilio, clock) -> None:
    """Status callback arrived (line ended in the queue), the <Enqueue> hangup result never did."""
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    twilio.post("/ivr/language", call_params(sid, Digits="1"))
    twilio.post("/ivr/queue/wait?branch=1", call_params(sid, QueuePosition="1", QueueTime="0"))
    clock.advance(50)
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="0", CallDuration="58"))
    assert stage_of(app, sid).stage == "ending"
    clock.advance(10 * 60)
    result = app.test_cli_runner().invoke(args=["calls", "reconcile"])
    assert "closed 1" in result.output, result.output
    call = stage_of(app, sid)
    assert call.outcome == "queue_abandoned" and call.queue_wait_seconds == 50 and call.duration_seconds == 58


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_queue_members_are_compared_with_our_records_and_repaired(twilio_app, double, clock) -> None:
    """After a crash: a caller waits in Twilio's queue with no record of ours, and another caller's offer
    was claimed but never rang. One reconcile adopts the first (with their real place) and frees the second."""
    from datetime import timedelta

    from callcenter.agents.service import AgentService
    from models import Agent

    from .test_ringing import QUEUE_SID, SKILLS, caller_waits, dispatch

    twilio = Twilio(twilio_app, twilio_app.test_client())
    double.queues[QUEUE_SID] = "hotline-branch-2"
    offered, orphan = new_sid(), new_sid()
    caller_waits(twilio, double, offered)
    with twilio_app.app_context():
        service = AgentService(db.session, clock)
        agent = service.create("lan", "Lan", SKILLS)
        agent.overtime_until = clock.now() + timedelta(hours=8)
        service.login(agent)
        db.session.commit()
        agent_id = agent.id
    double.fail_next = [500, 500, 500]  # the dequeue fails three times: the offer is withdrawn at once...
    dispatch(twilio_app, clock)
    assert stage_of(twilio_app, offered).offered_agent_id is None
    with twilio_app.app_context():  # ...so simulate the crash: a claim left behind with the agent ringing
        call = db.session.scalars(select(Call).where(Call.call_sid == offered)).one()
        call.offered_agent_id, call.offered_at = agent_id, clock.now()
        agent = db.session.get(Agent, agent_id)
        agent.state, agent.current_call_sid = "ringing", offered
        db.session.commit()
    double.add_member(QUEUE_SID, offered, position=1)
    double.add_member(QUEUE_SID, orphan, position=2)
    double.members[(QUEUE_SID, orphan)]["wait_time"] = 75
    double.add_call(orphan, "in-progress")
    double.calls[orphan]["from"] = "+84987654321"
    clock.advance(120)

    result = twilio_app.test_cli_runner().invoke(args=["calls", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "queues: 2 waiting at the engine; adopted 1, offers withdrawn 1, callbacks repaired 0" in result.output
    adopted = stage_of(twilio_app, orphan)
    assert (adopted.stage, adopted.branch, adopted.caller_e164, adopted.queue_sid) == (
        "queued",
        2,
        "+84987654321",
        QUEUE_SID,
    )
    assert adopted.queue_entered_at == clock.now().replace(tzinfo=adopted.queue_entered_at.tzinfo) - timedelta(
        seconds=75
    )
    assert stage_of(twilio_app, offered).offered_agent_id is None
    with twilio_app.app_context():
        assert db.session.get(Agent, agent_id).state == "available"
    again = twilio_app.test_cli_runner().invoke(args=["calls", "reconcile"])
    assert "adopted 0, offers withdrawn 0" in again.output, "a second run finds nothing to repair"
