"""Input at the boundary (issue 10, part 4): whatever a signed Twilio request or an API client sends —
NUL bytes, numbers beyond a column, strings longer than a column, multi-byte text that outgrows its
encrypted column, recordings for calls we never saw — the webhook keeps the call on record and answers
its real TwiML, and the API answers 400 with a message, never 500. Played on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from models import Call, CallEvent, Ticket, db

from . import test_wrapup
from .conftest import BACKENDS, call_params, kill_backends, new_sid, parse_twiml

both_databases = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
HUGE = "9" * 30
TECHNICAL_ERROR = "đang gặp sự cố"  # the fallback's apology ("technical_error"): a real answer never says it


def stored(app: Any, sid: str) -> Call:
    with app.app_context():
        return db.session.scalars(select(Call).where(Call.call_sid == sid)).one()


def ticket_of(app: Any, sid: str) -> Ticket:
    with app.app_context():
        return db.session.scalars(
            select(Ticket).join(Call, Call.id == Ticket.call_id).where(Call.call_sid == sid)
        ).one()


def kinds(app: Any, sid: str) -> list[str]:
    with app.app_context():
        call = db.session.scalars(select(Call).where(Call.call_sid == sid)).one()
        rows = db.session.scalars(select(CallEvent).where(CallEvent.call_id == call.id).order_by(CallEvent.id))
        return [e.kind for e in rows]


def real_answer(response: Any) -> Any:
    """The view's own TwiML (not the fallback), as a parsed <Response>."""
    assert response.status_code == 200, response.data
    root = parse_twiml(response.data)
    assert not any(TECHNICAL_ERROR in (s.text or "") for s in root.iter("Say")), "the fallback answered"
    return root


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


# -- the sanitiser and the parser, alone -------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("7", 7),
        (" 42 ", 42),
        ("+3", 3),
        ("0", 0),
        ("999999", 999_999),
        ("1000000", None),
        ("-5", None),
        (HUGE, None),
        ("9" * 5000, None),
        ("", None),
        (None, None),
        ("1e3", None),
        ("1.0", None),
        ("1_000", None),
        ("٣", None),
        ("１", None),
        ("0x10", None),
        ("nope", None),
        ("1\x00", None),
        (True, None),
        (12, 12),
    ],
)
def test_bounded_int_reads_ascii_whole_numbers_in_range_and_nothing_else(raw, expected) -> None:
    from callcenter.common.inputs import bounded_int

    assert bounded_int(raw) == expected


def test_bounded_ids_fit_an_integer_column() -> None:
    from callcenter.common.inputs import MAX_ID, bounded_id

    assert [bounded_id(v) for v in ("1", str(MAX_ID), str(MAX_ID + 1), "0", "-1", HUGE)] == [1, MAX_ID] + [None] * 4


def test_clean_form_strips_nul_bounds_every_field_and_keeps_numbers_whole() -> None:
    from ivr.webhook import clean_form

    form = clean_form(
        {
            "CallSid": "CA" + "a" * 32,
            "AccountSid": "AC" + "0" * 32 + "\x00",
            "QueueSid": "QU" + "f" * 63,
            "RecordingUrl": "https://x.test/" + "r" * 490,
            "RecordingSid": "RE\x00" + "1" * 32,
            "From": "+84\x00912345678",
            "To": "+84" + "1" * 100,
            "Digits": "1\x00" + "2" * 1000,
            "CallStatus": "\x00completed",
            "CallDuration": "-5",
            "QueueTime": " 30 ",
            "QueuePosition": HUGE,
            "RecordingDuration": "1\x002",
            "SequenceNumber": "٣",
        }
    )
    assert form == {
        "CallSid": "CA" + "a" * 32,
        "AccountSid": "AC" + "0" * 32,
        "RecordingSid": "RE" + "1" * 32,
        "From": "+84912345678",
        "To": ("+84" + "1" * 100)[:64],
        "Digits": ("1" + "2" * 1000)[:256],
        "CallStatus": "completed",
        "QueueTime": "30",
        "RecordingDuration": "12",
    }, "a SID or URL too long for its column is dropped, never cut; odd numbers are unknown"


def test_the_raw_from_is_bounded_in_bytes_so_its_token_fits_the_column() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ivr.webhook import clean_form
    from models.crypto import DataCipher, max_plaintext_bytes, token_chars

    cipher = DataCipher(["Oq8wW1kzmHm8s0tQm1l3H8oC2uKx1cE3Vq9w5mKq9Xk="])
    column = Call.__table__.c.from_raw.type.length
    assert max_plaintext_bytes(column) == 127
    for n in (0, 15, 16, 127, 128, 300):  # the arithmetic is Fernet's own
        assert len(cipher.encrypt("a" * n)) == token_chars(n)

    @settings(max_examples=300, deadline=None)
    @given(st.text(min_size=0, max_size=200))
    def fits(caller: str) -> None:
        kept = clean_form({"From": caller})["From"]
        assert caller.replace("\x00", "").startswith(kept)
        assert len(cipher.encrypt(kept)) <= column

    fits()


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


# -- the API and the pages: hostile parameters answer 4xx with a message, never 500 ------------------
HOSTILE = [
    "\x00",
    "2026-11-23\x00",
    str(10**30),
    "99999999999999999999",
    "2147483648",
    "-1",
    "nope",
    "x" * 3000,
    "ệ" * 1000,
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59+14:00",
    "0001-01-01T00:00-12:00",
]
# How views read query parameters: args.get("x"), args["x"], "x" in request.args, int_param("x", …),
# number("x", …) (the forecast's targets), ("x", Model.column) pairs read in a loop. Each view is walked
# with the names its module reads.
PARAM_RE = (
    r'args(?:\.get)?\(\s*"(\w+)"|args\[\s*"(\w+)"\]|"(\w+)" in request\.args|(?:_param|number)\(\s*"(\w+)"'
    r'|\(\s*"(\w+)",\s*[A-Z]\w+\.\w+\)'  # ("outcome", Ticket.outcome) pairs read in a loop
)


def params_read_by(view: Any) -> set[str]:
    """The query parameter names the module of `view` reads ("next" for the login page's redirect)."""
    import inspect
    import re

    module = inspect.getmodule(inspect.unwrap(view))
    source = inspect.getsource(module)
    if module.__name__ == "callcenter.forecast.api":
        from callcenter.forecast import service

        source += inspect.getsource(service)
    found = {name for match in re.findall(PARAM_RE, source) for name in match if name}
    return found | {"next"}


def admin_token(app: Any, clock: Any, role: str = "admin") -> dict[str, str]:
    from callcenter.accounts.users import UserService

    with app.app_context():
        users = UserService(db.session, clock)
        users.create(f"{role}-walker", "correct-horse-battery", role)
        token = users.issue_token(f"{role}-walker")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def logged_in(app: Any, clock: Any, role: str) -> Any:
    """A test client logged in (session) as a new user of `role` (agents get an agent profile)."""
    import re

    from .test_softphone import PASSWORD, make_agent_user

    name = f"{role}-pages"
    make_agent_user(app, clock, name, role=role)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


class Walk:
    """Sends requests and collects every answer that is a 500 (or an exception, which the test app
    propagates) or a 400 without the JSON error shape, so one run lists them all."""

    def __init__(self) -> None:
        self.failures: dict[str, str] = {}
        self.sent = 0

    def send(self, client: Any, what: str, *args: Any, **kwargs: Any) -> None:
        self.sent += 1
        try:
            response = client.open(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the test app propagates what would be a 500
            self.failures.setdefault(f"{type(exc).__name__}: {exc}"[:160], what)
            return
        if response.status_code >= 500:
            self.failures.setdefault(f"HTTP {response.status_code}", what)
        elif response.status_code == 400 and response.mimetype == "application/json":
            body = response.get_json()
            if not (isinstance(body, dict) and {"error", "message"} <= set(body) and len(body["message"]) > 10):
                self.failures.setdefault(f"400 without a message: {body!r}"[:160], what)

    def check(self) -> None:
        assert not self.failures, "\n".join(f"{k}  <-  {v}" for k, v in self.failures.items())


READ = {  # what some views are known to read: the module scan must find at least these
    "/api/tickets": {"from", "to", "limit", "offset", "agent", "caller", "outcome"},
    "/api/reports/<kind>": {"from", "to", "threshold", "by", "formula", "format"},
    "/api/forecast": {"week", "service_level", "threshold", "max_abandonment"},
    "/api/rota": {"from", "to"},
    "/api/audit": {"limit"},
}
GOOD_ARGUMENTS = {"kind": "service", "ticket_id": "1", "number": "+84912345678", "name": "x.mp3", "filename": "x.js"}


def get_routes(app: Any) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if "GET" in r.methods]


def with_arguments(rule: Any, value: str | None, good: dict[str, str] | None = None) -> str | None:
    """The rule's path with every <argument> set to `value`, or to its `good` value when `value` is None
    (None when an int converter could not match `value` at all)."""
    from urllib.parse import quote

    from callcenter.web.boundary import IdConverter

    path = rule.rule
    for name, converter in rule._converters.items():
        arg = (good or {}).get(name, "1") if value is None else value
        if isinstance(converter, IdConverter) and not arg.isascii():
            return None
        pattern = next(p for p in (f"<{name}>", f"<int:{name}>", f"<path:{name}>") if p in path)
        path = path.replace(pattern, quote(arg, safe="") if arg else "x")
    return path


@both_databases
def test_every_get_route_answers_hostile_query_values_without_a_500(app, twilio, clock) -> None:
    """Walks app.url_map: every GET route, as an admin (API by Bearer token, pages by session; the
    softphone as an agent), the path's arguments and each parameter its module reads set to each
    hostile value."""
    sid = new_sid()
    real_answer(twilio.post("/ivr/incoming", call_params(sid)))
    bearer = admin_token(app, clock)
    pages = {"admin": logged_in(app, clock, "admin"), "agent": logged_in(app, clock, "agent")}
    routes = get_routes(app)
    assert len(routes) >= 25, "the walk sees the whole app"
    walk = Walk()
    for rule in routes:
        role = "agent" if rule.rule.startswith("/agent/") else "admin"
        client, headers = pages[role], bearer if rule.rule.startswith("/api/") else {}
        params = sorted(params_read_by(app.view_functions[rule.endpoint]))
        assert READ.get(rule.rule, set()) <= set(params), (rule.rule, params)  # the scan finds what they read
        for value in HOSTILE:
            path = with_arguments(rule, value) if rule.arguments else rule.rule
            if path is None:
                continue
            if rule.arguments:  # the hostile value in the path, then good arguments with hostile parameters
                walk.send(client, f"{role} GET {path[:80]!r}", path, headers=headers)
                path = with_arguments(rule, None, good={**GOOD_ARGUMENTS, "call_sid": sid})
            for name in params:
                what = f"{role} GET {path[:60]}?{name}={value[:20]!r}"
                walk.send(client, what, path, query_string={name: value}, headers=headers)
    assert walk.sent > 1000
    walk.check()


@both_databases
def test_api_parameters_out_of_range_answer_400_with_a_message(app, twilio, clock) -> None:
    headers = admin_token(app, clock)
    sid = new_sid()
    real_answer(twilio.post("/ivr/incoming", call_params(sid)))
    client = app.test_client()
    cases = [
        ("/api/tickets", {"offset": str(10**30)}, "offset"),
        ("/api/tickets", {"limit": "-1"}, "limit"),
        ("/api/tickets", {"offset": "nope"}, "offset"),
        ("/api/tickets", {"to": "9999-12-31"}, "to"),
        ("/api/tickets", {"outcome": "resolved\x00"}, "NUL"),
        ("/api/tickets", {"agent": "\x00"}, "NUL"),
        ("/api/audit", {"limit": "\x00"}, "NUL"),
        ("/api/reports/abandonment", {"from": "9999-12-31"}, "from"),
        ("/api/reports/service", {"threshold": str(10**30)}, "threshold"),
        ("/api/rota", {"from": "9999-12-31T23:00+00:00"}, "from"),
        ("/api/forecast", {"week": "9999-12-31"}, "week"),
        (f"/api/calls/{sid}%00", {}, "NUL"),
        ("/api/tickets/99999999999999999999", {}, "id"),
    ]
    for path, query, word in cases:
        response = client.get(path, query_string=query, headers=headers)
        assert response.status_code == 400, (path, query, response.status_code, response.data[:200])
        body = response.get_json()
        assert body["error"] == "bad_input" and word in body["message"], (path, body)


ODD_BODIES: list[Any] = [
    "nope",
    "null",
    "[]",
    '"text"',
    str(10**30),
    '{"a": "\\u0000"}',
    '"\\ud800"',
    "{" * 5000,
]


def odd_objects(fields: set[str]) -> list[dict[str, Any]]:
    """Objects with every field the endpoint reads set to one odd value at a time."""
    values: list[Any] = [
        "\x00",
        "x" * 5000,
        "ệ" * 2000,
        10**30,
        -(10**30),
        -1,
        2**31,
        1.5e308,
        True,
        None,
        [],
        {},
        ["\x00"],
        [10**30],
        [{"agent": 10**30, "starts_at": "9999-12-31T23:59+14:00", "ends_at": "0001-01-01T00:00-12:00"}],
        "9999-12-31T23:59+14:00",
        "0001-01-01T00:00-12:00",
        "99999999999999999999",
        "\ud800",
    ]
    return [{name: value for name in fields} for value in values] + [
        {name: value} for name in fields for value in values
    ]


def body_fields_read_by(view: Any) -> set[str]:
    import inspect
    import re

    source = inspect.getsource(inspect.getmodule(inspect.unwrap(view)))
    if "forecast" in view.__module__:
        from callcenter.forecast import service

        source += inspect.getsource(service)
    if "softphone" in view.__module__:
        from callcenter.agents import wrapup

        source += inspect.getsource(wrapup)
    return set(re.findall(r'(?:body|item|form)\.get\(\s*"(\w+)"', source)) | {"agent", "week", "note"}


@both_databases
def test_post_endpoints_answer_odd_bodies_without_a_500(app, twilio, clock) -> None:
    import json

    sid = new_sid()
    real_answer(twilio.post("/ivr/incoming", call_params(sid)))
    bearer = admin_token(app, clock)
    agent = logged_in(app, clock, "agent")
    csrf = {
        "X-CSRF-Token": __import__("re")
        .search(r'name="csrf-token" content="([^"]+)"', agent.get("/agent/").get_data(as_text=True))
        .group(1)
    }
    posts = [
        r
        for r in app.url_map.iter_rules()
        if r.methods & {"POST", "DELETE"} and r.rule.startswith(("/api/", "/agent/api/", "/sandbox/api/"))
    ]
    assert len(posts) >= 12
    walk = Walk()
    for rule in posts:
        client, headers = (agent, csrf) if rule.rule.startswith("/agent/") else (app.test_client(), bearer)
        method = "DELETE" if "DELETE" in rule.methods else "POST"
        fields = body_fields_read_by(app.view_functions[rule.endpoint])
        for ident in ("1", "99999999999999999999", "2147483648"):
            path = (
                with_arguments(
                    rule,
                    None,
                    good={"ticket_id": ident, "announcement_id": ident, "shift_id": ident, "action": "answer"},
                )
                if rule.arguments
                else rule.rule
            )
            bodies = [*ODD_BODIES, *(json.dumps(o) for o in odd_objects(fields))] if ident == "1" else ["{}"]
            for body in bodies:
                what = f"{method} {path} {body[:60]!r}"
                walk.send(
                    client, what, path, method=method, data=body, content_type="application/json", headers=headers
                )
    walk.check()


# -- what the API writes: a multi-byte customs unit that outgrows its encrypted column --------------
wrapping = test_wrapup.wrapping  # the fixture: an agent in wrap-up after a branch-2 call


@both_databases
def test_a_customs_unit_too_long_once_encrypted_is_refused_with_a_message(app, wrapping) -> None:
    """120 characters was the only limit: 100 × "ệ" (300 bytes) made a token too long for the
    400-character column, and saving the wrap-up failed on PostgreSQL with a 500."""
    service, agent, sid = wrapping
    errors = service.save_draft(agent, {"customs_unit": "ệ" * 100, "question": "Tờ khai IDA bị lỗi"})
    db.session.commit()
    assert "shorten" in errors["customs_unit"]
    longest = "ệ" * (Ticket.__table__.c.customs_unit.type.plaintext_bytes // 3)
    assert service.save_draft(agent, {"customs_unit": longest}) == {}
    db.session.commit()
    db.session.expire_all()
    assert ticket_of(app, sid).customs_unit == longest


# -- a database restart: API reads are retried, changes answer 503 once ----------------------------
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_api_read_survives_the_database_dropping_its_connections(app, twilio, clock, database_url) -> None:
    """No pre-ping: the GET's first statement fails on the dead pooled connection, SQLAlchemy invalidates
    the pool, and the request runs once more on a fresh connection (the webhooks' retry, for reads)."""
    sid = new_sid()
    real_answer(twilio.post("/ivr/incoming", call_params(sid)))
    headers = admin_token(app, clock)
    client = app.test_client()
    assert client.get(f"/api/calls/{sid}", headers=headers).status_code == 200
    page = logged_in(app, clock, "supervisor")
    assert kill_backends(database_url) >= 1
    response = client.get(f"/api/calls/{sid}", headers=headers)
    assert response.status_code == 200 and response.get_json()["call_sid"] == sid, "the answer, not a 500"
    assert kill_backends(database_url) >= 1
    assert page.get("/supervisor/tickets").status_code == 200, "the pages' reads too"
    assert kill_backends(database_url) >= 1
    change = client.post("/api/announcements", json={"text_vi": "Hệ thống đang bảo trì."}, headers=headers)
    assert change.status_code == 503 and change.headers["Retry-After"] == "1", "a change is not repeated"
    assert change.get_json()["error"] == "database_unavailable" and "try again" in change.get_json()["message"]
    again = client.post("/api/announcements", json={"text_vi": "Hệ thống đang bảo trì."}, headers=headers)
    assert again.status_code == 201
    assert len(client.get("/api/announcements", headers=headers).get_json()) == 1, "saved once"


# -- the parsers the API shares ---------------------------------------------------------------------
def test_days_and_times_are_bounded_so_arithmetic_never_overflows() -> None:
    from callcenter.common.inputs import agent_reference, bounded_day, bounded_time

    assert bounded_day("2026-11-23").isoformat() == "2026-11-23"
    assert [bounded_day(v) for v in ("9999-12-31", "0001-01-01", "2026-02-30", "x" * 5000, None, "")] == [None] * 6
    assert bounded_time("2026-11-24T07:00+07:00").isoformat() == "2026-11-24T07:00:00+07:00"
    assert [bounded_time(v) for v in ("2026-11-24T07:00", "9999-12-31T23:59+14:00", "nope", None)] == [None] * 4
    assert [agent_reference(v) for v in (" agent3 ", 3, "3")] == ["agent3", "3", "3"]
    assert [agent_reference(v) for v in (True, None, [], "", "x" * 65, 10**30, "2147483648", 1.5)] == [None] * 8


@pytest.mark.parametrize("ident", ["99999999999999999999", "2147483648", "nope", "-1", "0", "1.5"])
def test_an_id_that_is_not_one_in_an_api_address_is_a_400_with_the_json_shape(client, make_user, ident) -> None:
    headers = make_user("supervisor")
    response = client.get(f"/api/tickets/{ident}", headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_input" and "2147483647" in response.get_json()["message"]
    assert client.get("/api/tickets/2147483647", headers=headers).status_code == 404, "in range: not found"
