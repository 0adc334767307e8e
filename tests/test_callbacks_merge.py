"""One caller's number across callbacks and branches (issue 11, branch 1): a branch-2 request is never
merged into a branch-1 callback and the number is rung once, a claim checks the number's other callback in
the same transaction, a same-branch merge reveals nothing more, and a branch-1 caller's number never
reaches the agent's browser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Call, Callback, Ticket, db

from . import callbacks_support
from .callbacks_support import OPTION, book_callback, timeline
from .conftest import BACKENDS, Twilio, call_params, new_sid, parse_twiml
from .test_ringing import caller_waits, dispatch, make_agents

twilio = callbacks_support.twilio  # the fixture: webhooks signed for the app on the REST double


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
