"""Callbacks and voicemail, walked as Twilio sends them against the local REST double: the caller
asks for a callback while waiting and hangs up with their place kept; the dispatcher rings an agent
first; the agent's leg dials the caller; one failed attempt, then success; every attempt on record."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from models import Agent, AgentEvent, Call, Callback, CallEvent, Ticket, db

from .conftest import BACKENDS, Twilio, call_params, new_sid, parse_twiml
from .rest_double import TwilioDouble
from .test_ringing import agent_state, call_row, caller_waits, dispatch, make_agents

OPTION = "/ivr/queue/option?branch=2&lang=vi"


@pytest.fixture
def twilio(twilio_app: Flask) -> Twilio:
    return Twilio(twilio_app, twilio_app.test_client())


def book_callback(twilio: Twilio, sid: str, **params: str) -> None:
    """While waiting: 1 (callback), hear the number read back, 1 (confirm), then <Leave>."""
    offer = parse_twiml(twilio.post(OPTION, call_params(sid, Digits="1", **params)).data)
    gather = offer.find("Gather")
    assert "0 9 1 2 3 4 5 6 7 8" in gather.find("Say").text, "the number Twilio gave is read back"
    assert "84912345678" not in gather.get("action"), "the number never travels in a URL (logs, proxies)"
    booked = parse_twiml(twilio.post(gather.get("action"), call_params(sid, Digits="1", **params)).data)
    assert booked.find("Leave") is not None and "giữ nguyên" in booked.find("Say").text
    after = parse_twiml(
        twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="leave", QueueTime="40")).data
    )
    assert len(after) == 0


def callback_of(app: Flask, sid: str) -> Callback:
    with app.app_context():
        return db.session.scalars(
            select(Callback).join(Call, Call.id == Callback.call_id).where(Call.call_sid == sid)
        ).one()


def agent_accepts(twilio: Twilio, created: dict[str, str]) -> Any:
    """The agent's softphone picks up the REST call: Twilio requests its Url for the agent's leg."""
    return parse_twiml(
        twilio.post(
            created["Url"],
            call_params(created["Sid"], From=created["From"], To=created["To"], Direction="outbound-api"),
        ).data
    )


def timeline(app: Flask, sid: str) -> list[tuple[str, dict[str, Any]]]:
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == sid)).one()
        events = db.session.scalars(select(CallEvent).where(CallEvent.call_id == call.id).order_by(CallEvent.id))
        return [(e.kind, e.data) for e in events]


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
def test_voicemail_is_a_ticket_with_its_recording_link(twilio_app, twilio, double, clock) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    leave = parse_twiml(twilio.post(OPTION, call_params(sid, Digits="2")).data)
    assert leave.find("Leave") is not None
    record = parse_twiml(
        twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="leave", QueueTime="25")).data
    ).find("Record")
    assert (record.get("finishOnKey"), record.get("maxLength"), record.get("playBeep")) == ("#", "180", "true")
    recording = {
        "RecordingSid": "RE" + "1" * 32,
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE" + "1" * 32,
        "RecordingDuration": "42",
    }
    thanks = parse_twiml(twilio.post(record.get("action"), call_params(sid, Digits="#", **recording)).data)
    assert thanks.find("Hangup") is not None
    twilio.post(record.get("recordingStatusCallback"), call_params(sid, RecordingStatus="completed", **recording))
    call = call_row(twilio_app, sid)
    assert (call.outcome, call.stage) == ("voicemail", "ended")
    with twilio_app.app_context():
        ticket = db.session.scalars(select(Ticket).where(Ticket.call_id == call.id)).one()
        assert (ticket.outcome, ticket.status, ticket.recording_url, ticket.recording_seconds) == (
            "voicemail",
            "open",
            recording["RecordingUrl"],
            42,
        )
    assert [k for k, _ in timeline(twilio_app, sid)].count("VOICEMAIL") == 1, "action and status callback: once"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_any_other_key_while_waiting_keeps_the_caller_waiting(twilio_app, twilio, double) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    back = parse_twiml(twilio.post(OPTION, call_params(sid, Digits="7")).data)
    assert back.find("Redirect").text.endswith("/ivr/queue/wait?branch=2&lang=vi")
    assert call_row(twilio_app, sid).stage == "queued"


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


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_callers_choice_wins_over_a_ring_on_its_way(twilio_app, twilio, double, clock) -> None:
    """The caller presses 2 (voicemail) while the dequeue that rings an agent is in flight: the choice
    needs no REST call and always works. If Twilio then runs the ring's URL, the caller records their
    message and the agent is free again at once."""
    sid = new_sid()
    caller_waits(twilio, double, sid)
    (agent_id,) = make_agents(twilio_app, clock, "lan")
    dispatch(twilio_app, clock)  # the dequeue is in flight: the caller's phone still plays the wait loop
    offer = parse_twiml(twilio.post(OPTION, call_params(sid, Digits="2")).data)
    assert offer.find("Leave") is not None, "the caller's choice is honoured"
    assert call_row(twilio_app, sid).leave_reason == "voicemail"
    # Twilio ran the member update first after all: the ring's URL honours the choice.
    reply = parse_twiml(twilio.post(double.dequeued[0][2], call_params(sid)).data)
    assert reply.find("Record") is not None and reply.find("Dial") is None
    assert agent_state(twilio_app, agent_id) == "available"
    assert call_row(twilio_app, sid).offered_agent_id is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_caller_leaving_for_voicemail_is_not_offered_to_an_agent(twilio_app, twilio, double, clock) -> None:
    sid = new_sid()
    caller_waits(twilio, double, sid)
    twilio.post(OPTION, call_params(sid, Digits="2"))  # <Leave> returned; the <Enqueue> action not yet
    make_agents(twilio_app, clock, "lan")
    assert dispatch(twilio_app, clock) == [] and double.dequeued == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_branch_1_callers_number_does_not_reach_the_agents_browser(twilio_app, twilio, double, clock) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    twilio.post("/ivr/language", call_params(sid, Digits="1"))
    twilio.post("/ivr/queue/wait?branch=1&lang=vi", call_params(sid, QueuePosition="1", QueueSid="QU" + "1" * 32))
    double.add_member("QU" + "1" * 32, sid)
    make_agents(twilio_app, clock, "lan")
    dispatch(twilio_app, clock)
    dial = parse_twiml(twilio.post(double.dequeued[0][2], call_params(sid)).data).find("Dial")
    assert dial.get("callerId") == "+8419009299", "the softphone shows the hotline, not the denouncer"


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


def branch_1_caller_waits(twilio: Twilio, sid: str) -> None:
    """incoming → 1 (denunciations) → first wait turn in branch 1's queue."""
    twilio.post("/ivr/incoming", call_params(sid))
    twilio.post("/ivr/language", call_params(sid, Digits="1"))
    twilio.post("/ivr/queue/wait?branch=1&lang=vi", call_params(sid, QueuePosition="1", QueueTime="0", QueueSid="QU1"))


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_branch_2_request_is_never_merged_into_a_branch_1_callback_and_the_number_is_rung_once(
    twilio_app, twilio, double, clock
) -> None:
    from callcenter.queue.callbacks import CallbackPolicy
    from callcenter.queue.dispatch import Dispatcher
    from callcenter.rota.service import RotaService

    report, question = new_sid(), new_sid()
    branch_1_caller_waits(twilio, report)
    gather = parse_twiml(twilio.post(OPTION.replace("branch=2", "branch=1"), call_params(report, Digits="1")).data)
    twilio.post(gather.find("Gather").get("action"), call_params(report, Digits="1"))
    caller_waits(twilio, double, question)  # the same person, now with an e-customs question
    book_callback(twilio, question)
    with twilio_app.app_context():
        callbacks = db.session.scalars(select(Callback).order_by(Callback.id)).all()
        assert [c.branch for c in callbacks] == [1, 2], "two callbacks: one per branch, nothing merged"
        ticket = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == question)).one()
        assert ticket.outcome == "callback_pending" and "callback #" not in (ticket.notes or "")
        assert not [e for e in timeline(twilio_app, question) if "merged_into" in (e[1] or {})]

        def due() -> list[int | None]:
            rota = RotaService(db.session, clock)
            return [c.callback_id for c in Dispatcher(db.session, clock, rota, CallbackPolicy()).due_callbacks()]

        first, second = callbacks
        assert due() == [first.id], "one callback per number in a round: the earliest place"
        first.status = "offered"
        db.session.commit()
        assert due() == [], "the number is being rung for its branch-1 callback: the other waits"
        first.status = "dialing"
        db.session.commit()
        assert due() == []
        first.status, first.finished_at = "completed", clock.now()
        db.session.commit()
        assert due() == [second.id]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_claim_checks_the_numbers_other_callback_in_the_same_transaction(twilio_app, twilio, double, clock) -> None:
    """Two callbacks of one number paired in one round (or by two dispatchers): only one is claimed."""
    from callcenter.queue.dispatch import Dispatcher, IdleAgent, Offer, WaitingCall
    from callcenter.rota.service import RotaService

    report, question = new_sid(), new_sid()
    branch_1_caller_waits(twilio, report)
    gather = parse_twiml(twilio.post(OPTION.replace("branch=2", "branch=1"), call_params(report, Digits="1")).data)
    twilio.post(gather.find("Gather").get("action"), call_params(report, Digits="1"))
    caller_waits(twilio, double, question)
    book_callback(twilio, question)
    first_agent, second_agent = make_agents(twilio_app, clock, "an", "binh")
    with twilio_app.app_context():
        callbacks = db.session.scalars(select(Callback).order_by(Callback.id)).all()
        dispatcher = Dispatcher(db.session, clock, RotaService(db.session, clock))
        offers = [
            Offer(
                WaitingCall(cb.call_id, "CA", cb.branch, None, "vi", cb.place_at, cb.id),
                IdleAgent(agent, "x", frozenset(), clock.now()),
                "test",
                "token",
            )
            for cb, agent in zip(callbacks, (first_agent, second_agent), strict=True)
        ]
        assert [dispatcher._claim(o) for o in offers] == [True, False]
        db.session.commit()
        db.session.expire_all()
        assert [c.status for c in db.session.scalars(select(Callback).order_by(Callback.id))] == ["offered", "pending"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_same_branch_merge_keeps_its_note_and_reveals_nothing_more(twilio_app, twilio, double, clock) -> None:
    """Branch 2: the note names the callback and nothing else. Branch 1: neither the note nor the
    timeline tells a supervisor that two denunciations came from one caller."""
    import base64

    from callcenter.accounts.users import UserService

    first, again = new_sid(), new_sid()
    caller_waits(twilio, double, first)
    book_callback(twilio, first)
    caller_waits(twilio, double, again)
    offer = parse_twiml(twilio.post(OPTION, call_params(again, Digits="1")).data).find("Gather")
    twilio.post(offer.get("action"), call_params(again, Digits="1"))
    reports = new_sid(), new_sid()
    for sid in reports:
        branch_1_caller_waits(twilio, sid)
        gather = parse_twiml(twilio.post(OPTION.replace("branch=2", "branch=1"), call_params(sid, Digits="1")).data)
        twilio.post(gather.find("Gather").get("action"), call_params(sid, Digits="1"))
    with twilio_app.app_context():
        ids = {c.branch: c.id for c in db.session.scalars(select(Callback))}
        assert len(db.session.scalars(select(Callback)).all()) == 2, "one per number and branch"
        merged = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == again)).one()
        assert merged.notes == f"Callback already requested from another call (callback #{ids[2]})."
        UserService(db.session, clock).create("sup-m", "correct-horse-battery", "supervisor")
        db.session.commit()
    sup = {"Authorization": "Basic " + base64.b64encode(b"sup-m:correct-horse-battery").decode()}
    client = twilio_app.test_client()
    seen = client.get(f"/api/calls/{reports[1]}", headers=sup).get_json()
    assert seen["caller_hidden"] and seen["ticket"]["notes"] is None
    assert "callback #" not in str(seen) and "merged_into" not in str(seen), "no link to the other report"
    assert "merged_into" in str(client.get(f"/api/calls/{again}", headers=sup).get_json()), "branch 2 keeps it"
