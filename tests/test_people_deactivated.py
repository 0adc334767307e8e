"""Deactivated people (issue 10): no login, no calls, off the rota and its coverage, no way to go
available, history kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentError, AgentService, anyone_working
from callcenter.rota.service import RotaService
from models import Agent, Shift, User, db

from . import people_support
from .conftest import BACKENDS, new_sid
from .people_support import basic, events, make_admin, make_agent
from .test_ringing import agent_state, caller_waits, dispatch
from .test_softphone import log_in, page_csrf, post_json

twilio = people_support.twilio  # the fixture: webhooks signed for the app on the Twilio REST double


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


def test_a_deactivated_profile_cannot_go_available(app, client, clock) -> None:
    make_agent(app, clock, "lan")
    assert app.test_cli_runner().invoke(args=["agents", "deactivate", "lan"]).exit_code == 0
    log_in(client, "lan")
    refused = post_json(client, "/agent/api/state", {"state": "available"}, page_csrf(client))
    assert refused.status_code == 409 and "deactivated" in refused.get_json()["message"]
