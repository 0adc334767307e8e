"""Who may change what: every non-GET route (POST, PUT, PATCH, DELETE) × anonymous and each role × the
pages' session (with and without its CSRF token) or an API bearer token (issue 11). The WRITES table is
the statement; a write route (or a method) missing from it fails the test, so a new write route must say
who may call it. The GET routes are stated in tests/test_access_matrix.py, whose fixtures this reuses.

Kinds of write route:
- webhook: Twilio's webhooks (/ivr/...): only a request signed with X-Twilio-Signature is heard; an
  unsigned or badly signed one is refused 403 (plain text), whoever is logged in;
- form: the login form (anyone, with the form's CSRF token) and logout (a session with its CSRF token;
  anyone else is just sent to the login page, nothing ended);
- desk: the agent's softphone JSON (session + CSRF only; JSON 401 without a session or with a bearer
  token, 403 for another role, 400 without the CSRF token);
- api: JSON changes for the pages' session + CSRF or a program's bearer token (JSON 401 without either,
  and a session without the CSRF token is not authenticated for changes: 401);
- sandbox: the demo's phone (never in production): anyone.
- public: the answer base's public feedback (issue 16): anyone, no login nor CSRF token (same-origin checked).
A role outside the allowed ones gets 403. An allowed role is never refused (401/403) and never gets a
5xx; with an empty body and made-up targets it may get 400/404/409.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .test_access_matrix import ADMIN, AGENT, PASSWORD, ROLES, SUPERVISOR, WATCHERS, world  # noqa: F401 - world is a fixture

EDITORS = (SUPERVISOR, ADMIN)
PUBLIC: tuple[str, ...] = ()

# "METHOD rule" → (kind, roles that may call it)
WRITES: dict[str, tuple[str, tuple[str, ...]]] = {
    # Twilio's webhooks: the signature is the only credential
    **{
        f"POST /ivr/{hook}": ("webhook", PUBLIC)
        for hook in (
            "incoming",
            "language",
            "announcement",
            "announcement/skip",
            "menu",
            "menu/choice",
            "group",
            "queue/wait",
            "queue/exit",
            "queue/connect",
            "queue/option",
            "status",
            "agent/connect",
            "agent/answered",
            "agent/dial-result",
            "callback/confirm",
            "callback/number",
            "callback/agent",
            "callback/hello",
            "callback/result",
            "callback/agent-status",
            "voicemail/saved",
            "voicemail/recording",
            "conference/events",  # the conference bridge (issue 13)
            "conference/caller",
            "conference/caller-left",
            "conference/agent-leg",
            "conference/requeue",
            "conference/consult-leg",
            "conference/monitor-leg",
        )
    },
    "POST /login": ("form", PUBLIC),
    "POST /logout": ("form", ROLES),  # ends the caller's own session
    "POST /language": ("desk", ROLES),  # the header's language switch: a session + CSRF (before login: ?lang=)
    "POST /agent/api/state": ("desk", (AGENT,)),
    "POST /agent/api/token": ("desk", (AGENT,)),
    "POST /agent/api/wrapup": ("desk", (AGENT,)),
    "POST /agent/api/hold": ("desk", (AGENT,)),
    "POST /agent/api/transfer": ("desk", (AGENT,)),
    "POST /agent/api/consult": ("desk", (AGENT,)),
    "POST /api/monitor": ("api", WATCHERS),
    "POST /api/monitor/token": ("api", WATCHERS),
    "POST /supervisor/api/sandbox/calls/<call_sid>/<action>": ("desk", WATCHERS),
    "POST /agent/api/wrapup/extend": ("desk", (AGENT,)),
    "POST /agent/api/presence": ("desk", (AGENT,)),
    **{f"POST /agent/api/mail/{action}": ("desk", (AGENT,)) for action in ("draft", "reply", "state", "reclassify")},
    "POST /agent/api/sandbox/calls/<call_sid>/<action>": ("desk", (AGENT,)),
    "POST /api/announcements": ("api", EDITORS),
    "POST /api/mail/rules": ("api", EDITORS),
    "PATCH /api/mail/rules/<int:rule_id>": ("api", EDITORS),
    "DELETE /api/mail/rules/<int:rule_id>": ("api", EDITORS),
    "POST /api/mail/rules/test": ("api", WATCHERS),  # "try it": changes nothing
    "POST /api/announcements/<int:announcement_id>/expire": ("api", EDITORS),
    "POST /api/forecast/what-if": ("api", WATCHERS),
    "POST /api/tickets/search": ("api", WATCHERS),
    "POST /api/tickets/<int:ticket_id>/escalate": ("api", EDITORS),
    "POST /api/tickets/<int:ticket_id>/close": ("api", EDITORS),
    "POST /api/rota/shifts": ("api", EDITORS),
    "DELETE /api/rota/shifts/<int:shift_id>": ("api", EDITORS),
    "POST /api/rota/shifts/<int:shift_id>/swap": ("api", EDITORS),
    "POST /api/rota/shifts/<int:shift_id>/restore": ("api", EDITORS),  # the rota page's Undo
    "POST /api/rota/absences": ("api", EDITORS),
    "POST /api/rota/overtime": ("api", EDITORS),
    "POST /api/rota/holidays": ("api", EDITORS),
    "POST /api/people/agents/<username>/force": ("api", EDITORS),  # a stuck agent's state
    "POST /api/people/agents": ("api", (ADMIN,)),
    "PATCH /api/people/agents/<username>": ("api", (ADMIN,)),
    "POST /api/people/agents/<username>/<action>": ("api", (ADMIN,)),
    "POST /api/people/users": ("api", (ADMIN,)),
    "POST /api/people/users/<username>/password": ("api", (ADMIN,)),
    "POST /api/people/users/<username>/<action>": ("api", (ADMIN,)),
    "POST /api/people/sessions/<session_id>/end": ("api", (ADMIN,)),
    # the answer base (issue 16)
    "POST /api/answers": ("api", EDITORS),
    "PATCH /api/answers/<int:entry_id>": ("api", EDITORS),
    "POST /api/answers/<int:entry_id>/publish": ("api", EDITORS),
    "POST /api/answers/<int:entry_id>/retire": ("api", EDITORS),
    "POST /api/answers/propose": ("api", (AGENT,)),  # from her own wrap-up
    "POST /public/api/answers/<int:entry_id>/feedback": ("public", PUBLIC),  # no login; same-origin, rate-limited
    # the demo's phone (never in production)
    "POST /sandbox/api/calls": ("sandbox", PUBLIC),
    "POST /sandbox/api/calls/<call_sid>/keys": ("sandbox", PUBLIC),
    "POST /sandbox/api/calls/<call_sid>/hangup": ("sandbox", PUBLIC),
    "POST /sandbox/api/calls/<call_sid>/agent-hangup": ("sandbox", PUBLIC),
    "POST /sandbox/api/calls/<call_sid>/answer": ("sandbox", PUBLIC),
    "POST /sandbox/api/calls/<call_sid>/reject": ("sandbox", PUBLIC),
    "POST /sandbox/api/queues/<queue_name>/answer": ("sandbox", PUBLIC),
    "POST /sandbox/mail": ("sandbox", PUBLIC),  # the demo's "write to the hotline" page (calls intake)
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HOWS = ("bearer", "session-nocsrf", "session")  # "session" last: logging out ends the session

# Made-up targets, so that an allowed caller's empty request changes nothing the loop relies on
# (nobody is deactivated, no session ended, no ticket closed): it gets 400/404/409.
TARGETS = {
    "<call_sid>": "CA" + "f" * 32,
    "<action>": "deactivate",
    "<int:announcement_id>": "999999",
    "<int:ticket_id>": "999999",
    "<int:shift_id>": "999999",
    "<int:rule_id>": "999999",
    "<int:entry_id>": "999999",
    "<username>": "nobody",
    "<session_id>": "0" * 32,
    "<queue_name>": "nobody-waits-here",
}


def _concrete(rule: str) -> str:
    for part, value in TARGETS.items():
        rule = rule.replace(part, value)
    assert "<" not in rule, f"give {rule} a made-up target in TARGETS"
    return rule


def _expected(kind: str, allowed: tuple[str, ...], who: str, how: str) -> str:
    if kind in ("sandbox", "public"):
        return "open"
    if kind == "webhook":
        return "403"  # unsigned, whoever sends it
    if kind == "form":  # logout: only a session with its CSRF token ends something
        if who == "anonymous" or how == "bearer":
            return "login"
        return "400" if how == "session-nocsrf" else "logged out"
    if who == "anonymous" or (how == "bearer" and kind == "desk") or (how == "session-nocsrf" and kind == "api"):
        return "401"
    if who not in allowed:
        return "403"
    return "400" if how == "session-nocsrf" else "open"


def _outcome(response: Any) -> str:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    if response.status_code >= 500:
        return f"{response.status_code}: {response.get_data(as_text=True)[:200]}"
    if response.status_code in (401, 403):
        return str(response.status_code)
    if response.status_code == 400 and (response.get_json(silent=True) or {}).get("error") == "csrf":
        return "400"
    if response.status_code == 400 and "form expired" in response.get_data(as_text=True):
        return "400"  # the logout form without its token
    return "open"


def _page_csrf(client: FlaskClient, path: str = "/home") -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def _request(client: FlaskClient, method: str, path: str, kind: str, headers: dict[str, str], csrf: str | None) -> Any:
    """The request the pages (or a program) would send, with an empty body."""
    if kind in ("webhook", "form"):  # form-encoded, the CSRF token as a field (no X-Twilio-Signature)
        data = {"csrf_token": csrf} if csrf else {}
        return client.open(path, method=method, data=data, headers=headers)
    return client.open(path, method=method, json={}, headers={**headers, **({"X-CSRF-Token": csrf} if csrf else {})})


def test_every_write_route_is_in_the_table(app: Flask) -> None:
    routes = {
        f"{method} {rule.rule}" for rule in app.url_map.iter_rules() for method in sorted(rule.methods & WRITE_METHODS)
    }
    assert routes == set(WRITES), "say who may call each write route (and each of its methods)"
    assert {kind for kind, _ in WRITES.values()} == {"webhook", "form", "desk", "api", "sandbox", "public"}
    assert all(rule.startswith("POST /ivr/") for rule, (kind, _) in WRITES.items() if kind == "webhook")
    assert all(" /sandbox/" in rule for rule, (kind, _) in WRITES.items() if kind == "sandbox")
    assert all(" /public/" in rule for rule, (kind, _) in WRITES.items() if kind == "public")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_who_may_change_what(app: Flask, world: dict[str, Any]) -> None:  # noqa: F811
    anonymous = app.test_client()
    anonymous_csrf = _page_csrf(anonymous, "/login")  # a token, but no login: it must not be enough
    sessions = {"anonymous": anonymous, **{role: world["clients"][(role, "session")] for role in ROLES}}
    csrf = {"anonymous": anonymous_csrf, **{role: _page_csrf(sessions[role]) for role in ROLES}}
    wrong = []
    order = sorted(WRITES, key=lambda r: (r == "POST /logout", r))  # logout last: it ends the sessions
    for route in order:
        kind, allowed = WRITES[route]
        if route == "POST /login":
            continue  # test_the_login_form
        method, rule = route.split(" ", 1)
        path = _concrete(rule)
        for who in ("anonymous", *ROLES):
            for how in HOWS:
                if how == "bearer":
                    client, headers, token = app.test_client(), world["headers"][(who, "bearer")], None
                else:
                    client, headers, token = sessions[who], {}, csrf[who] if how == "session" else None
                got = _outcome(_request(client, method, path, kind, headers, token))
                want = _expected(kind, allowed, who, how)
                if want == "logged out" and got == "login":  # redirected to the login page: is it over?
                    got = "logged out" if _outcome(client.get("/home")) == "login" else "still logged in"
                if got != want:
                    wrong.append(f"{method} {path} as {who} ({how}): {got}, expected {want}")
    assert wrong == []
    for role in ROLES:  # the bearer tokens outlive the sessions' logout
        still = app.test_client().get("/api/calls/" + world["sid"], headers=world["headers"][(role, "bearer")])
        assert still.status_code == 200, role


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_webhooks_hear_only_twilio(app: Flask, world: dict[str, Any], twilio: Any) -> None:  # noqa: F811
    """Unsigned or badly signed: 403 whoever is logged in; signed by Twilio: heard (an empty form is a
    400 for the missing CallSid, never a refusal nor a 5xx)."""
    webhooks = [route.split(" ", 1)[1] for route, (kind, _) in WRITES.items() if kind == "webhook"]
    wrong = []
    for path in webhooks:
        for who in ROLES:
            session = world["clients"][(who, "session")]
            bad = session.post(path, data={}, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
            bearer = app.test_client().post(path, data={}, headers=world["headers"][(who, "bearer")])
            for how, response in (("bad signature", bad), ("bearer", bearer)):
                if response.status_code != 403 or "X-Twilio-Signature" not in response.get_data(as_text=True):
                    wrong.append(f"{path} as {who} ({how}): {response.status_code}")
        signed = twilio.post(path, {})
        if signed.status_code != 400:
            wrong.append(f"{path} signed by Twilio: {signed.status_code} {signed.get_data(as_text=True)[:120]}")
    assert wrong == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_login_form(app: Flask, world: dict[str, Any]) -> None:  # noqa: F811
    """Anyone may post the login form with its CSRF token; without the token, or with only a bearer
    token, it is refused and nobody is logged in."""
    for role in ROLES:
        bearer = app.test_client()
        refused = bearer.post("/login", data={}, headers=world["headers"][(role, "bearer")])
        assert refused.status_code == 400, role
        assert _outcome(bearer.get("/home")) == "login", "a bearer token logs nobody in"
        stale = app.test_client()
        assert stale.post("/login", data={"username": role, "password": PASSWORD}).status_code == 400
        assert _outcome(stale.get("/home")) == "login", "no session without the form's CSRF token"
        fresh = app.test_client()
        done = fresh.post(
            "/login", data={"username": role, "password": PASSWORD, "csrf_token": _page_csrf(fresh, "/login")}
        )
        assert done.status_code in (302, 303) and "/login" not in done.headers["Location"], role
        assert fresh.get("/home").status_code == 200
        session = world["clients"][(role, "session")]  # a wrong password leaves the open session alone
        failed = session.post("/login", data={"username": role, "password": "wrong", "csrf_token": _page_csrf(session)})
        assert failed.status_code == 401 and session.get("/home").status_code == 200
