"""Property-based fuzzing of every webhook: whatever Twilio (or a buggy proxy) sends, the answer is
TwiML or a clear 4xx, never a 5xx; each call keeps exactly one ticket; a final call stays final."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models import Call, Ticket, db

from .conftest import call_params

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
    ]
)
text = st.text(max_size=40)
SIDS = st.sampled_from(["CA" + "a" * 32, "CA" + "b" * 32, "CA" + "0123456789abcdef" * 2])
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "DequeingCallSid": st.one_of(st.just("CA" + "d" * 32), text),
        "Digits": st.one_of(st.sampled_from(["1", "2", "3", "4", "9", "", "#", "12"]), text),
        "QueueResult": st.one_of(
            st.sampled_from(["hangup", "bridged", "redirected", "queue-full", "error", "system-error", "leave"]), text
        ),
        "QueuePosition": st.one_of(st.integers(-5, 5000).map(str), text),
        "QueueTime": st.one_of(st.integers(-5, 100000).map(str), text),
        "CurrentQueueSize": st.one_of(st.integers(0, 5000).map(str), text),
        "CallStatus": st.one_of(
            st.sampled_from(
                ["queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"]
            ),
            text,
        ),
        "SequenceNumber": st.one_of(st.integers(0, 20).map(str), text),
        "CallDuration": st.one_of(st.integers(0, 100000).map(str), text),
        "Timestamp": st.one_of(st.just("Sun, 22 Nov 2026 01:59:00 +0000"), text),
        "From": st.one_of(st.sampled_from(["+84912345678", "anonymous", "client:agent_1", "0912 345 678"]), text),
        "To": st.one_of(st.just("+8419009299"), text),
        "ParentCallSid": st.one_of(st.sampled_from(["CA" + "a" * 32, "CA" + "c" * 32]), text),
        "DialCallStatus": st.one_of(st.sampled_from(["completed", "no-answer", "busy", "failed", "canceled"]), text),
        "DialCallDuration": st.one_of(st.integers(-5, 10000).map(str), text),
        "RecordingUrl": st.one_of(st.just("https://api.twilio.com/2010-04-01/Recordings/RE1"), text),
        "RecordingSid": st.one_of(st.just("RE" + "1" * 32), text),
        "RecordingDuration": st.one_of(st.integers(-5, 5000).map(str), text),
    },
)


def assert_safe(response) -> None:
    assert response.status_code in (200, 400, 403, 413), response.status_code
    if response.status_code == 200:
        assert ET.fromstring(response.data).tag == "Response"


def assert_one_ticket_per_call(app) -> None:
    with app.app_context():
        calls = db.session.scalar(select(func.count()).select_from(Call))
        tickets = db.session.scalar(select(func.count(func.distinct(Ticket.call_id))))
        assert calls == tickets == db.session.scalar(select(func.count()).select_from(Ticket))


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(path=st.sampled_from(WEBHOOKS), query=QUERY, sid=SIDS, fields=FIELDS)
def test_any_webhook_with_any_fields_answers_twiml_or_a_clear_4xx(app, twilio, path, query, sid, fields) -> None:
    params = {k: v for k, v in {**call_params(sid), **fields}.items() if "\x00" not in v}
    assert_safe(twilio.post(path + query, params))
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


@FUZZ
@given(steps=st.lists(st.tuples(st.sampled_from(WEBHOOKS), FIELDS), min_size=1, max_size=12))
def test_any_order_of_events_keeps_one_ticket_and_a_final_call_final(app, twilio, clock, steps) -> None:
    sid = "CA" + "c" * 32
    final_outcome = None
    for path, fields in steps:
        clock.advance(3)
        params = {k: v for k, v in {**call_params(sid), **fields}.items() if "\x00" not in v}
        assert_safe(twilio.post(path, params))
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
