"""The issue's "done when", through the local sandbox with no Twilio: an on-duty agent's softphone
rings with a screen pop, the agent answers, hangs up and wraps up, and the ticket shows the outcome;
a caller who asks for a callback from the queue is called back by the agent (agent first)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from callcenter.routing.trigger import dispatch_round
from models import Call, Callback, Ticket, db

from .conftest import BACKENDS
from .test_call_flow import run_for
from .test_softphone import log_in, make_agent_user, page_csrf, post_json


def round_(app: Flask) -> int:
    with app.app_context():
        return dispatch_round()


def legs(client: FlaskClient) -> list[dict[str, Any]]:
    return client.get("/agent/api/sandbox/calls").get_json()["calls"]


def ticket_of(app: Flask, sid: str) -> Ticket:
    with app.app_context():
        return db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == sid)).one()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_sandbox_call_rings_the_softphone_is_answered_and_wrapped_up(app, sandbox, clock) -> None:
    make_agent_user(app, clock, "lan")
    agent = app.test_client()
    log_in(agent, "lan")
    csrf = page_csrf(agent)
    post_json(agent, "/agent/api/state", {"state": "available"}, csrf)

    caller = sandbox.dial("0912 345 678", "19009299")
    sandbox.press(caller.call_sid, "2")
    run_for(sandbox, clock, 8)
    sandbox.press(caller.call_sid, "1")
    run_for(sandbox, clock, 15)
    assert round_(app) == 1
    (leg,) = legs(agent)
    assert (leg["status"], leg["to"]) == ("ringing", "client:lan")
    pop = agent.get("/agent/api/state").get_json()
    assert pop["agent"]["state"] == "ringing"
    assert (pop["call"]["caller"], pop["call"]["branch"], pop["call"]["problem_group"]) == (
        "+84912345678",
        2,
        "accounts",
    )

    make_agent_user(app, clock, "minh")  # another agent cannot touch lan's leg
    other = app.test_client()
    log_in(other, "minh")
    stolen = post_json(other, f"/agent/api/sandbox/calls/{leg['call_sid']}/answer", {}, page_csrf(other))
    assert stolen.status_code == 404

    clock.advance(4)
    post_json(agent, f"/agent/api/sandbox/calls/{leg['call_sid']}/answer", {}, csrf)
    again = post_json(agent, f"/agent/api/sandbox/calls/{leg['call_sid']}/answer", {}, csrf)
    assert again.status_code == 409 and "not ringing" in again.get_json()["message"]
    run_for(sandbox, clock, 5)
    (leg,) = legs(agent)
    assert leg["status"] == "in-progress" and any("nhánh 2" in h["text"] for h in leg["heard"]), "the whisper"
    assert agent.get("/agent/api/state").get_json()["agent"]["state"] == "on_call"
    assert any("Connected" in h["text"] for h in sandbox.get(caller.call_sid).state(clock.now())["heard"])

    run_for(sandbox, clock, 120)
    post_json(agent, f"/agent/api/sandbox/calls/{leg['call_sid']}/hangup", {}, csrf)
    run_for(sandbox, clock, 10)
    assert sandbox.get(caller.call_sid).ended
    state = agent.get("/agent/api/state").get_json()
    assert state["agent"]["state"] == "wrap_up" and state["call"]["call_sid"] == caller.call_sid
    done = post_json(
        agent, "/agent/api/wrapup", {"final": True, "outcome": "resolved", "question": "Mất mật khẩu VNACCS"}, csrf
    )
    assert done.status_code == 200, done.get_json()
    ticket = ticket_of(app, caller.call_sid)
    assert (ticket.outcome, ticket.status, ticket.question) == ("resolved", "closed", "Mất mật khẩu VNACCS")
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == caller.call_sid)).one()
        assert (call.outcome, call.stage) == ("answered", "ended")


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_sandbox_callback_ends_with_the_agent_calling_back(app, sandbox, clock) -> None:
    caller = sandbox.dial("0912 345 678", "19009299")
    sandbox.press(caller.call_sid, "2")
    run_for(sandbox, clock, 8)
    sandbox.press(caller.call_sid, "1")
    run_for(sandbox, clock, 30)
    sandbox.press(caller.call_sid, "1")  # while waiting: a callback
    run_for(sandbox, clock, 3)
    assert any("0 9 1 2 3 4 5 6 7 8" in h["text"] for h in caller.state(clock.now())["heard"])
    sandbox.press(caller.call_sid, "1")  # confirm the number read back
    run_for(sandbox, clock, 20)
    assert caller.ended, "the hotline says goodbye and hangs up: the caller stops paying"
    with app.app_context():
        callback = db.session.scalars(select(Callback)).one()
        assert (callback.status, callback.number_e164) == ("pending", "+84912345678")

    make_agent_user(app, clock, "lan")
    agent = app.test_client()
    log_in(agent, "lan")
    csrf = page_csrf(agent)
    post_json(agent, "/agent/api/state", {"state": "available"}, csrf)
    assert round_(app) == 1
    (leg,) = legs(agent)
    assert leg["direction"] == "outbound-api"
    pop = agent.get("/agent/api/state").get_json()["call"]
    assert pop["kind"] == "callback" and pop["call_sid"] == caller.call_sid

    post_json(agent, f"/agent/api/sandbox/calls/{leg['call_sid']}/answer", {}, csrf)
    run_for(sandbox, clock, 6)
    phone = sandbox.device_calls("0912345678")
    assert [p.status for p in phone] == ["ringing"], "the caller's phone rings once the agent accepted"
    sandbox.answer(phone[0].call_sid)
    run_for(sandbox, clock, 10)
    assert any("gọi lại" in h["text"] for h in phone[0].state(clock.now())["heard"])
    run_for(sandbox, clock, 90)
    sandbox.hang_up(phone[0].call_sid)  # the caller hangs up after the conversation
    run_for(sandbox, clock, 5)
    assert agent.get("/agent/api/state").get_json()["agent"]["state"] == "wrap_up"
    post_json(agent, "/agent/api/wrapup", {"final": True, "outcome": "resolved"}, csrf)
    with app.app_context():
        callback = db.session.scalars(select(Callback)).one()
        assert (callback.status, callback.attempts) == ("completed", 1)
    assert ticket_of(app, caller.call_sid).outcome == "resolved"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_branch_1_callback_never_shows_the_callers_number_on_the_softphone(app, sandbox, clock) -> None:
    caller = sandbox.dial("0912 345 678", "19009299")
    sandbox.press(caller.call_sid, "1")  # branch 1: a denunciation
    run_for(sandbox, clock, 30)
    sandbox.press(caller.call_sid, "1")
    run_for(sandbox, clock, 3)
    sandbox.press(caller.call_sid, "1")
    run_for(sandbox, clock, 20)
    make_agent_user(app, clock, "lan")
    agent = app.test_client()
    log_in(agent, "lan")
    csrf = page_csrf(agent)
    post_json(agent, "/agent/api/state", {"state": "available"}, csrf)
    round_(app)
    (leg,) = legs(agent)
    post_json(agent, f"/agent/api/sandbox/calls/{leg['call_sid']}/answer", {}, csrf)
    run_for(sandbox, clock, 6)
    sandbox.answer(sandbox.device_calls("0912345678")[0].call_sid)
    run_for(sandbox, clock, 10)
    seen = agent.get("/agent/api/sandbox/calls").get_data(as_text=True) + agent.get("/agent/api/state").get_data(
        as_text=True
    )
    assert "912345678" not in seen and "912 345 678" not in seen
    assert "Connected with (number hidden)" in seen
