"""Presence that tells the truth: an agent whose softphone page stopped reporting (tab closed, connection
lost) or whose device is not registered is not offered calls; a closing tab's beacon takes her out at
once; a page silent for a minute logs her off with the reason on record. And the wrap-up's end time,
its warning and "More time"."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from callcenter.agents.service import AgentService
from callcenter.ops import jobs
from models import Agent, AgentEvent, Call, db

from .conftest import BACKENDS
from .test_call_flow import run_for
from .test_sandbox_desk import legs, round_
from .test_softphone import log_in, make_agent_user, page_csrf, post_json


def softphone_page(app: Flask, clock: Any, name: str) -> tuple[FlaskClient, str]:
    """An agent logged in on the softphone page: (client, CSRF token)."""
    make_agent_user(app, clock, name)
    client = app.test_client()
    log_in(client, name)
    return client, page_csrf(client)


def report(client: FlaskClient, csrf: str, ready: bool = True) -> Any:
    """The page's presence report (every few seconds)."""
    return post_json(client, "/agent/api/presence", {"ready": ready}, csrf)


def go_available(client: FlaskClient, csrf: str) -> dict[str, Any]:
    report(client, csrf)
    response = post_json(client, "/agent/api/state", {"state": "available"}, csrf)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def caller_queued(sandbox: Any, clock: Any) -> str:
    """A caller dials, chooses branch 2, accounts, and waits in the queue (23 s of menus)."""
    caller = sandbox.dial("0912 345 678", "19009299")
    sandbox.press(caller.call_sid, "2")
    run_for(sandbox, clock, 8)
    sandbox.press(caller.call_sid, "1")
    run_for(sandbox, clock, 15)
    return caller.call_sid


def me(client: FlaskClient) -> dict[str, Any]:
    return client.get("/agent/api/state").get_json()["agent"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_agent_whose_softphone_went_silent_is_not_offered_and_the_caller_waits_for_a_live_one(
    app, sandbox, clock
) -> None:
    lan, lan_csrf = softphone_page(app, clock, "lan")
    minh, minh_csrf = softphone_page(app, clock, "minh")
    assert go_available(lan, lan_csrf)["agent"]["softphone"] == "connected"
    clock.advance(1)
    go_available(minh, minh_csrf)  # lan has idled longest: by the rule she is offered first

    sid = caller_queued(sandbox, clock)  # 23 s later neither page has reported (both tabs went quiet)
    assert me(lan)["softphone"] == "lost" and me(lan)["state"] == "available"
    assert round_(app) == 0, "nobody whose softphone is lost is rung: the caller waits"
    assert legs(lan) == [] and legs(minh) == []

    assert report(minh, minh_csrf).get_json() == {"softphone": "connected"}  # minh's page is back
    assert round_(app) == 1
    (leg,) = legs(minh)
    assert (leg["status"], leg["to"]) == ("ringing", "client:minh")
    assert legs(lan) == []
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == sid)).one()
        assert call.offered_agent_id == db.session.scalars(select(Agent.id).where(Agent.username == "minh")).one()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_page_whose_device_is_not_registered_is_not_offered(app, sandbox, clock) -> None:
    lan, csrf = softphone_page(app, clock, "lan")
    go_available(lan, csrf)
    caller_queued(sandbox, clock)
    assert report(lan, csrf, ready=False).get_json() == {"softphone": "not_ready"}  # the SDK lost Twilio
    assert round_(app) == 0
    assert report(lan, csrf, ready=True).get_json() == {"softphone": "connected"}
    assert round_(app) == 1


def test_a_closing_tabs_beacon_takes_the_agent_out_at_once(app, sandbox, clock) -> None:
    lan, csrf = softphone_page(app, clock, "lan")
    go_available(lan, csrf)
    caller_queued(sandbox, clock)
    report(lan, csrf)

    # navigator.sendBeacon cannot set headers: a form body with the CSRF token. Without it: refused.
    assert lan.post("/agent/api/presence", data={"gone": "1"}).status_code == 400
    beacon = lan.post("/agent/api/presence", data={"csrf_token": csrf, "gone": "1"})
    assert beacon.get_json() == {"softphone": "not_ready"}
    assert round_(app) == 0, "no time passed: the beacon alone took her out"
    assert me(lan)["state"] == "available", "a reload sends the beacon too: she is not logged off for it"


def test_the_sweep_logs_off_an_agent_whose_page_is_gone_for_a_minute_with_the_reason_on_record(app, clock) -> None:
    lan, lan_csrf = softphone_page(app, clock, "lan")
    minh, minh_csrf = softphone_page(app, clock, "minh")
    go_available(lan, lan_csrf)
    go_available(minh, minh_csrf)
    make_agent_user(app, clock, "chi")  # never had a page: presence unknown, left alone
    with app.app_context():
        AgentService(db.session, clock).login(db.session.scalars(select(Agent).where(Agent.username == "chi")).one())
        db.session.commit()

    lan.post("/agent/api/presence", data={"csrf_token": lan_csrf, "gone": "1"})  # lan's tab closes
    clock.advance(30)
    report(minh, minh_csrf)
    with app.app_context():
        assert jobs.softphones_lost() == [], "a short blip only pauses offers"
    clock.advance(31)
    report(minh, minh_csrf)  # minh's page keeps reporting
    with app.app_context():
        assert jobs.softphones_lost() == ["lan"]
        event = db.session.scalars(select(AgentEvent).order_by(AgentEvent.id.desc())).first()
        assert (event.kind, event.from_state, event.to_state, event.reason, event.actor) == (
            "AGENTLOGOFF",
            "available",
            "offline",
            "softphone_lost",
            "presence",
        )
        assert event.data == {"silent_seconds": 61}
        states = dict(db.session.execute(select(Agent.username, Agent.state)).tuples().all())
    assert states == {"lan": "offline", "minh": "available", "chi": "available"}
    assert me(lan)["reason"] == "softphone_lost"


def test_the_wallboard_and_the_people_page_say_when_a_softphone_is_not_connected(app, clock, make_user) -> None:
    lan, csrf = softphone_page(app, clock, "lan")
    go_available(lan, csrf)
    supervisor = make_user("supervisor")
    board = {a["username"]: a for a in app.test_client().get("/api/wallboard", headers=supervisor).get_json()["agents"]}
    assert (board["lan"]["state"], board["lan"]["softphone"]) == ("available", "connected")
    clock.advance(11)
    board = {a["username"]: a for a in app.test_client().get("/api/wallboard", headers=supervisor).get_json()["agents"]}
    assert (board["lan"]["state"], board["lan"]["softphone"]) == ("available", "lost")
    people = app.test_client().get("/api/people/agents", headers=supervisor).get_json()
    rows = people["agents"] if isinstance(people, dict) else people
    assert next(a for a in rows if a["username"] == "lan")["softphone"] == "lost"


def wrap_up(app: Flask, clock: Any, name: str) -> None:
    """The agent's call is over: wrap-up (the states a call takes, as the webhooks move them)."""
    with app.app_context():
        service = AgentService(db.session, clock)
        agent = service.by_username(name)
        for state in ("ringing", "on_call", "wrap_up"):
            service.transition(agent, state, call_sid="CA" + "1" * 32)
        db.session.commit()


def test_wrap_up_shows_when_it_ends_and_more_time_extends_it_once_on_record(app, clock) -> None:
    lan, csrf = softphone_page(app, clock, "lan")
    go_available(lan, csrf)
    wrap_up(app, clock, "lan")
    clock.advance(20)
    w = me(lan)["wrap_up"]
    assert (w["seconds_left"], w["may_extend"], w["extend_seconds"], w["warning_seconds"]) == (100, True, 60, 30)
    assert w["extended_seconds"] == 0

    clock.advance(75)  # 25 s left: the page warns
    state = post_json(lan, "/agent/api/wrapup/extend", {}, csrf).get_json()
    w = state["agent"]["wrap_up"]
    assert (w["seconds_left"], w["may_extend"], w["extended_seconds"]) == (85, False, 60)
    again = post_json(lan, "/agent/api/wrapup/extend", {}, csrf)
    assert again.status_code == 409 and "already" in again.get_json()["message"]

    clock.advance(30)  # 125 s: without More time the scheduler would have freed her
    with app.app_context():
        assert jobs.expire_wrap_ups() == []
        event = db.session.scalars(select(AgentEvent).where(AgentEvent.kind == "WRAPUPEXTEND")).one()
        assert (event.from_state, event.to_state, event.actor, event.data) == (
            "wrap_up",
            "wrap_up",
            "lan",
            {"seconds": 60},
        )
    clock.advance(56)  # 181 s
    with app.app_context():
        assert jobs.expire_wrap_ups() == ["lan"]
    assert me(lan)["state"] == "available" and me(lan)["wrap_up"] is None
    assert post_json(lan, "/agent/api/wrapup/extend", {}, csrf).status_code == 409
