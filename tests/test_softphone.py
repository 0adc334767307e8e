"""The softphone's server side as an agent's browser uses it: session login (CSRF, throttling, roles),
state controls, the access token, the screen pop (branch 1 stays confidential) and the wrap-up form."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from config import TestConfig
from models import Agent, Call, Ticket, db

from .conftest import BACKENDS, Twilio, call_params, make_twilio_app, new_sid, parse_twiml
from .test_ringing import SKILLS, caller_waits

PASSWORD = "correct-horse-battery"


def make_agent_user(app: Flask, clock: Any, name: str, *, role: str = "agent", overtime: bool = True) -> None:
    with app.app_context():
        UserService(db.session, clock).create(name, PASSWORD, role)
        if role == "agent":
            agent = AgentService(db.session, clock).create(name, name.title(), SKILLS)
            if overtime:
                agent.overtime_until = clock.now() + timedelta(hours=8)
        db.session.commit()


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client: FlaskClient, name: str, password: str = PASSWORD) -> Any:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token})


def page_csrf(client: FlaskClient) -> str:
    html = client.get("/agent/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def post_json(client: FlaskClient, path: str, body: dict[str, Any], csrf: str | None) -> Any:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    return client.post(path, json=body, headers=headers)


def test_login_logout_and_roles(app, client, clock) -> None:
    make_agent_user(app, clock, "lan")
    make_agent_user(app, clock, "sup", role="supervisor")
    assert client.get("/agent/").status_code == 302  # anonymous: to the login page
    assert client.get("/agent/api/state").status_code == 401
    response = log_in(client, "lan")
    assert response.status_code == 302 and response.headers["Location"].endswith("/agent/")
    page = client.get("/agent/")
    assert page.status_code == 200 and "Go available" in page.get_data(as_text=True)
    cookie = next(c for c in client._cookies.values() if c.key == "hotline_session")
    assert cookie.http_only and cookie.same_site == "Lax"
    csrf = page_csrf(client)
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert client.get("/agent/api/state").status_code == 401

    other = app.test_client()
    log_in(other, "sup")
    assert other.get("/agent/").status_code == 403, "the softphone is for agents"


def test_wrong_passwords_are_throttled_and_forms_need_the_csrf_token(app, client, clock) -> None:
    make_agent_user(app, clock, "lan")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": "lan", "password": PASSWORD}).status_code == 400  # no CSRF
    for _ in range(5):
        assert (
            client.post("/login", data={"username": "lan", "password": "wrong", "csrf_token": token}).status_code == 401
        )
    blocked = client.post("/login", data={"username": "lan", "password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Too many failed logins" in blocked.get_data(as_text=True)
    clock.advance(15 * 60 + 1)
    assert client.post("/login", data={"username": "lan", "password": PASSWORD, "csrf_token": token}).status_code == 302


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_agent_state_controls_need_csrf_and_follow_the_rota(app, client, clock) -> None:
    make_agent_user(app, clock, "lan")
    make_agent_user(app, clock, "off", overtime=False)
    log_in(client, "lan")
    csrf = page_csrf(client)
    assert post_json(client, "/agent/api/state", {"state": "available"}, None).status_code == 400
    state = post_json(client, "/agent/api/state", {"state": "available"}, csrf).get_json()
    assert state["agent"]["state"] == "available" and state["mode"] == "sandbox"
    bad = post_json(client, "/agent/api/state", {"state": "break", "reason": "nap"}, csrf)
    assert bad.status_code == 409 and "Choose a reason" in bad.get_json()["message"]
    assert (
        post_json(client, "/agent/api/state", {"state": "break", "reason": "lunch"}, csrf).get_json()["agent"]["reason"]
        == "lunch"
    )

    other = app.test_client()
    log_in(other, "off")
    refused = post_json(other, "/agent/api/state", {"state": "available"}, page_csrf(other))
    assert refused.status_code == 409 and "not on the rota" in refused.get_json()["message"]


def test_sandbox_token_names_the_agent_identity(app, client, clock) -> None:
    make_agent_user(app, clock, "lan")
    log_in(client, "lan")
    body = post_json(client, "/agent/api/token", {}, page_csrf(client)).get_json()
    assert body == {"mode": "sandbox", "identity": "lan", "ttl": 3600, "token": None}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_twilio_token_is_a_voice_grant_for_the_agent(database_url, clock, double) -> None:
    app = make_twilio_app(
        database_url,
        clock,
        double,
        TWILIO_API_KEY_SID="SK" + "a" * 32,
        TWILIO_API_KEY_SECRET="api-key-secret-of-at-least-32-bytes!!",
    )
    make_agent_user(app, clock, "lan")
    client = app.test_client()
    log_in(client, "lan")
    csrf = page_csrf(client)
    issued_from = int(time.time())
    body = post_json(client, "/agent/api/token", {}, csrf).get_json()
    issued_by = int(time.time()) + 1
    claims = jwt.decode(body["token"], "api-key-secret-of-at-least-32-bytes!!", algorithms=["HS256"])
    assert claims["sub"] == TestConfig.TWILIO_ACCOUNT_SID and claims["iss"] == "SK" + "a" * 32
    assert claims["grants"]["identity"] == "lan"
    assert claims["grants"]["voice"]["incoming"] == {"allow": True}
    # A one-hour lifetime from issue (the SDK renews it before it runs out): bounded by the request's
    # own start and end, so a slow machine cannot make this fail.
    assert issued_from + 3600 <= claims["exp"] <= issued_by + 3600
    app.extensions["db"].engine.dispose()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_screen_pop_hides_branch_1_callers_and_shows_branch_2_history(twilio_app, double, clock) -> None:
    twilio = Twilio(twilio_app, twilio_app.test_client())
    make_agent_user(twilio_app, clock, "lan")
    # Earlier calls from the same number: one to branch 2 (wrapped up), one to branch 1 (a report).
    old2, old1 = new_sid(), new_sid()
    caller_waits(twilio, double, old2)
    twilio.post("/ivr/status", call_params(old2, CallStatus="completed"))
    twilio.post("/ivr/incoming", call_params(old1))
    twilio.post("/ivr/language", call_params(old1, Digits="1"))
    twilio.post("/ivr/status", call_params(old1, CallStatus="completed"))
    with twilio_app.app_context():
        ticket = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == old2)).one()
        ticket.business_code, ticket.question = "IDA", "How to amend a declaration?"
        db.session.commit()

    client = twilio_app.test_client()
    log_in(client, "lan")
    csrf = page_csrf(client)
    clock.advance(3600)
    now2 = new_sid()
    caller_waits(twilio, double, now2)
    became = post_json(client, "/agent/api/state", {"state": "available"}, csrf)
    assert became.status_code == 200, became.get_json()
    from .test_ringing import dispatch

    assert dispatch(twilio_app, clock)
    pop = client.get("/agent/api/state").get_json()["call"]
    assert (pop["caller"], pop["branch"], pop["problem_group"], pop["caller_hidden"]) == (
        "+84912345678",
        2,
        "accounts",
        False,
    )
    assert [(h["business_code"], h["question"]) for h in pop["history"]] == [("IDA", "How to amend a declaration?")]

    with twilio_app.app_context():  # now a branch-1 call rings the same agent
        agent = db.session.scalars(select(Agent).where(Agent.username == "lan")).one()
        agent.current_call_sid = old1
        db.session.commit()
    pop = client.get("/agent/api/state").get_json()["call"]
    assert (pop["caller"], pop["caller_hidden"], pop["history"]) == (None, True, [])
    assert "+84912345678" not in client.get("/agent/api/state").get_data(as_text=True)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_event_driven_dispatch_rings_the_agent_the_moment_they_become_available(database_url, clock, double) -> None:
    app = make_twilio_app(database_url, clock, double, DISPATCH_ON_EVENTS=True, DISPATCH_SYNCHRONOUS=True)
    twilio = Twilio(app, app.test_client())
    make_agent_user(app, clock, "lan")
    sid = new_sid()
    caller_waits(twilio, double, sid)
    assert double.dequeued == []
    client = app.test_client()
    log_in(client, "lan")
    state = post_json(client, "/agent/api/state", {"state": "available"}, page_csrf(client)).get_json()
    assert [m for _, m, _ in double.dequeued] == [sid], "no sweep needed: the state change ran a round"
    assert state["agent"]["state"] == "ringing"

    # A missed ring sends lan on a break; back from it, the same caller (first in line) rings again.
    dial = parse_twiml(twilio.post(double.dequeued[0][2], call_params(sid)).data).find("Dial")
    twilio.post(dial.get("action"), call_params(sid, DialCallStatus="no-answer"))  # missed: lan on a break
    assert double.dequeued[-1][1] == sid and len(double.dequeued) == 1
    double.add_member("QU" + "b2" * 16, sid)  # Twilio: back in the queue (our order keeps their place)…
    twilio.post(  # …and its first wait turn says so: from now on they can be dequeued again
        "/ivr/queue/wait?branch=2&lang=vi",
        call_params(sid, QueuePosition="1", QueueTime="0", QueueSid="QU" + "b2" * 16),
    )
    post_json(client, "/agent/api/state", {"state": "available"}, page_csrf(client))
    assert [m for _, m, _ in double.dequeued] == [sid, sid], "the missed caller (first in line) goes again"

    # A caller who joins the queue while an agent is idle is put through as they join (no sweep).
    idle = new_sid()
    make_agent_user(app, clock, "minh")
    other = app.test_client()
    log_in(other, "minh")
    post_json(other, "/agent/api/state", {"state": "available"}, page_csrf(other))
    double.add_member("QU" + "b2" * 16, idle)
    twilio.post("/ivr/incoming", call_params(idle))
    twilio.post("/ivr/language", call_params(idle, Digits="2"))
    twilio.post("/ivr/group?attempt=1&lang=vi", call_params(idle, Digits="1"))
    assert [m for _, m, _ in double.dequeued][-1] != idle, "not before Twilio told us the queue's SID"
    twilio.post(
        "/ivr/queue/wait?branch=2&lang=vi",
        call_params(idle, QueuePosition="1", QueueTime="0", QueueSid="QU" + "b2" * 16),
    )
    assert [m for _, m, _ in double.dequeued][-1] == idle
    app.extensions["db"].engine.dispose()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_wrap_up_form_validates_keeps_drafts_and_closes_the_ticket(twilio_app, double, clock) -> None:
    twilio = Twilio(twilio_app, twilio_app.test_client())
    make_agent_user(twilio_app, clock, "lan")
    client = twilio_app.test_client()
    log_in(client, "lan")
    csrf = page_csrf(client)
    sid = new_sid()
    caller_waits(twilio, double, sid)
    post_json(client, "/agent/api/state", {"state": "available"}, csrf)
    from .test_ringing import dispatch

    dispatch(twilio_app, clock)
    dial = parse_twiml(twilio.post(double.dequeued[0][2], call_params(sid)).data).find("Dial")
    twilio.post(dial.find("Client").get("url"), call_params(new_sid(), ParentCallSid=sid, To="client:lan"))
    assert client.get("/agent/api/state").get_json()["agent"]["state"] == "on_call"
    for wanted in ("available", "break", "offline"):  # the call in hand first
        busy = post_json(client, "/agent/api/state", {"state": wanted, "reason": "lunch"}, csrf)
        assert busy.status_code == 409, wanted
    twilio.post(dial.get("action"), call_params(sid, DialCallStatus="completed"))
    state = client.get("/agent/api/state").get_json()
    assert state["agent"]["state"] == "wrap_up" and state["call"]["call_sid"] == sid

    draft = post_json(client, "/agent/api/wrapup", {"tax_code": "0100100078", "business_code": "IDA"}, csrf)
    assert draft.status_code == 200
    assert "check digit" in draft.get_json()["fields"]["tax_code"]
    bad = post_json(client, "/agent/api/wrapup", {"final": True, "tax_code": "0100100079"}, csrf)
    assert bad.status_code == 400 and "outcome" in bad.get_json()["fields"]
    done = post_json(
        client,
        "/agent/api/wrapup",
        {"final": True, "outcome": "resolved", "tax_code": "0100100079", "question": "Q", "answer": "A"},
        csrf,
    ).get_json()
    assert done["outcome"] == "resolved"
    assert client.get("/agent/api/state").get_json()["agent"]["state"] == "available"
    with twilio_app.app_context():
        ticket = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == sid)).one()
        assert (ticket.outcome, ticket.status, ticket.business_code, ticket.tax_code) == (
            "resolved",
            "closed",
            "IDA",
            "0100100079",
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_behind_a_proxy_throttling_counts_the_clients_address(database_url, clock) -> None:
    app = create_app(TestConfig, clock=clock, overrides={"DATABASE_URL": database_url, "PROXY_FIX_HOPS": 1})
    make_agent_user(app, clock, "lan")
    make_agent_user(app, clock, "minh")
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for i in range(20):  # twenty bad tries from one address, different usernames (the per-address ceiling)
        form = {"username": f"u{i}", "password": "x", "csrf_token": token}
        client.post("/login", data=form, headers={"X-Forwarded-For": "203.0.113.9"})
    blocked = client.post(
        "/login",
        data={"username": "lan", "password": PASSWORD, "csrf_token": token},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert blocked.status_code == 429
    other = client.post(
        "/login",
        data={"username": "minh", "password": PASSWORD, "csrf_token": token},
        headers={"X-Forwarded-For": "198.51.100.4"},
    )
    assert other.status_code == 302, "another client behind the same proxy is not locked out"
    app.extensions["db"].engine.dispose()
