"""The conference bridge in the local sandbox, as a new user meets it (issue 13): the agent's
softphone rings while the caller keeps waiting; she answers, the caller is brought into the call's
conference, she puts them on hold (music; she cannot hear them) and back, hangs up and wraps up; the
timeline shows each leg and the hold with its length."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from callcenter.accounts.users import UserService
from config import TestConfig
from models import Call, CallEvent, User, db

from .conftest import BACKENDS
from .test_call_flow import run_for
from .test_sandbox_desk import legs, round_, ticket_of
from .test_softphone import log_in, make_agent_user, page_csrf, post_json


@pytest.fixture
def app(database_url: str, clock: Any) -> Iterator[Flask]:
    application = create_app(
        TestConfig, clock=clock, overrides={"DATABASE_URL": database_url, "DESK_BRIDGE": "conference"}
    )
    yield application
    application.extensions["db"].engine.dispose()


def agent_report(app: Flask) -> dict[str, dict[str, Any]]:
    """Today's agents report through the API, as a supervisor's program reads it."""
    with app.app_context():
        users = UserService(db.session, app.extensions["clock"])
        if users.session.scalar(select(User.id).where(User.username == "sup")) is None:
            users.create("sup", "correct-horse-battery", "supervisor")
        token = users.issue_token("sup")
        db.session.commit()
    answer = app.test_client().get("/api/reports/agents", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_json()
    return {row["agent"]: row for row in answer.get_json()["agents"]}


def timeline(app: Flask, sid: str) -> list[tuple[str, dict[str, Any]]]:
    with app.app_context():
        call_id = db.session.scalar(select(Call.id).where(Call.call_sid == sid))
        rows = db.session.scalars(select(CallEvent).where(CallEvent.call_id == call_id).order_by(CallEvent.id))
        return [(row.kind, row.data) for row in rows]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_answer_hold_resume_hang_up_on_the_conference_bridge(app, sandbox, clock) -> None:
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
    assert sandbox.get(caller.call_sid).queue is not None, "the caller waits in the queue while she rings"

    post_json(agent, f"/agent/api/sandbox/calls/{leg['call_sid']}/answer", {}, csrf)
    run_for(sandbox, clock, 3)
    state = agent.get("/agent/api/state").get_json()
    assert (state["agent"]["state"], state["bridge"], state["call"]["on_hold"]) == ("on_call", "conference", False)
    rooms = sandbox.conferences
    assert rooms.hears(leg["call_sid"]) == {caller.call_sid} and rooms.hears(caller.call_sid) == {leg["call_sid"]}

    clock.advance(30)
    held = post_json(agent, "/agent/api/hold", {"hold": True}, csrf)
    assert held.status_code == 200 and held.get_json()["call"]["on_hold"] is True
    assert rooms.hears_music(caller.call_sid) and rooms.hears(leg["call_sid"]) == set()
    again = post_json(agent, "/agent/api/hold", {"hold": True}, csrf)
    assert again.status_code == 200, "asking again changes nothing"
    clock.advance(45)
    back = post_json(agent, "/agent/api/hold", {"hold": False}, csrf)
    assert back.get_json()["call"]["on_hold"] is False and rooms.hears(leg["call_sid"]) == {caller.call_sid}

    run_for(sandbox, clock, 60)
    post_json(agent, f"/agent/api/sandbox/calls/{leg['call_sid']}/hangup", {}, csrf)
    run_for(sandbox, clock, 10)
    assert sandbox.get(caller.call_sid).ended, "she hung up: the caller hears goodbye and the call ends"
    assert agent.get("/agent/api/state").get_json()["agent"]["state"] == "wrap_up"
    done = post_json(agent, "/agent/api/wrapup", {"final": True, "outcome": "resolved", "question": "Ký số"}, csrf)
    assert done.status_code == 200, done.get_json()
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == caller.call_sid)).one()
        assert (call.outcome, call.stage) == ("answered", "ended")
    assert ticket_of(app, caller.call_sid).outcome == "resolved"
    events = timeline(app, caller.call_sid)
    holds = [(kind, data) for kind, data in events if kind in ("HOLD", "RESUME")]
    assert holds == [("HOLD", {}), ("RESUME", {"seconds": 45})]
    legs_in_order = sorted((data for kind, data in events if kind == "LEG"), key=lambda data: data["sequence"])
    joined = [data["label"] for data in legs_in_order if data["event"] == "participant-join"]
    assert joined == ["agent-1", "caller"]
    lan = agent_report(app)["lan"]
    assert (lan["handled"], lan["holds"], lan["hold_seconds"], lan["to_queue"]) == (1, 1, 45, 0)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_hold_is_refused_without_a_call_and_on_the_client_bridge(app, sandbox, clock) -> None:
    make_agent_user(app, clock, "lan")
    agent = app.test_client()
    log_in(agent, "lan")
    csrf = page_csrf(agent)
    refused = post_json(agent, "/agent/api/hold", {"hold": True}, csrf)
    assert refused.status_code == 409 and refused.get_json()["message"] == "You are not on a call."
    assert post_json(agent, "/agent/api/hold", {"hold": "yes"}, csrf).status_code == 400
    app.config["DESK_BRIDGE"] = "client"
    assert post_json(agent, "/agent/api/hold", {"hold": True}, csrf).get_json()["error"] == "no_hold"


def answer_next(app: Flask, sandbox: Any, clock: Any, agent: Any, csrf: str) -> dict[str, Any]:
    """A dispatch round rings the agent's softphone; she answers; returns her leg."""
    assert round_(app) >= 1
    (leg,) = [leg for leg in legs(agent) if leg["status"] == "ringing"]
    post_json(agent, f"/agent/api/sandbox/calls/{leg['call_sid']}/answer", {}, csrf)
    run_for(sandbox, clock, 3)
    return leg


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_cold_transfer_back_to_the_queue_keeps_the_callers_place_for_the_next_agent(app, sandbox, clock) -> None:
    desks = {}
    for name in ("lan", "minh"):
        make_agent_user(app, clock, name)
        desks[name] = app.test_client()
        log_in(desks[name], name)
    csrf = {name: page_csrf(client) for name, client in desks.items()}
    post_json(desks["lan"], "/agent/api/state", {"state": "available"}, csrf["lan"])

    first = sandbox.dial("0912 345 678", "19009299")
    sandbox.press(first.call_sid, "2")
    run_for(sandbox, clock, 8)
    sandbox.press(first.call_sid, "1")
    run_for(sandbox, clock, 15)
    answer_next(app, sandbox, clock, desks["lan"], csrf["lan"])
    later = sandbox.dial("0987 654 321", "19009299")  # another caller queues after the first was answered
    sandbox.press(later.call_sid, "2")
    run_for(sandbox, clock, 8)
    sandbox.press(later.call_sid, "1")
    run_for(sandbox, clock, 15)

    moved = post_json(desks["lan"], "/agent/api/transfer", {"to": "queue"}, csrf["lan"])
    assert moved.status_code == 200, moved.get_json()
    run_for(sandbox, clock, 10)
    assert moved.get_json()["agent"]["state"] in ("on_call", "wrap_up")
    assert desks["lan"].get("/agent/api/state").get_json()["agent"]["state"] == "wrap_up"
    assert sandbox.get(first.call_sid).queue is not None, "the first caller waits again"
    assert any("chuyển lại hàng chờ" in h["text"] for h in first.state(clock.now())["heard"])

    post_json(desks["minh"], "/agent/api/state", {"state": "available"}, csrf["minh"])
    run_for(sandbox, clock, 2)
    answer_next(app, sandbox, clock, desks["minh"], csrf["minh"])
    state = desks["minh"].get("/agent/api/state").get_json()
    assert (state["agent"]["state"], state["call"]["call_sid"]) == ("on_call", first.call_sid), "first in, first out"
    events = timeline(app, first.call_sid)
    assert [data.get("to") for kind, data in events if kind == "TRANSFER"] == ["queue"]
    connects = [data for kind, data in events if kind == "CONNECT"]
    assert [c.get("agent") for c in connects] == ["lan", "minh"]
    report = agent_report(app)
    assert (report["lan"]["to_queue"], report["minh"]["to_queue"]) == (1, 0)
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == first.call_sid)).one()
        assert call.stage == "connected" and call.answered_at is not None
