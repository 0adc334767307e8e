"""Setting up the desk in production (issue 10): users and agent profiles from the command line and the
JSON API, supervisors forcing a state (log off, end a break) on record, and deactivated people: no login,
no calls, off the rota, history kept."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from callcenter.accounts.users import UserService
from callcenter.agents.service import FORCED_REASON, AgentError, AgentService, anyone_working
from callcenter.queue.callbacks import CallbackService
from callcenter.queue.dispatch import Dispatcher
from callcenter.rota.service import RotaService
from models import Agent, AgentEvent, Call, Callback, CallEvent, Shift, User, db

from .conftest import BACKENDS, Twilio, call_params, new_sid, parse_twiml
from .test_ringing import QUEUE_SID, SKILLS, agent_state, call_row, caller_waits, dispatch
from .test_softphone import PASSWORD, log_in, page_csrf, post_json

OTHER_PASSWORD = "a-new-password-42"


def basic(name: str, password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def make_users(app: Flask, clock: Any, *pairs: tuple[str, str]) -> None:
    with app.app_context():
        users = UserService(db.session, clock)
        for name, role in pairs:
            users.create(name, PASSWORD, role)
        db.session.commit()


def make_agent(app: Flask, clock: Any, name: str, *, login: bool = True, overtime: bool = True) -> int:
    """A login with role agent and its profile (every skill), on overtime so the rota lets them work."""
    with app.app_context():
        if login:
            UserService(db.session, clock).create(name, PASSWORD, "agent")
        agent = AgentService(db.session, clock).create(name, name.title(), SKILLS)
        if overtime:
            agent.overtime_until = clock.now() + timedelta(hours=8)
        db.session.commit()
        return agent.id


def events(app: Flask, agent_id: int) -> list[AgentEvent]:
    with app.app_context():
        query = select(AgentEvent).where(AgentEvent.agent_id == agent_id).order_by(AgentEvent.id)
        return list(db.session.scalars(query))


def queue_call(session: Any, clock: Any, sid: str) -> Call:
    call = Call(
        call_sid=sid,
        started_at=clock.now() - timedelta(minutes=2),
        stage="queued",
        branch=2,
        problem_group="accounts",
        language="vi",
        queue_entered_at=clock.now() - timedelta(minutes=1),
        queue_name="hotline-branch-2",
        queue_sid="QU" + "b2" * 16,  # Twilio holds the caller
    )
    session.add(call)
    session.flush()
    return call


# -- the command line ------------------------------------------------------------------------------
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_cli_creates_an_agent_for_an_agent_login_and_manages_both(app, clock) -> None:
    runner = app.test_cli_runner()

    def run(*args: str) -> Any:
        return runner.invoke(args=list(args))

    assert run("users", "create", "lan", "--role", "agent", "--password", PASSWORD).exit_code == 0
    assert run("users", "create", "sup", "--role", "supervisor", "--password", PASSWORD).exit_code == 0

    created = run("agents", "create", "lan", "--name", "Nguyễn Thị Lan", "--skills", "branch_2,vi")
    assert created.exit_code == 0, created.output
    assert "agent lan created: Nguyễn Thị Lan, skills branch_2,vi, identity lan" in created.output
    assert "only branch-2 callers who chose no group" in created.output, "the skills pitfall is named"

    refusals = {
        ("agents", "create", "ghost", "--name", "G", "--skills", "branch_2,vi"): "users create ghost --role agent",
        ("agents", "create", "sup", "--name", "S", "--skills", "branch_2,vi"): "only a user with role agent",
        ("agents", "create", "lan", "--name", "L", "--skills", "branch_2,vi"): "already has an agent profile",
        ("agents", "skills", "lan", "--skills", "branch_2,klingon"): "Unknown skills: klingon",
        ("agents", "skills", "lan", "--skills", "accounts,vi"): "at least one branch",
        ("agents", "deactivate", "nobody"): "no agent profile for 'nobody'",
        ("users", "deactivate", "nobody"): "no user 'nobody'",
    }
    for args, message in refusals.items():
        result = run(*args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)

    skills = run(
        "agents", "skills", "lan", "--skills", "branch_1, branch_2,accounts,incidents,single_window,other,vi,en"
    )
    assert skills.exit_code == 0 and "note:" not in skills.output
    listing = run("agents", "list").output
    assert "lan" in listing and "Nguyễn Thị Lan" in listing and "offline" in listing
    assert "accounts,branch_1,branch_2,en,incidents,other,single_window,vi" in listing

    assert "deactivated" in run("agents", "deactivate", "lan").output
    assert " no " in run("agents", "list").output.splitlines()[1]
    assert "active again" in run("agents", "activate", "lan").output
    assert "can no longer log in" in run("users", "deactivate", "lan").output
    users = run("users", "list").output
    assert "lan" in users and "agent" in users and "no" in users.splitlines()[1] and "sup" in users
    assert "login off" in run("agents", "list").output
    assert "log in again" in run("users", "activate", "lan").output
    with app.app_context():
        agent = db.session.scalars(select(Agent).where(Agent.username == "lan")).one()
        assert agent.identity == "lan" and agent.active
        assert db.session.scalars(select(User).where(User.username == "lan")).one().active


# -- the forcing rule (service) -------------------------------------------------------------------
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_force_logs_off_from_any_state_and_ends_a_break_only_as_the_rota_allows(app, clock) -> None:
    lan = make_agent(app, clock, "lan")
    with app.app_context():
        agents = AgentService(db.session, clock)
        agent = db.session.get(Agent, lan)
        with pytest.raises(AgentError, match="already offline"):
            agents.force(agent, "offline", actor="sup")
        with pytest.raises(AgentError, match="Only a break can be ended"):
            agents.force(agent, "available", actor="sup")
        with pytest.raises(AgentError, match="log an agent off"):
            agents.force(agent, "break", actor="sup")

        agents.login(agent)
        agents.pause(agent, "lunch")
        clock.advance(3600)  # the lunch nobody came back from
        ended = agents.force(agent, "available", actor="sup")
        assert (ended.kind, ended.actor, ended.reason, agent.state) == ("UNPAUSE", "sup", FORCED_REASON, "available")

        for state in ("ringing", "on_call"):  # the softphone of an agent who left, mid-call
            agents.transition(agent, "ringing", call_sid="CA" + "1" * 32)
            if state == "on_call":
                agents.transition(agent, "on_call")
            with pytest.raises(AgentError):
                agents.logoff(agent)  # the agent's own log-off still waits for the call
            with pytest.raises(AgentError, match="Cannot go"):
                agents.transition(agent, "offline")  # and so does every path but the forced one
            off = agents.force(agent, "offline", actor="sup")
            assert (off.kind, off.from_state, off.to_state, off.actor) == ("AGENTLOGOFF", state, "offline", "sup")
            assert off.call_sid == "CA" + "1" * 32 and agent.current_call_sid is None
            agents.login(agent)

        agents.pause(agent, "rest")
        agent.overtime_until = clock.now() - timedelta(minutes=1)  # the shift is over meanwhile
        late = agents.force(agent, "available", actor="sup")
        assert (late.kind, late.to_state, late.data["requested"]) == ("AGENTLOGOFF", "offline", "available")
        db.session.commit()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_forcing_off_a_ringing_agent_releases_the_call_and_the_callback(app, clock) -> None:
    lan = make_agent(app, clock, "lan")
    with app.app_context():
        rota = RotaService(db.session, clock)
        agents = AgentService(db.session, clock, rota)
        agents.login(db.session.get(Agent, lan))
        call = queue_call(db.session, clock, "CA" + "2" * 32)
        db.session.commit()
        assert len(Dispatcher(db.session, clock, rota).dispatch()) == 1
        db.session.commit()
        agent = db.session.get(Agent, lan)
        assert agent.state == "ringing" and db.session.get(Call, call.id).offered_agent_id == lan
        event = agents.force(agent, "offline", actor="sup")
        db.session.commit()
        assert event.data == {"withdrawn_call": call.call_sid}
        db.session.expire_all()  # the release is a Core UPDATE, like the dispatcher's claims
        released = db.session.get(Call, call.id)
        assert (released.offered_agent_id, released.stage, released.offers) == (None, "queued", 1)
        assert [w.call_sid for w in Dispatcher(db.session, clock, rota).waiting_calls()] == [call.call_sid]

        # A callback ringing for the agent goes back in line without using an attempt.
        released.stage = "ended"  # that caller was answered meanwhile
        other = queue_call(db.session, clock, "CA" + "3" * 32)
        other.stage = "ended"
        callback, _ = CallbackService(db.session, clock).request(
            other.id, "+84912345678", 2, "accounts", "vi", clock.now() - timedelta(minutes=3)
        )
        agents.login(agent)
        db.session.commit()
        assert Dispatcher(db.session, clock, rota).dispatch()[0].call.callback_id == callback.id
        db.session.commit()
        agent = db.session.get(Agent, lan)
        assert agents.force(agent, "offline", actor="sup").data == {"withdrawn_callback": callback.id}
        db.session.commit()
        callback = db.session.get(Callback, callback.id)
        assert (callback.status, callback.attempts, callback.agent_id) == ("pending", 0, None)
        returned = db.session.scalars(select(CallEvent).where(CallEvent.kind == "CALLBACK_RETURNED")).one()
        assert returned.data["status"] == "forced"


# -- deactivated agents: no calls, off the rota ---------------------------------------------------
@pytest.fixture
def twilio(twilio_app: Flask) -> Twilio:
    return Twilio(twilio_app, twilio_app.test_client())


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_deactivated_agent_is_never_offered_a_call(twilio_app, twilio, double, clock) -> None:
    """Two available agents and a waiting caller: the one idle longest is deactivated (their login, then
    their profile), so the dispatcher round rings the other; deactivating logs them off on record."""
    sid = new_sid()
    caller_waits(twilio, double, sid)
    an, binh = make_agent(twilio_app, clock, "an"), make_agent(twilio_app, clock, "binh")
    with twilio_app.app_context():
        agents = AgentService(db.session, clock)
        for agent_id in (an, binh):
            agents.login(db.session.get(Agent, agent_id))
            clock.advance(1)
        db.session.query(User).filter_by(username="an").update({"active": False})  # behind the service's back
        db.session.commit()
        assert agent_state(twilio_app, an) == "available"
        assert anyone_working(db.session, 2)
        db.session.query(User).filter_by(username="binh").update({"active": False})
        db.session.commit()
        assert not anyone_working(db.session, 2), "nobody whose login works is logged in"
        db.session.query(User).filter_by(username="binh").update({"active": True})
        db.session.commit()

    offers = dispatch(twilio_app, clock)
    assert [(o.call.call_sid, o.agent.id) for o in offers] == [(sid, binh)], "an idles longest, but is inactive"
    assert agent_state(twilio_app, an) == "available" and double.dequeued[0][2].endswith(f"agent={binh}")

    admin = make_admin(twilio_app, clock)
    client = twilio_app.test_client()
    gone = client.post("/api/people/agents/an/deactivate", headers=admin)
    assert gone.status_code == 200 and "logged off" in gone.get_json()["message"]
    off = events(twilio_app, an)[-1]
    assert (off.kind, off.to_state, off.reason, off.actor) == ("AGENTLOGOFF", "offline", "deactivated", "adm")
    with twilio_app.app_context():
        agent = db.session.get(Agent, an)
        with pytest.raises(AgentError, match="deactivated"):
            AgentService(db.session, clock).login(agent)
        assert [e.kind for e in events(twilio_app, an)] == ["AGENTLOGIN", "AGENTLOGOFF"], "history kept"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_deactivated_agents_leave_the_rotas_coverage_and_get_no_new_shifts(app, client, clock, make_user) -> None:
    sup = make_user("supervisor")
    start = clock.now().replace(minute=0, second=0, microsecond=0)
    lan, minh = make_agent(app, clock, "lan", overtime=False), make_agent(app, clock, "minh", overtime=False)
    with app.app_context():
        rota = RotaService(db.session, clock)
        rota.add_shift(lan, start, start + timedelta(hours=12), kind="regular")
        rota.add_shift(minh, start + timedelta(hours=12), start + timedelta(hours=24), kind="regular")
        db.session.commit()
    window = {"from": start.isoformat(), "to": (start + timedelta(hours=24)).isoformat()}
    assert client.get("/api/rota", query_string=window, headers=sup).get_json()["gaps"] == 0

    assert app.test_cli_runner().invoke(args=["agents", "deactivate", "lan"]).exit_code == 0
    assert app.test_cli_runner().invoke(args=["users", "deactivate", "minh"]).exit_code == 0
    shown = client.get("/api/rota", query_string=window, headers=sup).get_json()
    assert shown["gaps"] == 48 and shown["on_duty_now"] == [] and shown["shifts"] == []
    with app.app_context():
        rota = RotaService(db.session, clock)
        assert rota.on_duty(clock.now()) == set()
        assert all(slot.staffed == 0 for slot in rota.coverage(start, start + timedelta(hours=24)))
        assert db.session.query(Shift).count() == 2, "their shifts stay on record"

    later = {
        "starts_at": (start + timedelta(days=2)).isoformat(),
        "ends_at": (start + timedelta(days=2, hours=8)).isoformat(),
    }
    for name in ("lan", "minh"):
        refused = client.post("/api/rota/shifts", json={"agent": name, **later}, headers=sup)
        assert refused.status_code == 409 and "is deactivated" in refused.get_json()["message"]
    assert app.test_cli_runner().invoke(args=["agents", "activate", "lan"]).exit_code == 0
    assert client.get("/api/rota", query_string=window, headers=sup).get_json()["gaps"] == 24
    assert client.post("/api/rota/shifts", json={"agent": "lan", **later}, headers=sup).status_code == 201


# -- the JSON API ---------------------------------------------------------------------------------
def make_admin(app: Flask, clock: Any) -> dict[str, str]:
    make_users(app, clock, ("adm", "admin"))
    return basic("adm")


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_admin_sets_up_an_agent_over_json_and_nobody_else_may(app, client, clock) -> None:
    admin = make_admin(app, clock)
    make_users(app, clock, ("sup", "supervisor"), ("inv", "investigator"))
    sup = basic("sup")
    user = {"username": "hoa", "role": "agent", "password": PASSWORD}
    for headers in (sup, basic("inv")):
        assert client.post("/api/people/users", json=user, headers=headers).status_code == 403
        assert client.get("/api/people/users", headers=headers).status_code == 403
    assert client.get("/api/people/agents", headers=basic("inv")).status_code == 403
    assert client.get("/api/people/users").status_code == 401

    created = client.post("/api/people/users", json=user, headers=admin)
    assert created.status_code == 201
    assert created.get_json() == {
        "username": "hoa",
        "role": "agent",
        "active": True,
        "created_at": clock.now().isoformat(),
        "has_api_token": False,
        "has_agent_profile": False,
    }
    listed = client.get("/api/people/users", headers=admin)
    assert PASSWORD not in listed.get_data(as_text=True) and "hash" not in listed.get_data(as_text=True)
    assert [u["username"] for u in listed.get_json()["users"]] == ["adm", "hoa", "inv", "sup"]

    bad = {
        ("POST", "/api/people/users", '{"username": "x", "role": "agent", "password": "short"}'): (400, "at least 10"),
        ("POST", "/api/people/users", '{"username": "x", "role": "boss", "password": "long-enough-1"}'): (400, "Role"),
        ("POST", "/api/people/users", '{"username": "hoa", "role": "agent", "password": "long-enough-1"}'): (
            409,
            "already exists",
        ),
        ("POST", "/api/people/users", "not json"): (400, "JSON object"),
        ("POST", "/api/people/agents", '{"username": "hoa", "name": "Hoa"}'): (400, "skills are required"),
        ("POST", "/api/people/agents", '{"username": "sup", "name": "S", "skills": ["branch_2", "vi"]}'): (
            409,
            "only a user with role agent",
        ),
        ("POST", "/api/people/agents", '{"username": "nam", "name": "N", "skills": ["branch_2", "vi"]}'): (
            404,
            "create the login first",
        ),
        ("POST", "/api/people/agents", '{"username": "hoa", "name": " ", "skills": ["branch_2", "vi"]}'): (
            400,
            "full name is required",
        ),
        ("POST", "/api/people/agents", '{"username": "hoa", "name": "Hoa", "skills": ["branch_9"]}'): (
            400,
            "Unknown skills: branch_9",
        ),
        ("POST", "/api/people/users/nam/password", '{"password": "long-enough-1"}'): (404, "no user 'nam'"),
        ("POST", "/api/people/users/adm/deactivate", ""): (409, "cannot deactivate yourself"),
        ("POST", "/api/people/agents/hoa/force", '{"state": "offline"}'): (404, "no agent profile"),
    }
    for (method, path, body), (status, message) in bad.items():
        response = client.open(path, method=method, data=body, content_type="application/json", headers=admin)
        assert response.status_code == status and message in response.get_json()["message"], (path, body, response.json)

    profile = {"username": "hoa", "name": "Lê Thị Hoa", "skills": ["branch_2", "accounts", "vi"]}
    made = client.post("/api/people/agents", json=profile, headers=admin)
    assert made.status_code == 201, made.json
    assert {k: made.get_json()[k] for k in ("username", "name", "identity", "skills", "state", "active")} == {
        "username": "hoa",
        "name": "Lê Thị Hoa",
        "identity": "hoa",
        "skills": ["accounts", "branch_2", "vi"],
        "state": "offline",
        "active": True,
    }
    assert client.post("/api/people/agents", json=profile, headers=sup).status_code == 403
    edited = client.patch("/api/people/agents/hoa", json={"skills": "branch_1,branch_2,vi,en"}, headers=admin)
    assert edited.status_code == 200 and edited.get_json()["skills"] == ["branch_1", "branch_2", "en", "vi"]
    assert client.patch("/api/people/agents/hoa", json={"name": "Hoa L."}, headers=sup).status_code == 403
    agents = client.get("/api/people/agents", headers=sup).get_json()
    assert [a["username"] for a in agents["agents"]] == ["hoa"] and agents["agents"][0]["name"] == "Lê Thị Hoa"
    assert {"skill": "single_window", "label": "National Single Window"} in agents["skills"]

    reset = client.post("/api/people/users/hoa/password", json={"password": OTHER_PASSWORD}, headers=admin)
    assert reset.status_code == 200 and OTHER_PASSWORD not in reset.get_data(as_text=True)
    short = client.post("/api/people/users/hoa/password", json={"password": "short"}, headers=admin)
    assert short.status_code == 400 and "at least 10 characters" in short.get_json()["message"]
    assert client.get("/api/calls/none", headers=basic("hoa")).status_code == 401, "the old password is gone"
    assert client.get("/api/calls/none", headers=basic("hoa", OTHER_PASSWORD)).status_code == 404


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_deactivated_user_is_out_everywhere_at_once(app, clock) -> None:
    admin = make_admin(app, clock)
    make_agent(app, clock, "lan")
    with app.app_context():
        token = UserService(db.session, clock).issue_token("lan")
        db.session.commit()
    page = app.test_client()
    log_in(page, "lan")
    csrf = page_csrf(page)
    assert post_json(page, "/agent/api/state", {"state": "available"}, csrf).get_json()["agent"]["state"] == "available"
    api = app.test_client()
    assert api.get("/api/calls/none", headers=basic("lan")).status_code == 404
    assert api.get("/api/calls/none", headers={"Authorization": f"Bearer {token}"}).status_code == 404

    off = api.post("/api/people/users/lan/deactivate", headers=admin)
    assert off.status_code == 200 and off.get_json()["user"]["active"] is False
    assert "logged off their softphone" in off.get_json()["message"]
    assert page.get("/agent/api/state").status_code == 401, "the open session ends at its next request"
    assert page.get("/agent/").status_code == 302
    assert api.get("/api/calls/none", headers=basic("lan")).status_code == 401
    assert api.get("/api/calls/none", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    again = app.test_client()
    assert log_in(again, "lan").status_code == 401, "the login page refuses them"
    with app.app_context():
        agent = db.session.scalars(select(Agent).where(Agent.username == "lan")).one()
        assert agent.state == "offline" and agent.active, "the profile stays; the login is what is off"
    off_event = events(app, agent.id)[-1]
    assert (off_event.reason, off_event.actor) == ("user_deactivated", "adm")

    assert api.post("/api/people/users/lan/activate", headers=admin).get_json()["user"]["active"] is True
    assert log_in(again, "lan").status_code == 302


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_supervisor_forces_states_over_json_on_record(app, clock) -> None:
    make_users(app, clock, ("sup", "supervisor"))
    lan = make_agent(app, clock, "lan")
    make_agent(app, clock, "minh")
    page = app.test_client()
    log_in(page, "lan")
    csrf = page_csrf(page)
    post_json(page, "/agent/api/state", {"state": "available"}, csrf)
    post_json(page, "/agent/api/state", {"state": "break", "reason": "lunch"}, csrf)

    sup = app.test_client()
    log_in(sup, "sup")
    sup_csrf = (
        sup.get("/supervisor/people").get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    )
    no_csrf = sup.post("/api/people/agents/lan/force", json={"state": "available"})
    assert no_csrf.status_code == 401, "a page session without the CSRF token is not authenticated for changes"
    ended = post_json(sup, "/api/people/agents/lan/force", {"state": "available"}, sup_csrf)
    assert ended.status_code == 200 and ended.get_json()["agent"]["state"] == "available"
    assert "break is over" in ended.get_json()["message"]
    offline = post_json(sup, "/api/people/agents/lan/force", {"state": "offline"}, sup_csrf)
    assert offline.get_json()["agent"]["state"] == "offline" and offline.get_json()["message"] == "Lan is logged off."
    again = post_json(sup, "/api/people/agents/lan/force", {"state": "offline"}, sup_csrf)
    assert again.status_code == 409 and again.get_json()["message"] == "Lan is already offline."
    wrong = post_json(sup, "/api/people/agents/minh/force", {"state": "available"}, sup_csrf)
    assert wrong.status_code == 409 and "Only a break can be ended: Minh is offline" in wrong.get_json()["message"]
    assert post_json(sup, "/api/people/agents/lan/force", {}, sup_csrf).status_code == 400
    assert post_json(sup, "/api/people/agents/lan/deactivate", {}, sup_csrf).status_code == 403, "admins only"
    kinds = [(e.kind, e.actor, e.reason) for e in events(app, lan)]
    assert kinds == [
        ("AGENTLOGIN", "lan", None),
        ("PAUSE", "lan", "lunch"),
        ("UNPAUSE", "sup", FORCED_REASON),
        ("AGENTLOGOFF", "sup", FORCED_REASON),
    ]
    state = page.get("/agent/api/state").get_json()["agent"]
    assert state["state"] == "offline" and state["reason"] == FORCED_REASON, "the agent's softphone shows why"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_ringing_agent_forced_off_leaves_the_caller_their_place(twilio_app, twilio, double, clock) -> None:
    """Walked as Twilio sends it: the caller is put through to a softphone nobody answers any more; the
    supervisor logs it off; the <Dial> times out and the caller waits again, first in line."""
    sid = new_sid()
    caller_waits(twilio, double, sid)
    lan = make_agent(twilio_app, clock, "lan")
    with twilio_app.app_context():
        AgentService(db.session, clock).login(db.session.get(Agent, lan))
        db.session.commit()
    dispatch(twilio_app, clock)
    dial = parse_twiml(twilio.post(double.dequeued[0][2], call_params(sid)).data).find("Dial")
    admin = make_admin(twilio_app, clock)
    forced = twilio_app.test_client().post("/api/people/agents/lan/force", json={"state": "offline"}, headers=admin)
    assert forced.status_code == 200 and "waits for the next agent, in its place" in forced.get_json()["message"]
    assert call_row(twilio_app, sid).offered_agent_id is None
    assert events(twilio_app, lan)[-1].data == {"withdrawn_call": sid}

    clock.advance(20)
    back = parse_twiml(twilio.post(dial.get("action"), call_params(sid, DialCallStatus="no-answer")).data)
    assert back.find("Enqueue").text == "hotline-branch-2"
    assert agent_state(twilio_app, lan) == "offline", "no 'missed' break for a softphone already logged off"
    assert call_row(twilio_app, sid).stage == "queued"
    twilio.post(
        "/ivr/queue/wait?branch=2&lang=vi", call_params(sid, QueuePosition="1", QueueTime="0", QueueSid=QUEUE_SID)
    )
    double.add_member(QUEUE_SID, sid)
    minh = make_agent(twilio_app, clock, "minh")
    with twilio_app.app_context():
        AgentService(db.session, clock).login(db.session.get(Agent, minh))
        db.session.commit()
    assert [o.agent.id for o in dispatch(twilio_app, clock)] == [minh]


# -- the softphone without a profile --------------------------------------------------------------
def test_an_agent_login_without_a_profile_is_told_how_to_get_one(app, client, clock) -> None:
    make_users(app, clock, ("nam", "agent"))
    log_in(client, "nam")
    html = client.get("/agent/").get_data(as_text=True)
    assert "nam has no agent profile yet: an admin creates it with" in html
    assert "flask --app app agents create nam" in html and "People page" in html
    state = client.get("/agent/api/state")
    assert state.status_code == 404 and state.get_json()["error"] == "no_agent_profile"
    assert "flask --app app agents create nam" in state.get_json()["message"]


def test_a_deactivated_profile_cannot_go_available(app, client, clock) -> None:
    make_agent(app, clock, "lan")
    assert app.test_cli_runner().invoke(args=["agents", "deactivate", "lan"]).exit_code == 0
    log_in(client, "lan")
    refused = post_json(client, "/agent/api/state", {"state": "available"}, page_csrf(client))
    assert refused.status_code == 409 and "deactivated" in refused.get_json()["message"]


def test_the_people_page_is_for_supervisors_and_admins(app, clock) -> None:
    make_users(app, clock, ("sup", "supervisor"), ("adm", "admin"), ("inv", "investigator"))
    pages = {}
    for name in ("sup", "adm", "inv"):
        client = app.test_client()
        log_in(client, name)
        pages[name] = client.get("/supervisor/people")
    assert pages["inv"].status_code == 403
    sup_html, adm_html = (pages[n].get_data(as_text=True) for n in ("sup", "adm"))
    assert 'href="/supervisor/people">People</a>' in sup_html and 'data-admin="no"' in sup_html
    assert "New user" not in sup_html and "New user" in adm_html and 'data-admin="yes"' in adm_html
    assert "People</a>" not in app.test_client().get("/login").get_data(as_text=True)
