"""Property-based fuzzing of every webhook: whatever Twilio (or a buggy proxy) sends, the answer is
TwiML or a clear 4xx, never a 5xx; each call keeps exactly one ticket; a final call stays final; a call
a signed request was about is on record afterwards, with no failure on its timeline. The values include
NUL bytes, numbers far beyond any column (and negative ones) and long multi-byte text, on SQLite and
PostgreSQL (PostgreSQL refuses NUL in text and checks every length and integer range)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ivr.webhook import CALL_SID_RE
from models import Call, CallEvent, Ticket, db

from .conftest import BACKENDS, call_params

both_databases = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

WEBHOOKS = [
    "/ivr/incoming",
    "/ivr/language",
    "/ivr/announcement",
    "/ivr/announcement/skip",
    "/ivr/menu",
    "/ivr/menu/choice",
    "/ivr/group",
    "/ivr/queue/wait",
    "/ivr/queue/exit",
    "/ivr/queue/connect",
    "/ivr/status",
    "/ivr/queue/option",
    "/ivr/callback/confirm",
    "/ivr/callback/number",
    "/ivr/voicemail/saved",
    "/ivr/voicemail/recording",
    "/ivr/agent/connect",
    "/ivr/agent/answered",
    "/ivr/agent/dial-result",
    "/ivr/callback/agent",
    "/ivr/callback/hello",
    "/ivr/callback/result",
    "/ivr/callback/agent-status",
]
QUERY = st.sampled_from(
    [
        "",
        "?attempt=1&lang=vi",
        "?attempt=2&lang=en",
        "?attempt=x",
        "?branch=1",
        "?branch=2&lang=en",
        "?retry=2&branch=1",
        "?lang=%00",
        "?attempt=-1",
        "?number=%2B84912345678&branch=2",
        "?number=19009299",
        "?agent=1",
        "?agent=x",
        "?callback=1&agent=1&call=CA" + "a" * 32,
        "?callback=999&agent=1&call=CA" + "b" * 32,
        "?callback=1&agent=1&call=nonsense",
        "?agent=99999999999999999999",
        "?agent=-1&lang=vi",
        "?agent=2147483648",
        "?agent=1%00",
        "?callback=99999999999999999999&agent=99999999999999999999&call=CA" + "a" * 32,
        "?callback=-3&agent=1&call=CA" + "b" * 32,
        "?retry=99999999999999999999&branch=2",
        "?attempt=99999999999999999999&lang=vi",
    ]
)
# Text as Twilio (or a buggy proxy) might send it: short, with NUL bytes, or long and multi-byte
# (64 × "ệ" is 192 bytes of UTF-8: once encrypted it no longer fits a 255-character column).
MULTIBYTE = st.sampled_from(["ệ", "𝟘", "ø", "\x00", "a", "+", "9", "😀"])
text = st.one_of(
    st.text(max_size=40),
    st.text(max_size=20).map(lambda s: f"\x00{s}\x00"),
    st.text(MULTIBYTE, min_size=60, max_size=400),
)
# Numbers: in range, negative, beyond int4 / int8, written oddly.
number = st.one_of(
    st.integers(-10, 100_000).map(str),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["2147483648", "9223372036854775808", "9" * 30, "-0", "1e3", "٣", "1\x00", " 7 "]),
    text,
)
SIDS = st.sampled_from(["CA" + "a" * 32, "CA" + "b" * 32, "CA" + "0123456789abcdef" * 2])
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "DequeingCallSid": st.one_of(st.just("CA" + "d" * 32), text),
        "Digits": st.one_of(st.sampled_from(["1", "2", "3", "4", "9", "", "#", "12"]), text),
        "QueueResult": st.one_of(
            st.sampled_from(["hangup", "bridged", "redirected", "queue-full", "error", "system-error", "leave"]), text
        ),
        "QueuePosition": number,
        "QueueTime": number,
        "CurrentQueueSize": number,
        "CallStatus": st.one_of(
            st.sampled_from(
                ["queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"]
            ),
            text,
        ),
        "SequenceNumber": st.one_of(st.integers(0, 20).map(str), number),
        "CallDuration": number,
        "Timestamp": st.one_of(st.just("Sun, 22 Nov 2026 01:59:00 +0000"), text),
        "From": st.one_of(st.sampled_from(["+84912345678", "anonymous", "client:agent_1", "0912 345 678"]), text),
        "To": st.one_of(st.just("+8419009299"), text),
        "AccountSid": st.one_of(st.just("AC" + "0" * 32), text),
        "QueueSid": st.one_of(st.just("QU" + "f" * 32), text),
        "ParentCallSid": st.one_of(st.sampled_from(["CA" + "a" * 32, "CA" + "c" * 32]), text),
        "DialCallStatus": st.one_of(st.sampled_from(["completed", "no-answer", "busy", "failed", "canceled"]), text),
        "DialCallDuration": number,
        "RecordingUrl": st.one_of(st.just("https://api.twilio.com/2010-04-01/Recordings/RE1"), text),
        "RecordingSid": st.one_of(st.just("RE" + "1" * 32), text),
        "RecordingDuration": number,
        "RecordingStatus": st.one_of(st.just("completed"), text),
    },
)


def assert_safe(response) -> None:
    assert response.status_code in (200, 400, 403, 413), response.status_code
    if response.status_code == 200:
        assert ET.fromstring(response.data).tag == "Response"


def subject_of(path: str, query: str, params: dict[str, str]) -> str | None:
    """The CallSid a request is about, as the webhook wrapper reads it (None: it is refused with 400)."""
    if path.startswith("/ivr/callback/") and path.split("/")[-1] in ("agent", "hello", "result", "agent-status"):
        sid = (parse_qs(urlsplit(query).query).get("call") or [""])[0]
    elif path == "/ivr/agent/answered":
        sid = params.get("ParentCallSid", "")
    else:
        sid = params.get("CallSid", "")
    return sid if CALL_SID_RE.match(sid) else None


def assert_on_record_without_failure(app, sid: str) -> None:
    """The call is on record, and no request about it failed (the fallback would have kept the caller
    on a path, but what the request carried would be lost)."""
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == sid)).first()
        assert call is not None, f"{sid} is not on record"
        failed = select(func.count()).where(CallEvent.call_id == call.id, CallEvent.kind == "WEBHOOK_ERROR")
        assert db.session.scalar(failed) == 0, "a webhook failed inside its transaction"


def assert_one_ticket_per_call(app) -> None:
    with app.app_context():
        calls = db.session.scalar(select(func.count()).select_from(Call))
        tickets = db.session.scalar(select(func.count(func.distinct(Ticket.call_id))))
        assert calls == tickets == db.session.scalar(select(func.count()).select_from(Ticket))


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@both_databases
@FUZZ
@given(path=st.sampled_from(WEBHOOKS), query=QUERY, sid=SIDS, fields=FIELDS)
def test_any_webhook_with_any_fields_answers_twiml_or_a_clear_4xx(app, twilio, path, query, sid, fields) -> None:
    params = {**call_params(sid), **fields}
    response = twilio.post(path + query, params)
    assert_safe(response)
    subject = subject_of(path, query, params)
    if subject is not None:
        assert response.status_code == 200
        assert_on_record_without_failure(app, subject)
    assert_one_ticket_per_call(app)


@FUZZ
@given(
    path=st.sampled_from(WEBHOOKS),
    sid=st.one_of(st.none(), text),
    signature=st.one_of(st.none(), st.text(st.characters(blacklist_characters="\r\n\x00"), max_size=40)),
)
def test_unsigned_or_malformed_requests_never_reach_the_database(app, client, path, sid, signature) -> None:
    data = {} if sid is None else {"CallSid": sid}
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    response = client.post(path, data=data, headers=headers)
    assert response.status_code in (400, 403)
    assert_one_ticket_per_call(app)


@both_databases
@FUZZ
@given(steps=st.lists(st.tuples(st.sampled_from(WEBHOOKS), FIELDS), min_size=1, max_size=12))
def test_any_order_of_events_keeps_one_ticket_and_a_final_call_final(app, twilio, clock, steps) -> None:
    sid = "CA" + "c" * 32
    final_outcome = None
    for path, fields in steps:
        clock.advance(3)
        params = {**call_params(sid), **fields}
        response = twilio.post(path, params)
        assert_safe(response)
        if subject_of(path, "", params) == sid:
            assert_on_record_without_failure(app, sid)
        with app.app_context():
            call = db.session.scalars(select(Call).where(Call.call_sid == sid)).first()
            if call is not None and final_outcome is not None:
                assert call.outcome == final_outcome and call.stage == "ended"
            if call is not None and call.stage == "ended":
                final_outcome = call.outcome
    assert_one_ticket_per_call(app)
    with app.app_context():
        db.session.execute(Ticket.__table__.delete())
        db.session.execute(Call.__table__.delete())
        db.session.commit()
