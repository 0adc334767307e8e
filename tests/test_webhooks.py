"""Webhooks under the conditions Twilio really produces: bad signatures, retries, duplicates,
events out of order, unknown calls, failures inside a view, and oversized bodies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from models import Call, CallEvent, Ticket, db

from .conftest import BACKENDS, call_params, new_sid, parse_twiml

both_databases = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


def count(app: Any, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def stored(app: Any, sid: str) -> Call:
    with app.app_context():
        return db.session.scalars(select(Call).where(Call.call_sid == sid)).one()


def events_of(app: Any, sid: str) -> list[str]:
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == sid)).one()
        return [
            e.kind
            for e in db.session.scalars(select(CallEvent).where(CallEvent.call_id == call.id).order_by(CallEvent.id))
        ]


def enqueue_call(twilio: Any, sid: str) -> None:
    """Walk a call into the branch-2 queue: incoming, 2 during the greeting, 1 for accounts."""
    assert twilio.post("/ivr/incoming", call_params(sid)).status_code == 200
    assert twilio.post("/ivr/language", call_params(sid, Digits="2")).status_code == 200
    root = parse_twiml(twilio.post("/ivr/group?attempt=1&lang=vi", call_params(sid, Digits="1")).data)
    assert root.find("Enqueue") is not None


# -- signatures ------------------------------------------------------------------------------
def test_request_without_signature_is_refused_and_nothing_is_recorded(app, client) -> None:
    response = client.post("/ivr/incoming", data=call_params(new_sid()))
    assert response.status_code == 403
    assert b"X-Twilio-Signature" in response.data
    assert count(app, Call) == 0


def test_request_with_a_forged_signature_is_refused(app, twilio) -> None:
    response = twilio.post("/ivr/incoming", call_params(new_sid()), signature="RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert response.status_code == 403
    assert count(app, Call) == 0


def test_signature_made_for_other_parameters_is_refused(app, twilio) -> None:
    params = call_params(new_sid())
    good = twilio.validator.compute_signature(twilio.base + "/ivr/incoming", params)
    response = twilio.post("/ivr/incoming", {**params, "From": "+84999999999"}, signature=good)
    assert response.status_code == 403


def test_signature_is_checked_against_the_public_url_behind_a_tls_proxy(app, client, twilio) -> None:
    """The app sees http://internal:8000/…; Twilio signed https://hotline.example.test/…."""
    params = call_params(new_sid())
    signature = twilio.validator.compute_signature("https://hotline.example.test/ivr/incoming", params)
    response = client.post(
        "/ivr/incoming", data=params, base_url="http://internal:8000", headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200
    wrong = twilio.validator.compute_signature("http://internal:8000/ivr/incoming", params)
    response = client.post(
        "/ivr/incoming", data=params, base_url="http://internal:8000", headers={"X-Twilio-Signature": wrong}
    )
    assert response.status_code == 403


def test_query_string_is_part_of_the_signed_url(app, twilio) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    params = call_params(sid, Digits="1")
    signature = twilio.validator.compute_signature(twilio.base + "/ivr/menu/choice?attempt=1&lang=vi", params)
    ok = twilio.client.post(
        "/ivr/menu/choice?attempt=1&lang=vi", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert ok.status_code == 200
    tampered = twilio.client.post(
        "/ivr/menu/choice?attempt=3&lang=vi", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert tampered.status_code == 403


# -- malformed requests ----------------------------------------------------------------------
@pytest.mark.parametrize("call_sid", [None, "", "CA123", "XX" + "0" * 32, "CA" + "g" * 32, "CA" + "0" * 33])
def test_missing_or_malformed_call_sid_gets_a_clear_400(app, twilio, call_sid) -> None:
    params = call_params("x")
    if call_sid is None:
        del params["CallSid"]
    else:
        params["CallSid"] = call_sid
    response = twilio.post("/ivr/incoming", params)
    assert response.status_code == 400
    assert b"CallSid" in response.data
    assert count(app, Call) == 0


def test_oversized_body_is_refused_with_413(app, twilio) -> None:
    params = call_params(new_sid(), Padding="x" * 70_000)
    response = twilio.post("/ivr/incoming", params)
    assert response.status_code == 413
    assert count(app, Call) == 0


@pytest.mark.parametrize("digits", ["", "0", "5", "#", "*", "11", "abc", "１", "\x00", "2" * 500])
def test_garbage_digits_in_the_main_menu_reprompt_without_crashing(app, twilio, digits) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    response = twilio.post("/ivr/menu/choice?attempt=1&lang=vi", call_params(sid, Digits=digits))
    assert response.status_code == 200
    root = parse_twiml(response.data)
    if digits[:1] in ("1", "2"):
        return  # "11" and "2…" are read by their first key
    gather = root.find("Gather")
    assert gather is not None and "attempt=2" in gather.get("action", "")


@pytest.mark.parametrize("attempt", ["abc", "-5", "0", "99999999999999999999"])
def test_odd_attempt_counters_in_the_url_are_harmless(app, twilio, attempt) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    response = twilio.post(f"/ivr/menu/choice?attempt={attempt}", call_params(sid, Digits="8"))
    assert response.status_code == 200
    parse_twiml(response.data)


@both_databases
def test_unknown_call_sid_on_a_status_callback_is_put_on_record_once(app, twilio) -> None:
    """A call we never saw (its first webhook failed before reaching us) is still counted."""
    sid = new_sid()
    for _ in range(2):
        response = twilio.post(
            "/ivr/status", call_params(sid, CallStatus="completed", CallDuration="7", SequenceNumber="0")
        )
        assert response.status_code == 200
    call = stored(app, sid)
    assert call.outcome == "ivr_abandoned"
    assert count(app, Call) == 1 and count(app, Ticket) == 1


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


# -- failures inside a view ------------------------------------------------------------------
def test_database_failure_still_puts_the_caller_in_a_queue(app, twilio, monkeypatch) -> None:
    from callcenter.tickets.calls import CallService

    def broken(self: Any, form: Any) -> Any:
        raise RuntimeError("database is on fire")

    monkeypatch.setattr(CallService, "ensure_call", broken)
    response = twilio.post("/ivr/incoming", call_params(new_sid()))
    assert response.status_code == 200
    root = parse_twiml(response.data)
    assert root.find("Enqueue").text == "hotline-branch-2"
    assert "sự cố" in root.find("Say").text


def test_failure_after_pressing_1_keeps_the_caller_on_the_denunciation_path(app, twilio, monkeypatch) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    from callcenter.tickets.calls import CallService

    monkeypatch.setattr(CallService, "choose_branch", lambda *a, **k: 1 / 0)
    root = parse_twiml(twilio.post("/ivr/menu/choice?attempt=1&lang=vi", call_params(sid, Digits="1")).data)
    assert root.find("Enqueue").text == "hotline-branch-1"
    monkeypatch.undo()
    assert "WEBHOOK_ERROR" in events_of(app, sid), "the failure is on the call's timeline"


def test_failure_in_the_wait_loop_keeps_the_music_playing(app, twilio, monkeypatch) -> None:
    sid = new_sid()
    enqueue_call(twilio, sid)
    from callcenter.queue.estimate import WaitEstimator

    monkeypatch.setattr(WaitEstimator, "estimate_seconds", lambda *a, **k: 1 / 0)
    root = parse_twiml(twilio.post("/ivr/queue/wait?branch=2", call_params(sid, QueuePosition="1")).data)
    assert root.find("Play") is not None and root.find("Hangup") is None


def test_failure_in_the_error_path_logs_the_call_sid(app, twilio, monkeypatch, caplog) -> None:
    from callcenter.tickets.calls import CallService

    sid = new_sid()
    monkeypatch.setattr(CallService, "ensure_call", lambda *a: 1 / 0)
    twilio.post("/ivr/incoming", call_params(sid))
    assert any(sid in r.getMessage() for r in caplog.records)
    assert not any("+84912345678" in r.getMessage() for r in caplog.records), "no caller numbers in logs"


def test_healthz_reports_the_database(app, client, clock) -> None:
    assert client.get("/healthz").get_json() == {
        "status": "ok",
        "database": "ok",
        "telephony": "ok",
        "telephony_detail": {"state": "ok"},
    }
    from app import create_app
    from config import TestConfig

    broken = create_app(TestConfig, clock=clock, overrides={"DATABASE_URL": "sqlite:////nonexistent/dir/x.db"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_webhook_survives_the_database_dropping_its_connections(app, twilio, database_url) -> None:
    """No pre-ping: a dead pooled connection is invalidated and the webhook retries on a fresh one."""
    from .conftest import kill_backends

    sid = new_sid()
    assert twilio.post("/ivr/incoming", call_params(sid)).status_code == 200
    assert kill_backends(database_url) >= 1
    root = parse_twiml(twilio.post("/ivr/language", call_params(sid, Digits="1")).data)
    assert root.find("Enqueue").text == "hotline-branch-1", "the real answer, not the fallback"
    assert stored(app, sid).branch == 1
    assert "WEBHOOK_ERROR" not in events_of(app, sid)


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


def test_database_errors_do_not_put_caller_numbers_in_the_logs(app, twilio, monkeypatch, caplog) -> None:
    from sqlalchemy import text

    from callcenter.tickets.store import CallStore

    number = "+84" + "912345678"  # built here so the traceback's source lines do not spell it

    def failing_save(self) -> None:
        self.session.connection().execute(text("SELECT * FROM no_such_table WHERE x = :n"), {"n": number})

    monkeypatch.setattr(CallStore, "save", failing_save)
    response = twilio.post("/ivr/incoming", call_params(new_sid()))
    assert response.status_code == 200 and b"Enqueue" in response.data
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "no_such_table" in logged, "the failure itself is logged"
    assert "+84912345678" not in logged and "84912345678" not in logged


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
