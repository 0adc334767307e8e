"""Input at the boundary (issue 10, part 4), at the API and the pages: hostile query values on every
GET route of `app.url_map`, parameters out of range, odd JSON bodies on every POST endpoint — a 4xx with
a message, never a 500; a customs unit that outgrows its encrypted column is refused with a message,
and API reads survive a database restart. Played on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from models import Ticket, db

from . import test_wrapup
from .boundary_support import both_databases, real_answer, ticket_of
from .conftest import call_params, kill_backends, new_sid

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
