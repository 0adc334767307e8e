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
    assert "checked 3: closed 1, still live 1, unknown to the engine 1, errors 0" in result.output
    closed = stage_of(twilio_app, lost)
    assert closed.outcome == "queue_abandoned" and closed.duration_seconds == 95
    assert closed.queue_wait_seconds == 90, "waited from entering the queue to Twilio's end_time"
    assert stage_of(twilio_app, live).stage == "queued"
    assert all(user == TestConfig.TWILIO_ACCOUNT_SID for _, _, user in double.requests)
    assert {path for _, path, _ in double.requests} == {
        f"/2010-04-01/Accounts/{TestConfig.TWILIO_ACCOUNT_SID}/Calls/{sid}.json" for sid in (lost, live, unknown)
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
    assert "checked 0" in result.output and double.requests == []


def test_sandbox_gateway_reports_the_sandbox_calls(app, sandbox, clock) -> None:
    gateway = app.extensions["gateway"]
    call = sandbox.dial("0912345678", "19009299")
    assert gateway.fetch_call(call.call_sid).status == "in-progress"
    clock.advance(12)
    sandbox.hang_up(call.call_sid)
    remote = gateway.fetch_call(call.call_sid)
    assert (remote.status, remote.duration) == ("completed", 12)
    assert gateway.fetch_call(new_sid()) is None


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
