"""Input at the boundary (issue 10, part 4), at the webhooks: whatever a signed Twilio request sends —
NUL bytes, numbers beyond a column, strings longer than a column, multi-byte text that outgrows its
encrypted column, recordings for calls we never saw — the webhook keeps the call on record and answers
its real TwiML. Played on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from models import Call, CallEvent, db

from .boundary_support import HUGE, both_databases, real_answer, ticket_of
from .conftest import call_params, new_sid, parse_twiml


def stored(app: Any, sid: str) -> Call:
    with app.app_context():
        return db.session.scalars(select(Call).where(Call.call_sid == sid)).one()


def kinds(app: Any, sid: str) -> list[str]:
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == sid)).one()
        rows = db.session.scalars(select(CallEvent).where(CallEvent.call_id == call.id).order_by(CallEvent.id))
        return [e.kind for e in rows]


def on_record_without_error(app: Any, sid: str) -> Call:
    call = stored(app, sid)
    assert "WEBHOOK_ERROR" not in kinds(app, sid)
    return call


def enqueue(twilio: Any, sid: str, **extra: str) -> None:
    real_answer(twilio.post("/ivr/incoming", call_params(sid, **extra)))
    real_answer(twilio.post("/ivr/language", call_params(sid, Digits="2", **extra)))
    assert (
        real_answer(twilio.post("/ivr/group?attempt=1&lang=vi", call_params(sid, Digits="1", **extra))).find("Enqueue")
        is not None
    )


# -- NUL bytes ---------------------------------------------------------------------------------
@both_databases
def test_nul_bytes_in_every_text_field_are_removed_where_the_request_enters(app, twilio) -> None:
    """PostgreSQL refuses \\x00 in text (SQLite keeps it): the call used to be lost on PostgreSQL."""
    sid = new_sid()
    nul = {
        "AccountSid": "AC" + "0" * 16 + "\x00" + "0" * 16,
        "From": "+8491234\x005678",
        "To": "+84\x0019009299",
        "Caller": "\x00",
        "CallerName": "Nguy\x00ễn",
    }
    root = real_answer(twilio.post("/ivr/incoming", call_params(sid, **nul)))
    assert root.find("Gather") is not None
    call = on_record_without_error(app, sid)
    assert (call.to_raw, call.from_raw, call.caller_e164) == ("+8419009299", "+84912345678", "+84912345678")
    assert call.account_sid == "AC" + "0" * 32
    real_answer(twilio.post("/ivr/language", call_params(sid, Digits="2\x00", **nul)))
    real_answer(twilio.post("/ivr/group?attempt=1&lang=vi", call_params(sid, Digits="\x001", **nul)))
    wait = {"QueuePosition": "1\x00", "QueueTime": "0", "QueueSid": "QU" + "a" * 31 + "\x00a"}
    real_answer(twilio.post("/ivr/queue/wait?branch=2&lang=vi", call_params(sid, **wait)))
    connect = {"QueueTime": "3\x000", "DequeingCallSid": "CA" + "d" * 16 + "\x00" + "d" * 16}
    real_answer(twilio.post("/ivr/queue/connect", call_params(sid, **connect)))
    done = {"CallStatus": "comp\x00leted", "SequenceNumber": "4\x00", "CallDuration": "9\x000"}
    assert twilio.post("/ivr/status", call_params(sid, **done)).status_code == 200
    call = on_record_without_error(app, sid)
    assert (call.outcome, call.queue_sid, call.queue_wait_seconds) == ("answered", "QU" + "a" * 32, 30)
    assert call.final_status == "completed" and call.duration_seconds == 90


# -- integers beyond the column, and negative ones ----------------------------------------------
@both_databases
@pytest.mark.parametrize("duration", [HUGE, "-5", "2147483648", "1e3", "٣"])
def test_an_odd_call_duration_is_unknown_and_the_call_ends_on_record(app, twilio, clock, duration) -> None:
    sid = new_sid()
    real_answer(twilio.post("/ivr/incoming", call_params(sid)))
    clock.advance(12)
    done = call_params(sid, CallStatus="completed", SequenceNumber="1", CallDuration=duration)
    assert twilio.post("/ivr/status", done).status_code == 200
    call = on_record_without_error(app, sid)
    assert (call.outcome, call.duration_seconds) == ("ivr_abandoned", 12), "unknown: from our own timestamps"


@both_databases
@pytest.mark.parametrize("queue_time", [HUGE, "-3"])
def test_an_odd_queue_time_is_unknown(app, twilio, clock, queue_time) -> None:
    sid = new_sid()
    enqueue(twilio, sid)
    real_answer(
        twilio.post("/ivr/queue/wait?branch=2&lang=vi", call_params(sid, QueuePosition="1", QueueTime=queue_time))
    )
    clock.advance(20)
    real_answer(twilio.post("/ivr/queue/connect", call_params(sid, QueueTime=queue_time, DequeingCallSid=new_sid())))
    call = on_record_without_error(app, sid)
    assert (call.stage, call.queue_wait_seconds) == ("connected", 20)


@both_databases
@pytest.mark.parametrize("path", ["/ivr/agent/connect", "/ivr/agent/dial-result"])
@pytest.mark.parametrize("agent", ["99999999999999999999", "-1", "2147483648", "1\x00"])
def test_an_agent_id_beyond_the_column_in_the_url_is_no_agent(app, twilio, path, agent) -> None:
    from urllib.parse import quote

    sid = new_sid()
    enqueue(twilio, sid)
    extra = {"DialCallStatus": "no-answer"} if path.endswith("dial-result") else {}
    root = real_answer(twilio.post(f"{path}?agent={quote(agent)}&lang=vi", call_params(sid, **extra)))
    assert root.find("Enqueue").text == "hotline-branch-2", "back to the queue: there is no such agent"
    assert on_record_without_error(app, sid).stage == "queued"


@both_databases
def test_an_agent_id_beyond_the_column_on_the_agents_leg_is_no_agent(app, twilio) -> None:
    sid = new_sid()
    enqueue(twilio, sid)
    leg = {**call_params(new_sid()), "ParentCallSid": sid}
    real_answer(twilio.post(f"/ivr/agent/answered?agent={HUGE}", leg))
    assert on_record_without_error(app, sid).stage == "queued"


@both_databases
@pytest.mark.parametrize("path", ["/ivr/callback/agent", "/ivr/callback/result", "/ivr/callback/agent-status"])
@pytest.mark.parametrize("ids", [f"callback={HUGE}&agent={HUGE}", "callback=-1&agent=1", f"callback=1&agent={HUGE}"])
def test_callback_ids_beyond_the_column_in_the_url_are_no_callback(app, twilio, path, ids) -> None:
    sid = new_sid()
    real_answer(twilio.post("/ivr/incoming", call_params(sid)))
    leg = call_params(new_sid(), DialCallStatus="no-answer", DialCallDuration=HUGE, CallStatus="no-answer")
    response = twilio.post(f"{path}?{ids}&call={sid}", leg)
    assert response.status_code == 200
    parse_twiml(response.data)
    on_record_without_error(app, sid)


# -- strings longer than their column -----------------------------------------------------------
@both_databases
def test_an_account_sid_longer_than_its_column_is_dropped_and_the_call_kept(app, twilio) -> None:
    sid = new_sid()
    real_answer(twilio.post("/ivr/incoming", call_params(sid, AccountSid="AC" + "f" * 98)))
    assert on_record_without_error(app, sid).account_sid is None


@both_databases
def test_every_field_longer_than_its_column_is_bounded_and_the_call_kept(app, twilio, clock) -> None:
    sid = new_sid()
    long = {"To": "+84" + "1" * 200, "Caller": "x" * 5000, "Direction": "inbound" * 500}
    real_answer(twilio.post("/ivr/incoming", call_params(sid, **long)))
    call = on_record_without_error(app, sid)
    assert call.to_raw == ("+84" + "1" * 200)[:64]
    real_answer(twilio.post("/ivr/language", call_params(sid, Digits="2" * 2000)))
    real_answer(twilio.post("/ivr/group?attempt=1&lang=vi", call_params(sid, Digits="1")))
    real_answer(
        twilio.post(
            "/ivr/queue/wait?branch=2&lang=vi", call_params(sid, QueuePosition="1", QueueTime="0", QueueSid="QU" * 80)
        )
    )
    assert stored(app, sid).queue_sid is None, "a SID longer than its column is no SID (a cut one is another's)"
    real_answer(twilio.post("/ivr/queue/connect", call_params(sid, QueueTime="4", DequeingCallSid="CA" * 300)))
    clock.advance(60)
    status = {"CallStatus": "completed" * 300, "SequenceNumber": "7" * 300, "Timestamp": "x" * 3000}
    assert twilio.post("/ivr/status", call_params(sid, **status)).status_code == 200
    call = on_record_without_error(app, sid)
    assert call.stage == "connected" and call.queue_wait_seconds == 4


@both_databases
@pytest.mark.parametrize("caller", ["ệ" * 64, "𝟘" * 64, "+84912345678" + "ệ" * 100, "client:" + "ø" * 300])
def test_a_long_multibyte_from_still_fits_once_encrypted(app, twilio, caller) -> None:
    """Fernet tokens grow with the UTF-8 bytes: 64 × "ệ" (192 bytes) made a 356-character token for a
    255-character column, and the call was never recorded on PostgreSQL."""
    sid = new_sid()
    real_answer(twilio.post("/ivr/incoming", call_params(sid, From=caller)))
    call = on_record_without_error(app, sid)
    assert call.from_raw and caller.startswith(call.from_raw)
    with app.app_context():
        token = db.session.execute(text("SELECT from_raw FROM calls WHERE call_sid = :s"), {"s": sid}).scalar()
    assert len(token) <= Call.__table__.c.from_raw.type.length


# -- voicemail for a call not on record -----------------------------------------------------------
@both_databases
@pytest.mark.parametrize("path", ["/ivr/voicemail/recording", "/ivr/voicemail/saved?lang=vi"])
def test_a_voicemail_for_a_call_not_yet_on_record_keeps_the_call_and_the_recording(app, twilio, path) -> None:
    sid = new_sid()
    recording = {
        "CallSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "RecordingSid": "RE" + "2" * 32,
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE" + "2" * 32,
        "RecordingStatus": "completed",
        "RecordingDuration": "17",
        "Digits": "#",
    }
    assert twilio.post(path, recording).status_code == 200
    on_record_without_error(app, sid)
    ticket = ticket_of(app, sid)
    assert (ticket.recording_url, ticket.recording_seconds) == (recording["RecordingUrl"], 17)
    assert ticket.outcome == "voicemail" and ticket.status == "open", "someone must listen to it"
    assert kinds(app, sid).count("VOICEMAIL") == 1
    assert twilio.post(path, recording).status_code == 200, "the other callback carrying it adds nothing"
    assert kinds(app, sid).count("VOICEMAIL") == 1


@both_databases
@pytest.mark.parametrize("duration", ["-1", HUGE, "abc"])
def test_an_odd_recording_duration_is_unknown(app, twilio, duration) -> None:
    sid = new_sid()
    real_answer(twilio.post("/ivr/incoming", call_params(sid)))
    recording = {
        "RecordingSid": "RE" + "3" * 32,
        "RecordingUrl": "https://api.twilio.com/RE3",
        "RecordingDuration": duration,
    }
    assert twilio.post("/ivr/voicemail/recording", call_params(sid, **recording)).status_code == 200
    on_record_without_error(app, sid)
    ticket = ticket_of(app, sid)
    assert ticket.recording_url == "https://api.twilio.com/RE3" and ticket.recording_seconds is None
