"""Whole calls put through to agents, walked as Twilio sends them, against the local REST double:
the dispatcher dequeues the caller into a <Dial><Client>, the agent answers or does not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from callcenter.agents.service import AgentService
from callcenter.rota.service import RotaService
from callcenter.routing.trigger import ring_service
from models import Agent, AgentEvent, Call, Ticket, db

from .conftest import BACKENDS, Twilio, call_params, new_sid, parse_twiml
from .rest_double import TwilioDouble

SKILLS = ["branch_1", "branch_2", "accounts", "incidents", "single_window", "other", "vi", "en"]
QUEUE_SID = "QU" + "b2" * 16


@pytest.fixture
def twilio(twilio_app: Flask) -> Twilio:
    return Twilio(twilio_app, twilio_app.test_client())


def make_agents(app: Flask, clock: Any, *names: str) -> list[int]:
    """Agents on overtime (so allowed to work now), logged in one second apart: the first idles longest."""
    ids = []
    with app.app_context():
        rota = RotaService(db.session, clock)
        service = AgentService(db.session, clock, rota)
        for name in names:
            agent = service.create(name, name.title(), SKILLS)
            agent.overtime_until = clock.now() + timedelta(hours=8)
            service.login(agent)
            clock.advance(1)
            ids.append(agent.id)
        db.session.commit()
    return ids


def caller_waits(twilio: Twilio, double: TwilioDouble, sid: str) -> None:
    """incoming → 2 → 1 → first wait turn (Twilio tells us the QueueSid)."""
    twilio.post("/ivr/incoming", call_params(sid))
    twilio.post("/ivr/language", call_params(sid, Digits="2"))
    twilio.post("/ivr/group?attempt=1&lang=vi", call_params(sid, Digits="1"))
    twilio.post(
        "/ivr/queue/wait?branch=2&lang=vi", call_params(sid, QueuePosition="1", QueueTime="0", QueueSid=QUEUE_SID)
    )
    double.add_member(QUEUE_SID, sid)


def dispatch(app: Flask, clock: Any) -> list[Any]:
    with app.test_request_context():
        return ring_service().run()


def agent_state(app: Flask, agent_id: int) -> str:
    with app.app_context():
        return db.session.get(Agent, agent_id).state


def call_row(app: Flask, sid: str) -> Call:
    with app.app_context():
        return db.session.scalars(select(Call).where(Call.call_sid == sid)).one()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_waiting_caller_is_put_through_answered_and_the_agent_wraps_up(twilio_app, twilio, double, clock) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    clock.advance(30)
    (agent_id,) = make_agents(twilio_app, clock, "lan")
    offers = dispatch(twilio_app, clock)
    assert [o.call.call_sid for o in offers] == [sid]
    (queue, member, url) = double.dequeued[0]
    assert (queue, member) == (QUEUE_SID, sid) and url.endswith(f"/ivr/agent/connect?agent={agent_id}")
    assert agent_state(twilio_app, agent_id) == "ringing"

    # Twilio: the <Enqueue> action fires with "redirected", then the dequeue URL runs for the caller.
    assert (
        len(
            parse_twiml(
                twilio.post(
                    "/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="redirected", QueueTime="32")
                ).data
            )
        )
        == 0
    )
    dial = parse_twiml(twilio.post(url, call_params(sid)).data).find("Dial")
    assert dial.get("timeout") == "20" and dial.find("Client").text == "lan"
    answered_url = dial.find("Client").get("url")

    clock.advance(6)  # the agent picks up: Twilio requests the <Client url> for the agent's leg
    agent_leg = new_sid()
    whisper = parse_twiml(
        twilio.post(
            answered_url,
            call_params(agent_leg, ParentCallSid=sid, From="+8419009299", To="client:lan", Direction="outbound-dial"),
        ).data
    )
    assert "nhánh 2" in whisper.find("Say").text
    assert agent_state(twilio_app, agent_id) == "on_call"
    assert call_row(twilio_app, sid).stage == "connected"

    clock.advance(300)  # a five-minute conversation; the agent hangs up
    bye = parse_twiml(
        twilio.post(dial.get("action"), call_params(sid, DialCallStatus="completed", DialCallSid=agent_leg)).data
    )
    assert bye.find("Hangup") is not None
    assert agent_state(twilio_app, agent_id) == "wrap_up"
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="5"))

    call = call_row(twilio_app, sid)
    # waited 30 s, +1 s while the agent logged in, +6 s ringing (hold time includes ringing, as in Asterisk)
    assert (call.outcome, call.agent_id, call.queue_wait_seconds) == ("answered", agent_id, 37)
    with twilio_app.app_context():
        assert db.session.scalars(select(Call).where(Call.call_sid == agent_leg)).first() is None, (
            "the agent's leg is not a call of its own"
        )
        kinds = [e.kind for e in db.session.scalars(select(AgentEvent).order_by(AgentEvent.id))]
        assert kinds == ["AGENTLOGIN", "RINGING", "CONNECT", "WRAPUP"]
        ticket = db.session.scalars(select(Ticket).where(Ticket.call_id == call.id)).one()
        assert ticket.status == "open" and ticket.outcome is None


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_ring_no_answer_sends_the_agent_on_a_missed_break_and_the_caller_keeps_their_place(
    twilio_app, twilio, double, clock
) -> None:
    first, later = new_sid(), new_sid()
    caller_waits(twilio, double, first)
    clock.advance(20)
    caller_waits(twilio, double, later)
    a, b = make_agents(twilio_app, clock, "an", "binh")
    dispatch(twilio_app, clock)  # two agents, two callers: a (idle longest) gets `first`, b gets `later`
    assert [m for _, m, _ in double.dequeued] == [first, later]
    url_a = double.dequeued[0][2]
    dial = parse_twiml(twilio.post(url_a, call_params(first)).data).find("Dial")

    clock.advance(20)  # nobody picks up
    back = parse_twiml(twilio.post(dial.get("action"), call_params(first, DialCallStatus="no-answer")).data)
    assert back.find("Enqueue").text == "hotline-branch-2"
    assert "giữ nguyên vị trí" in back.find("Say").text
    assert agent_state(twilio_app, a) == "break"
    with twilio_app.app_context():
        missed = db.session.scalars(select(AgentEvent).where(AgentEvent.kind == "RINGNOANSWER")).one()
        assert missed.reason == "missed" and missed.call_sid == first
    call = call_row(twilio_app, first)
    assert call.offered_agent_id is None and call.offers == 1 and call.stage == "queued"

    # b is busy with `later`; when b's call ends and b is ready, b gets `first` (the older caller).
    twilio.post(
        "/ivr/queue/wait?branch=2&lang=vi", call_params(first, QueuePosition="2", QueueTime="0", QueueSid=QUEUE_SID)
    )
    double.add_member(QUEUE_SID, first)
    caller_3 = new_sid()
    caller_waits(twilio, double, caller_3)
    with twilio_app.app_context():
        service = AgentService(db.session, clock, RotaService(db.session, clock))
        agent_b = db.session.get(Agent, b)
        service.transition(agent_b, "on_call")
        service.transition(agent_b, "wrap_up")
        service.transition(agent_b, "available")
        db.session.commit()
    dispatch(twilio_app, clock)
    assert double.dequeued[-1][1] == first, "the caller sent back waits in front of a newer one"
    assert call_row(twilio_app, first).offers == 2


def test_rest_errors_are_retried_and_a_caller_who_left_releases_the_agent(twilio_app, twilio, double, clock) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    (agent_id,) = make_agents(twilio_app, clock, "chi")
    double.fail_next = [503, 429]
    assert len(dispatch(twilio_app, clock)) == 1, "two transient failures, then the dequeue went through"
    assert len(double.dequeued) == 1

    gone = new_sid()
    caller_waits(twilio, double, gone)
    double.members.pop((QUEUE_SID, gone))  # hung up a moment before the dequeue
    with twilio_app.app_context():
        service = AgentService(db.session, clock, RotaService(db.session, clock))
        agent = db.session.get(Agent, agent_id)
        for state in ("on_call", "wrap_up", "available"):
            service.transition(agent, state)
        db.session.commit()
    assert dispatch(twilio_app, clock) == []
    assert agent_state(twilio_app, agent_id) == "available", "the agent is free again"
    assert call_row(twilio_app, gone).offered_agent_id is None


def test_caller_sent_back_hears_their_original_place_not_twilios(twilio_app, twilio, double, clock) -> None:
    first, later = new_sid(), new_sid()
    caller_waits(twilio, double, first)
    clock.advance(10)
    caller_waits(twilio, double, later)
    clock.advance(120)  # both due for an announcement
    # `first` rejoined Twilio's queue behind `later` (Twilio says position 2); we still say 1.
    root = parse_twiml(
        twilio.post(
            "/ivr/queue/wait?branch=2&lang=vi", call_params(first, QueuePosition="2", QueueTime="0", QueueSid=QUEUE_SID)
        ).data
    )
    says = " ".join(s.text for s in root.iter("Say"))
    assert "vị trí số 1 trong hàng chờ" in says
    says = " ".join(
        s.text
        for s in parse_twiml(
            twilio.post(
                "/ivr/queue/wait?branch=2&lang=vi",
                call_params(later, QueuePosition="1", QueueTime="130", QueueSid=QUEUE_SID),
            ).data
        ).iter("Say")
    )
    assert "vị trí số 2 trong hàng chờ" in says
