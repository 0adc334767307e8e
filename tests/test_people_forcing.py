"""Supervisors forcing an agent's state (issue 10): log off from any state, end a break only as the
rota allows, a ringing agent's call and callback released, on record, by the service and over JSON."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from callcenter.agents.service import FORCED_REASON, AgentError, AgentService
from callcenter.queue.callbacks import CallbackService
from callcenter.queue.dispatch import Dispatcher
from callcenter.rota.service import RotaService
from models import Agent, Call, Callback, CallEvent, db

from . import people_support
from .conftest import BACKENDS, call_params, new_sid, parse_twiml
from .people_support import events, make_admin, make_agent, make_users
from .test_ringing import QUEUE_SID, agent_state, call_row, caller_waits, dispatch
from .test_softphone import log_in, page_csrf, post_json

twilio = people_support.twilio  # the fixture: webhooks signed for the app on the Twilio REST double


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
