"""Webhooks in the order Twilio really delivers them: retries and duplicates (also concurrent ones),
status callbacks before or after the queue's action and the bridged result, late menu webhooks, racing
connect and hang-up, and changes with no event of their own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models import Call, CallEvent, Ticket, db

from .conftest import BACKENDS, call_params, new_sid, parse_twiml
from .webhooks_support import both_databases, count, enqueue_call, events_of, stored


# -- duplicates and order --------------------------------------------------------------------
@both_databases
def test_retried_incoming_webhook_creates_one_call_and_one_ticket(app, twilio) -> None:
    sid = new_sid()
    for _ in range(3):
        assert twilio.post("/ivr/incoming", call_params(sid)).status_code == 200
    assert count(app, Call) == 1 and count(app, Ticket) == 1
    assert events_of(app, sid).count("IVR_ENTER") == 1


@both_databases
def test_duplicate_status_callbacks_are_recorded_once(app, twilio, clock) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    twilio.post("/ivr/queue/wait?branch=2&lang=vi", call_params(sid, QueuePosition="2", QueueTime="0"))
    clock.advance(30)
    for _ in range(3):
        twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="2", CallDuration="30"))
    for _ in range(2):
        twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="hangup", QueueTime="30"))
    kinds = events_of(app, sid)
    assert kinds.count("STATUS") == 1 and kinds.count("EXITQUEUE") == 1
    assert kinds.count("ABANDON") == 1 and kinds.count("HANGUP") == 1


@both_databases
def test_status_callback_before_the_enqueue_action_gives_the_same_abandoned_call(app, twilio, clock) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    twilio.post(
        "/ivr/queue/wait?branch=2&lang=vi", call_params(sid, QueuePosition="3", QueueTime="0", CurrentQueueSize="3")
    )
    clock.advance(42)
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="1", CallDuration="50"))
    clock.advance(2)
    late = twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="hangup", QueueTime="44"))
    assert late.status_code == 200
    call = stored(app, sid)
    assert call.outcome == "queue_abandoned"
    assert call.queue_wait_seconds == 44, "the queue result decides, whichever came first: Twilio's QueueTime"
    assert call.ended_at == call.started_at + timedelta(seconds=42), "the line ended when the status said"
    assert call.queue_position_first == 3
    assert events_of(app, sid).count("ABANDON") == 1


@both_databases
def test_enqueue_action_then_status_callback_uses_twilios_queue_time(app, twilio, clock) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    clock.advance(40)
    twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="hangup", QueueTime="39"))
    clock.advance(1)
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="1", CallDuration="45"))
    call = stored(app, sid)
    assert call.outcome == "queue_abandoned" and call.queue_wait_seconds == 39
    assert call.final_status == "completed"


@both_databases
def test_late_menu_webhook_after_the_end_does_not_reopen_the_call(app, twilio, clock) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="0"))
    clock.advance(1)
    response = twilio.post("/ivr/menu/choice?attempt=1&lang=vi", call_params(sid, Digits="1"))
    assert response.status_code == 200
    call = stored(app, sid)
    assert call.stage == "ended" and call.outcome == "ivr_abandoned" and call.branch is None


def test_non_terminal_status_after_the_end_changes_nothing(app, twilio) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="3"))
    twilio.post("/ivr/status", call_params(sid, CallStatus="ringing", SequenceNumber="1"))
    call = stored(app, sid)
    assert call.stage == "ended" and call.outcome == "ivr_abandoned"


@pytest.mark.parametrize("status", ["busy", "failed", "no-answer", "canceled"])
def test_failed_calls_are_on_record_as_failed(app, twilio, status) -> None:
    sid = new_sid()
    twilio.post("/ivr/status", call_params(sid, CallStatus=status, SequenceNumber="0"))
    call = stored(app, sid)
    assert call.outcome == "failed" and call.final_status == status


def test_queue_full_tells_the_caller_and_ends_the_call_on_record(app, twilio) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    root = parse_twiml(twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="queue-full")).data)
    assert "bophanhotro@customs.gov.vn" in root.find("Say").text
    assert root.find("Hangup") is not None
    assert stored(app, sid).outcome == "queue_full"


def test_queue_system_error_puts_the_caller_back_in_their_branch_queue(app, twilio) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    root = parse_twiml(
        twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="system-error")).data
    )
    assert root.find("Enqueue").text == "hotline-branch-2"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
@pytest.mark.parametrize(
    "path, extra", [("/ivr/incoming", {}), ("/ivr/status", {"CallStatus": "completed", "SequenceNumber": "0"})]
)
def test_concurrent_duplicates_of_a_first_webhook_make_one_call(app, twilio, path, extra) -> None:
    """Twilio retries can overlap the original: the unique constraints decide, the loser retries."""
    import threading

    sid = new_sid()
    barrier = threading.Barrier(6)
    replies: list[Any] = []

    def send() -> None:
        client = app.test_client()
        params = call_params(sid, **extra)
        signature = twilio.validator.compute_signature(twilio.base + path, params)
        barrier.wait()
        replies.append(client.post(path, data=params, headers={"X-Twilio-Signature": signature}))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [r.status_code for r in replies] == [200] * 6
    for reply in replies:
        assert not any("sự cố" in (s.text or "") for s in parse_twiml(reply.data).iter("Say")), "no fallback"
    assert count(app, Call) == 1 and count(app, Ticket) == 1
    kinds = events_of(app, sid)
    assert kinds.count("IVR_ENTER") == 1 and "WEBHOOK_ERROR" not in kinds


@both_databases
def test_bridged_result_without_the_connect_webhook_still_records_an_answer(app, twilio, clock) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    twilio.post("/ivr/queue/wait?branch=2&lang=vi", call_params(sid, QueuePosition="1", QueueTime="0"))
    clock.advance(400)  # 30 s waiting, then a conversation
    twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="bridged", QueueTime="30"))
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="2"))
    call = stored(app, sid)
    assert call.outcome == "answered" and call.queue_wait_seconds == 30
    assert call.answered_at == call.queue_entered_at + timedelta(seconds=30)


@both_databases
def test_status_callback_before_the_bridged_result_does_not_turn_an_answer_into_an_abandon(app, twilio, clock) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    clock.advance(30)
    root = parse_twiml(
        twilio.post("/ivr/queue/connect", call_params(sid, QueueTime="30", DequeingCallSid=new_sid())).data
    )
    assert "tổng đài viên" in root.find("Say").text
    clock.advance(300)
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="2"))
    twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="bridged", QueueTime="30"))
    call = stored(app, sid)
    assert call.outcome == "answered" and call.queue_wait_seconds == 30
    assert events_of(app, sid).count("CONNECT") == 1


@both_databases
def test_status_first_then_bridged_result_is_an_answered_call(app, twilio, clock) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    twilio.post("/ivr/queue/wait?branch=2&lang=vi", call_params(sid, QueuePosition="1", QueueTime="0"))
    clock.advance(400)
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="3", CallDuration="400"))
    twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="bridged", QueueTime="25"))
    call = stored(app, sid)
    assert (call.outcome, call.stage, call.queue_wait_seconds) == ("answered", "ended", 25)
    assert "ABANDON" not in events_of(app, sid)


def test_hangup_result_after_the_connect_does_not_undo_the_answer(app, twilio, clock) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    clock.advance(20)
    twilio.post("/ivr/queue/connect", call_params(sid, QueueTime="20", DequeingCallSid=new_sid()))
    clock.advance(2)  # the caller hangs up during "connecting you"
    twilio.post("/ivr/queue/exit?branch=2&lang=vi", call_params(sid, QueueResult="hangup", QueueTime="20"))
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="1"))
    call = stored(app, sid)
    assert call.outcome == "answered" and call.queue_wait_seconds == 20


def test_hanging_up_during_the_queue_intro_is_an_ivr_abandon(app, twilio, clock) -> None:
    """Twilio joins the queue only after the intro prompt: a caller gone before it never queued."""
    sid = new_sid()
    enqueue_call(twilio, sid)
    clock.advance(8)
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="0", CallDuration="8"))
    call = stored(app, sid)
    assert call.outcome == "ivr_abandoned" and call.branch == 2
    with app.app_context():
        ivr_abandon = db.session.scalars(select(CallEvent).where(CallEvent.kind == "IVR_ABANDON")).one()
        assert ivr_abandon.data["during"] == "queue_intro"


@both_databases
def test_racing_connect_and_hangup_status_settle_on_one_outcome(app, twilio) -> None:
    """A connect and the final status for one call at the same moment: one consistent answer."""
    import threading

    sids = [new_sid() for _ in range(6)]
    for sid in sids:
        enqueue_call(twilio, sid)
        twilio.post("/ivr/queue/wait?branch=2&lang=vi", call_params(sid, QueuePosition="1", QueueTime="0"))
    requests = [
        (path, call_params(sid, **extra))
        for sid in sids
        for path, extra in (
            ("/ivr/queue/connect", {"QueueTime": "5", "DequeingCallSid": "CA" + "e" * 32}),
            ("/ivr/status", {"CallStatus": "completed", "SequenceNumber": "4"}),
        )
    ]
    barrier = threading.Barrier(len(requests))
    codes: list[int] = []

    def send(path: str, params: dict[str, str]) -> None:
        signature = twilio.validator.compute_signature(twilio.base + path, params)
        client = app.test_client()
        barrier.wait()
        codes.append(client.post(path, data=params, headers={"X-Twilio-Signature": signature}).status_code)

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert codes == [200] * len(requests)
    for sid in sids:
        call = stored(app, sid)
        assert (call.stage, call.outcome) == ("ended", "answered"), sid
        assert "WEBHOOK_ERROR" not in events_of(app, sid)


def test_a_wait_turn_without_an_announcement_still_saves_the_new_position(app, twilio, clock) -> None:
    """Changes to a call with no event of their own (position, queue SID) are written too."""
    sid = new_sid()
    enqueue_call(twilio, sid)
    twilio.post("/ivr/queue/wait?branch=2&lang=vi", call_params(sid, QueuePosition="3", QueueTime="0"))
    clock.advance(30)  # within the announcement interval: no POSITION event this turn
    twilio.post(
        "/ivr/queue/wait?branch=2&lang=vi",
        call_params(sid, QueuePosition="2", QueueTime="30", QueueSid="QU" + "f" * 32),
    )
    assert events_of(app, sid).count("POSITION") == 1
    call = stored(app, sid)
    assert (call.queue_position_first, call.queue_position_last, call.queue_sid) == (3, 2, "QU" + "f" * 32)
