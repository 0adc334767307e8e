"""Warm transfer to central support on the conference bridge, in the sandbox (issue 13): the agent
consults (the caller on hold hears music, central support for the call's field is called in), then
hands over: she leaves for wrap-up and the caller talks with central support; or she cancels."""

from __future__ import annotations

from typing import Any

import pytest

from . import test_bridge_sandbox
from .conftest import BACKENDS
from .test_bridge_sandbox import answer_next, timeline
from .test_call_flow import run_for
from .test_softphone import log_in, make_agent_user, page_csrf, post_json

app = test_bridge_sandbox.app  # the fixture: the app on the conference bridge
ACCOUNTS_DESK = "+842439440001"  # TestConfig's central support for accounts


def on_a_call(app: Any, sandbox: Any, clock: Any) -> tuple[Any, str, Any, dict[str, Any]]:
    make_agent_user(app, clock, "lan")
    agent = app.test_client()
    log_in(agent, "lan")
    csrf = page_csrf(agent)
    post_json(agent, "/agent/api/state", {"state": "available"}, csrf)
    caller = sandbox.dial("0912 345 678", "19009299")
    sandbox.press(caller.call_sid, "2")
    run_for(sandbox, clock, 8)
    sandbox.press(caller.call_sid, "1")  # accounts, passwords, digital signatures
    run_for(sandbox, clock, 15)
    leg = answer_next(app, sandbox, clock, agent, csrf)
    return agent, csrf, caller, leg


def central_support_leg(sandbox: Any) -> Any:
    (leg,) = [c for c in sandbox.calls.values() if c.to == ACCOUNTS_DESK and not c.ended]
    return leg


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_consult_central_support_then_hand_over(app, sandbox, clock) -> None:
    agent, csrf, caller, leg = on_a_call(app, sandbox, clock)
    started = post_json(agent, "/agent/api/consult", {"action": "start"}, csrf)
    assert started.status_code == 200, started.get_json()
    assert started.get_json()["call"]["consult"] == {
        "target": "accounts",
        "kind": "central_support",
        "stage": "ringing",
    }
    rooms = sandbox.conferences
    assert rooms.hears_music(caller.call_sid), "the caller is on hold while she consults"
    support = central_support_leg(sandbox)
    sandbox.answer(support.call_sid)
    run_for(sandbox, clock, 2)
    state = agent.get("/agent/api/state").get_json()["call"]
    assert state["consult"]["stage"] == "talking" and state["on_hold"] is True
    assert rooms.hears(leg["call_sid"]) == {support.call_sid}, "she talks to central support; the caller cannot hear"

    handed = post_json(agent, "/agent/api/consult", {"action": "handover"}, csrf)
    assert handed.status_code == 200, handed.get_json()
    run_for(sandbox, clock, 3)
    assert agent.get("/agent/api/state").get_json()["agent"]["state"] == "wrap_up"
    assert rooms.hears(caller.call_sid) == {support.call_sid} and rooms.hears(support.call_sid) == {caller.call_sid}
    stages = [data.get("stage") for kind, data in timeline(app, caller.call_sid) if kind == "TRANSFER"]
    assert stages == ["consult", "handover"]
    lan = test_bridge_sandbox.agent_report(app)["lan"]
    assert (lan["consults"], lan["handed_over"], lan["holds"]) == (1, 1, 1)

    sandbox.hang_up(caller.call_sid)
    run_for(sandbox, clock, 2)
    assert sandbox.get(support.call_sid).ended, "the caller's leaving ends the room"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_consult_not_answered_can_be_cancelled_and_the_caller_comes_back(app, sandbox, clock) -> None:
    agent, csrf, caller, leg = on_a_call(app, sandbox, clock)
    post_json(agent, "/agent/api/consult", {"action": "start", "group": "accounts"}, csrf)
    run_for(sandbox, clock, 35)  # central support does not answer
    assert agent.get("/agent/api/state").get_json()["call"]["consult"]["stage"] == "not_answered"
    assert post_json(agent, "/agent/api/consult", {"action": "handover"}, csrf).status_code == 409
    cancelled = post_json(agent, "/agent/api/consult", {"action": "cancel"}, csrf)
    assert cancelled.status_code == 200 and cancelled.get_json()["call"]["consult"] is None
    assert cancelled.get_json()["call"]["on_hold"] is False
    assert sandbox.conferences.hears(leg["call_sid"]) == {caller.call_sid}


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_warm_transfer_to_a_colleague_on_duty(app, sandbox, clock) -> None:
    agent, csrf, caller, leg = on_a_call(app, sandbox, clock)
    make_agent_user(app, clock, "minh")
    minh = app.test_client()
    log_in(minh, "minh")
    minh_csrf = page_csrf(minh)
    post_json(minh, "/agent/api/state", {"state": "available"}, minh_csrf)
    offered = agent.get("/agent/api/state").get_json()["colleagues"]
    assert offered == [{"username": "minh", "name": "Minh", "state": "available"}]

    started = post_json(agent, "/agent/api/consult", {"action": "start", "colleague": "minh"}, csrf)
    assert started.get_json()["call"]["consult"] == {"target": "minh", "kind": "agent", "stage": "ringing"}
    assert minh.get("/agent/api/state").get_json()["agent"]["state"] == "ringing", "no other call is offered to her"
    (minh_leg,) = [c for c in minh.get("/agent/api/sandbox/calls").get_json()["calls"] if c["status"] == "ringing"]
    post_json(minh, f"/agent/api/sandbox/calls/{minh_leg['call_sid']}/answer", {}, minh_csrf)
    run_for(sandbox, clock, 2)
    assert minh.get("/agent/api/state").get_json()["agent"]["state"] == "on_call"
    assert sandbox.conferences.hears(leg["call_sid"]) == {minh_leg["call_sid"]}, "they talk; the caller is on hold"

    assert post_json(agent, "/agent/api/consult", {"action": "handover"}, csrf).status_code == 200
    run_for(sandbox, clock, 3)
    assert agent.get("/agent/api/state").get_json()["agent"]["state"] == "wrap_up"
    mine = minh.get("/agent/api/state").get_json()
    assert (mine["agent"]["state"], mine["call"]["call_sid"]) == ("on_call", caller.call_sid)
    assert sandbox.conferences.hears(caller.call_sid) == {minh_leg["call_sid"]}

    post_json(minh, f"/agent/api/sandbox/calls/{minh_leg['call_sid']}/hangup", {}, minh_csrf)
    run_for(sandbox, clock, 5)
    assert sandbox.get(caller.call_sid).ended, "the call is hers now: her hanging up ends it"
    assert minh.get("/agent/api/state").get_json()["agent"]["state"] == "wrap_up"
    targets = [
        (data.get("to"), data.get("stage")) for kind, data in timeline(app, caller.call_sid) if kind == "TRANSFER"
    ]
    assert targets == [("agent", "consult"), ("agent", "handover")]


def colleague_minh(app: Any, clock: Any) -> tuple[Any, str]:
    make_agent_user(app, clock, "minh")
    minh = app.test_client()
    log_in(minh, "minh")
    csrf = page_csrf(minh)
    post_json(minh, "/agent/api/state", {"state": "available"}, csrf)
    return minh, csrf


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_cold_transfer_to_a_colleague_who_answers(app, sandbox, clock) -> None:
    agent, csrf, caller, _leg = on_a_call(app, sandbox, clock)
    minh, minh_csrf = colleague_minh(app, clock)
    moved = post_json(agent, "/agent/api/transfer", {"to": "agent", "agent": "minh"}, csrf)
    assert moved.status_code == 200, moved.get_json()
    run_for(sandbox, clock, 2)
    assert agent.get("/agent/api/state").get_json()["agent"]["state"] == "wrap_up", "she leaves at once"
    assert sandbox.conferences.hears_music(caller.call_sid), "the caller hears music while minh's phone rings"
    clock.advance(7)
    (ring,) = [c for c in minh.get("/agent/api/sandbox/calls").get_json()["calls"] if c["status"] == "ringing"]
    post_json(minh, f"/agent/api/sandbox/calls/{ring['call_sid']}/answer", {}, minh_csrf)
    run_for(sandbox, clock, 2)
    mine = minh.get("/agent/api/state").get_json()
    assert (mine["agent"]["state"], mine["call"]["call_sid"], mine["call"]["on_hold"]) == (
        "on_call",
        caller.call_sid,
        False,
    )
    assert sandbox.conferences.hears(caller.call_sid) == {ring["call_sid"]}
    stages = [
        (data.get("to"), data.get("stage")) for kind, data in timeline(app, caller.call_sid) if kind == "TRANSFER"
    ]
    assert stages == [("agent", "cold"), ("agent", "handover")]
    holds = [data.get("seconds") for kind, data in timeline(app, caller.call_sid) if kind == "RESUME"]
    assert holds == [9]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cold_transfer_nobody_takes_goes_back_to_the_queue(app, sandbox, clock) -> None:
    agent, csrf, caller, _leg = on_a_call(app, sandbox, clock)
    colleague_minh(app, clock)
    assert post_json(agent, "/agent/api/transfer", {"to": "agent", "agent": "minh"}, csrf).status_code == 200
    run_for(sandbox, clock, 35)  # minh's softphone rings out
    run_for(sandbox, clock, 15)  # the caller hears they keep their place, then waits again
    assert sandbox.get(caller.call_sid).queue is not None, "back in the queue, with their place"
    assert any("chuyển lại hàng chờ" in h["text"] for h in caller.state(clock.now())["heard"])
    events = timeline(app, caller.call_sid)
    assert [(d.get("to"), d.get("stage")) for kind, d in events if kind == "TRANSFER"] == [
        ("agent", "cold"),
        ("queue", None),
        ("agent", "cancelled"),
    ]
