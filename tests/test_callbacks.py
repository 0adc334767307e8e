"""Callbacks, walked as Twilio sends them against the local REST double: the caller asks for a callback
while waiting and hangs up with their place kept; the dispatcher rings an agent first; the agent's leg
dials the caller; one failed attempt, then success; every attempt on record; one booking per number;
nothing dialled outside the callback hours."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from models import Agent, AgentEvent, Call, Callback, Ticket, db

from . import callbacks_support
from .callbacks_support import OPTION, agent_accepts, book_callback, callback_of, timeline
from .conftest import BACKENDS, call_params, new_sid, parse_twiml
from .rest_double import TwilioDouble
from .test_ringing import agent_state, call_row, caller_waits, dispatch, make_agents

twilio = callbacks_support.twilio  # the fixture: webhooks signed for the app on the REST double


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_callback_with_one_failed_attempt_then_success(twilio_app, twilio, double: TwilioDouble, clock) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    clock.advance(40)
    book_callback(twilio, sid)
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="3", CallDuration="75"))
    call = call_row(twilio_app, sid)
    assert (call.stage, call.outcome, call.final_status, call.duration_seconds) == (
        "ended",
        "callback_requested",
        "completed",
        75,
    )
    callback = callback_of(twilio_app, sid)
    assert (callback.status, callback.number_e164, callback.place_at) == (
        "pending",
        "+84912345678",
        call.queue_entered_at,
    )

    (agent_id,) = make_agents(twilio_app, clock, "lan")
    dispatch(twilio_app, clock)
    (first,) = double.created
    assert (first["To"], first["From"], first["Timeout"]) == ("client:lan", "+8419009299", "20")
    assert urlsplit(first["Url"]).path == "/ivr/callback/agent"
    assert parse_qs(urlsplit(first["Url"]).query)["call"] == [sid]
    assert agent_state(twilio_app, agent_id) == "ringing"
    assert double.dequeued == [], "a callback is not in any queue"

    # Attempt 1: the agent accepts, the caller's phone rings and nobody answers.
    clock.advance(5)
    leg = agent_accepts(twilio, first)
    assert "lần thử 1" in leg.find("Say").text
    dial = leg.find("Dial")
    assert (dial.find("Number").text, dial.get("callerId"), dial.get("timeout")) == (
        "+84912345678",
        "+8419009299",
        "30",
    )
    assert agent_state(twilio_app, agent_id) == "on_call"
    clock.advance(30)
    sorry = parse_twiml(
        twilio.post(
            dial.get("action"), call_params(first["Sid"], DialCallStatus="no-answer", DialCallDuration="0")
        ).data
    )
    assert sorry.find("Hangup") is not None
    assert agent_state(twilio_app, agent_id) == "available"
    callback = callback_of(twilio_app, sid)
    assert (callback.status, callback.attempts) == ("pending", 1)
    assert dispatch(twilio_app, clock) == [], "the retry waits for its delay (10 minutes)"

    # Attempt 2, ten minutes later: answered, a conversation, wrap-up on the original call's ticket.
    clock.advance(600)
    dispatch(twilio_app, clock)
    second = double.created[1]
    leg = agent_accepts(twilio, second)
    assert "lần thử 2" in leg.find("Say").text
    dial = leg.find("Dial")
    hello = parse_twiml(
        twilio.post(dial.find("Number").get("url"), call_params(new_sid(), Direction="outbound-dial")).data
    )
    assert "gọi lại" in hello.find("Say").text
    clock.advance(180)
    twilio.post(dial.get("action"), call_params(second["Sid"], DialCallStatus="completed", DialCallDuration="170"))
    twilio.post(second["StatusCallback"], call_params(second["Sid"], CallStatus="completed", CallDuration="200"))
    assert agent_state(twilio_app, agent_id) == "wrap_up"
    callback = callback_of(twilio_app, sid)
    assert (callback.status, callback.attempts) == ("completed", 2)

    with twilio_app.app_context():
        agent = db.session.get(Agent, agent_id)
        assert agent.current_call_sid == sid, "the wrap-up goes on the original call's ticket"
        from callcenter.agents.service import AgentService
        from callcenter.agents.wrapup import WrapUpService

        WrapUpService(db.session, clock, AgentService(db.session, clock)).submit(
            agent, {"outcome": "resolved", "question": "Lost VNACCS password", "answer": "Reset it"}
        )
        db.session.commit()
        ticket = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == sid)).one()
        assert (ticket.outcome, ticket.status) == ("resolved", "closed")
        kinds = [e.kind for e in db.session.scalars(select(AgentEvent).order_by(AgentEvent.id))]
        assert kinds == ["AGENTLOGIN", "RINGING", "CONNECT", "READY", "RINGING", "CONNECT", "WRAPUP", "READY"]

    assert "84912345678" not in str(timeline(twilio_app, sid)), "events (shown to every role) carry no number"
    attempts = [(kind, data.get("attempt"), data.get("result")) for kind, data in timeline(twilio_app, sid)]
    assert [a for a in attempts if a[0].startswith("CALLBACK")] == [
        ("CALLBACK_REQUESTED", None, None),
        ("CALLBACK_OFFERED", None, None),
        ("CALLBACK_ATTEMPT", 1, "dialing"),
        ("CALLBACK_ATTEMPT", 1, "no-answer"),
        ("CALLBACK_OFFERED", None, None),
        ("CALLBACK_ATTEMPT", 2, "dialing"),
        ("CALLBACK_ATTEMPT", 2, "answered"),
        ("CALLBACK_COMPLETED", None, None),
    ]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_callback_keeps_its_place_ahead_of_later_callers_and_an_agent_who_misses_it_is_replaced(
    twilio_app, twilio, double, clock
) -> None:
    early, later = new_sid(), new_sid()
    caller_waits(twilio, double, early)
    clock.advance(10)
    book_callback(twilio, early)
    clock.advance(10)
    caller_waits(twilio, double, later)  # queued after the callback's caller first entered
    (a,) = make_agents(twilio_app, clock, "an")
    dispatch(twilio_app, clock)
    assert len(double.created) == 1 and double.dequeued == [], "the callback keeps its place: it goes first"

    # The agent does not pick up: Twilio reports no-answer on the agent's leg.
    created = double.created[0]
    twilio.post(created["StatusCallback"], call_params(created["Sid"], CallStatus="no-answer", CallDuration="0"))
    assert agent_state(twilio_app, a) == "break"
    callback = callback_of(twilio_app, early)
    assert (callback.status, callback.attempts, callback.agent_id) == ("pending", 0, None), "no attempt used"
    # A late accept for the missed offer is refused politely and changes nothing.
    late = agent_accepts(twilio, created)
    assert late.find("Hangup") is not None and late.find("Dial") is None

    (b,) = make_agents(twilio_app, clock, "binh")
    dispatch(twilio_app, clock)
    assert double.created[1]["To"] == "client:binh" and double.dequeued == [], "still ahead of the later caller"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_same_number_is_never_booked_twice_and_a_withheld_caller_keys_a_valid_number(
    twilio_app, twilio, double, clock
) -> None:
    first, again = new_sid(), new_sid()
    caller_waits(twilio, double, first)
    book_callback(twilio, first)
    caller_waits(twilio, double, again)  # the same person calls again and asks again
    offer = parse_twiml(twilio.post(OPTION, call_params(again, Digits="1")).data).find("Gather")
    booked = parse_twiml(twilio.post(offer.get("action"), call_params(again, Digits="1")).data)
    assert "đã có yêu cầu gọi lại" in booked.find("Say").text
    with twilio_app.app_context():
        assert len(db.session.scalars(select(Callback)).all()) == 1
        merged = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == again)).one()
        assert (merged.outcome, merged.status) == ("callback_pending", "closed") and "callback #" in merged.notes

    hidden = new_sid()
    withheld = {"From": "anonymous", "Caller": "anonymous"}
    twilio.post("/ivr/incoming", call_params(hidden, **withheld))
    twilio.post("/ivr/language", call_params(hidden, Digits="2", **withheld))
    twilio.post("/ivr/group?attempt=1&lang=vi", call_params(hidden, Digits="3", **withheld))
    ask = parse_twiml(twilio.post(OPTION, call_params(hidden, Digits="1", **withheld)).data).find("Gather")
    assert ask.get("finishOnKey") == "#" and "nhập số điện thoại" in ask.find("Say").text
    for bad in ("19009299", "12345"):  # a premium number and too short: refused, asked again
        ask = parse_twiml(twilio.post(ask.get("action"), call_params(hidden, Digits=bad, **withheld)).data)
        assert "không phải là một số điện thoại Việt Nam hợp lệ" in ask.find("Gather").findall("Say")[0].text
        ask = ask.find("Gather")
    confirm = parse_twiml(twilio.post(ask.get("action"), call_params(hidden, Digits="0987654321", **withheld)).data)
    assert "0 9 8 7 6 5 4 3 2 1" in confirm.find("Gather").find("Say").text
    twilio.post(confirm.find("Gather").get("action"), call_params(hidden, Digits="1", **withheld))
    assert callback_of(twilio_app, hidden).number_e164 == "+84987654321"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_agent_leg_status_before_the_dial_result_does_not_lose_the_answered_callback(
    twilio_app, twilio, double, clock
) -> None:
    """Twilio does not order the agent leg's status callback and the <Dial> action: the status alone
    never settles a callback that is dialing."""
    sid = new_sid()
    caller_waits(twilio, double, sid)
    book_callback(twilio, sid)
    (agent_id,) = make_agents(twilio_app, clock, "lan")
    dispatch(twilio_app, clock)
    created = double.created[0]
    dial = agent_accepts(twilio, created).find("Dial")
    clock.advance(200)
    twilio.post(created["StatusCallback"], call_params(created["Sid"], CallStatus="completed", CallDuration="200"))
    assert callback_of(twilio_app, sid).status == "dialing"
    twilio.post(dial.get("action"), call_params(created["Sid"], DialCallStatus="completed", DialCallDuration="180"))
    assert callback_of(twilio_app, sid).status == "completed"
    assert agent_state(twilio_app, agent_id) == "wrap_up"
    # A late duplicate of an earlier leg's status changes nothing.
    twilio.post(created["StatusCallback"], call_params(new_sid(), CallStatus="no-answer"))
    assert callback_of(twilio_app, sid).status == "completed"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_callbacks_wait_for_the_callback_hours(twilio_app, twilio, double, clock) -> None:
    """A callback booked at 22:30 Vietnam time is not dialled at night; it is the first of the morning."""
    from datetime import timedelta

    from callcenter.rota.service import LOCAL_TZ
    from callcenter.routing.trigger import dispatch_round

    local = clock.now().astimezone(LOCAL_TZ)
    clock.advance((local.replace(hour=22, minute=30) - local).total_seconds())
    sid = new_sid()
    caller_waits(twilio, double, sid)
    offer = parse_twiml(twilio.post(OPTION, call_params(sid, Digits="1")).data).find("Gather")
    booked = parse_twiml(twilio.post(offer.get("action"), call_params(sid, Digits="1")).data)
    assert "từ 7 giờ sáng" in booked.find("Say").text, "the caller is told when"
    make_agents(twilio_app, clock, "lan")
    with twilio_app.test_request_context():
        assert dispatch_round() == 0 and double.created == [], "not at 22:30"
    clock.advance(timedelta(hours=8, minutes=31).total_seconds())  # 07:01 the next morning
    make_agents(twilio_app, clock, "minh")
    with twilio_app.test_request_context():
        assert dispatch_round() == 1
    assert double.created[0]["To"] in ("client:lan", "client:minh")
