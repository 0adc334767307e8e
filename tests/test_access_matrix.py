"""Who may open what: every GET route × anonymous and each role × the pages' session or an API bearer
token (issue 11). The table below is the statement; a route missing from it fails the test, so a new
route must say who may see it.

Kinds of route:
- public: anyone (the health check, the login page, the demo's sandbox phone, the public answer search);
- page: a logged-in page (session only; anonymous or a bearer token is sent to the login page);
- desk: the agent's softphone JSON (session only; JSON 401 without it);
- api: JSON for the pages' session or a program's bearer token (JSON 401 without either).
A role outside the allowed ones gets 403 (a page that says why, or JSON).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from models import db

from .conftest import call_params, new_sid

AGENT, SUPERVISOR, INVESTIGATOR, ADMIN = "agent", "supervisor", "investigator", "admin"
ROLES = (AGENT, SUPERVISOR, INVESTIGATOR, ADMIN)
WATCHERS = (SUPERVISOR, INVESTIGATOR, ADMIN)
PASSWORD = "correct-horse-battery"

# rule → (kind, roles that may see it)
MATRIX: dict[str, tuple[str, tuple[str, ...]]] = {
    "/": ("public", ()),
    "/healthz": ("public", ()),
    "/login": ("public", ()),
    "/sandbox/": ("public", ()),  # the demo's phone (never in production)
    "/sandbox/mail": ("public", ()),  # the demo's "write to the hotline" page
    "/sandbox/api/calls/<call_sid>": ("public", ()),
    "/sandbox/api/phones/<path:number>/calls": ("public", ()),
    "/sandbox/recordings/<name>": ("public", ()),
    "/home": ("page", ROLES),
    "/agent/": ("page", (AGENT,)),
    "/agent/vendor/twilio.min.js": ("page", (AGENT, *WATCHERS)),  # the softphone; monitoring on the wallboard
    "/agent/api/state": ("desk", (AGENT,)),
    "/agent/api/sandbox/calls": ("desk", (AGENT,)),
    "/agent/api/mail": ("desk", (AGENT,)),  # her e-mail (the blended offer)
    "/mail/attachments/<int:attachment_id>": ("page", ROLES),  # need-to-know per conversation (404 here)
    "/supervisor/api/sandbox/calls": ("desk", WATCHERS),  # a supervisor's monitoring legs (sandbox)
    "/supervisor/": ("page", WATCHERS),
    "/supervisor/reports": ("page", WATCHERS),
    "/supervisor/tickets": ("page", WATCHERS),
    "/supervisor/tickets/<int:ticket_id>": ("page", WATCHERS),
    "/supervisor/calls/<call_sid>": ("page", WATCHERS),  # redirects to the call's ticket page
    "/supervisor/rota": ("page", WATCHERS),
    "/supervisor/forecast": ("page", WATCHERS),
    "/supervisor/audit": ("page", (INVESTIGATOR, ADMIN)),
    "/supervisor/people": ("page", (SUPERVISOR, ADMIN)),
    "/supervisor/mail-rules": ("page", WATCHERS),  # investigators read (no add form, no toggles)
    "/supervisor/answers": ("page", (SUPERVISOR, ADMIN)),  # the answer base: review, publish, gaps (issue 16)
    "/answers": ("public", ()),  # the businesses' answer page (no login)
    "/api/calls/<call_sid>": ("api", ROLES),  # branch-1 callers and details hidden but for investigators
    "/api/announcements": ("api", (SUPERVISOR, ADMIN)),
    "/api/mail/rules": ("api", WATCHERS),  # the rules that propose a mail's problem group
    "/api/audit": ("api", (INVESTIGATOR, ADMIN)),
    "/api/wallboard": ("api", WATCHERS),
    "/api/reports/<kind>": ("api", WATCHERS),
    "/api/reports/answers": ("api", (SUPERVISOR, ADMIN)),  # the answer base (issue 16)
    "/api/forecast": ("api", WATCHERS),
    "/api/rota": ("api", (SUPERVISOR, ADMIN)),
    "/api/tickets": ("api", WATCHERS),
    "/api/tickets/<int:ticket_id>": ("api", WATCHERS),
    "/api/tickets/<int:ticket_id>/mail": ("api", WATCHERS),  # an e-mail ticket's thread (404 for a call)
    "/api/people/agents": ("api", (SUPERVISOR, ADMIN)),
    "/api/people/users": ("api", (ADMIN,)),
    "/api/people/sessions": ("api", (ADMIN,)),  # open logins, to end one
    "/api/answers": ("api", ROLES),  # the answer base's search (issue 16); other statuses: supervisors
    "/api/answers/<int:entry_id>": ("api", ROLES),  # a published entry (404 here: none)
    "/api/answers/gaps": ("api", (SUPERVISOR, ADMIN)),
    "/public/api/answers": ("public", ()),  # businesses search the published answers (rate-limited)
}
SKIPPED = {  # static files: each room serves its own scripts (issue 12)
    "/static/<path:filename>",
    "/static/app/<path:filename>",
    "/sandbox/static/<path:filename>",
    "/agent/static/<path:filename>",
    *(
        f"/supervisor/static/{room}/<path:filename>"
        for room in ("reports", "tickets", "rota", "forecast", "agents", "mail")
    ),
    "/supervisor/static/answers/<path:filename>",
    "/answers/static/<path:filename>",  # the public answer page's script
}


def _concrete(rule: str, sid: str, ticket_id: int) -> str:
    path = rule.replace("<call_sid>", sid).replace("<int:ticket_id>", str(ticket_id)).replace("<kind>", "abandonment")
    path = path.replace("<int:attachment_id>", "999").replace("<int:entry_id>", "999")
    return path.replace("<path:number>", "0912345678").replace("<name>", "RE" + "0" * 32 + ".wav")


def _expected(kind: str, allowed: tuple[str, ...], who: str, how: str) -> str:
    if kind == "public":
        return "open"
    if who == "anonymous" or (how == "bearer" and kind in ("page", "desk")):
        return "login" if kind == "page" else "401"
    return "open" if who in allowed else "403"


def _outcome(response: Any) -> str:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    if response.status_code in (401, 403):
        return str(response.status_code)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    return "open"


@pytest.fixture
def world(app: Flask, twilio: Any) -> dict[str, Any]:
    """A user of each role with a session and a bearer token, and a call with its ticket to look at."""
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed"))
    from models import Ticket

    headers: dict[tuple[str, str], dict[str, str]] = {("anonymous", "session"): {}, ("anonymous", "bearer"): {}}
    with app.app_context():
        ticket_id = db.session.query(Ticket.id).scalar()
        users = UserService(db.session, app.extensions["clock"])
        tokens = {}
        for role in ROLES:
            users.create(role, PASSWORD, role)
            tokens[role] = users.issue_token(role)
        AgentService(db.session, app.extensions["clock"]).create(AGENT, "Lan", ["branch_2", "vi"])  # the softphone
        db.session.commit()
    clients = {}
    for role in ROLES:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        done = client.post("/login", data={"username": role, "password": PASSWORD, "csrf_token": token})
        assert done.status_code in (302, 303)
        clients[(role, "session")] = client
        headers[(role, "bearer")] = {"Authorization": f"Bearer {tokens[role]}"}
    return {"sid": sid, "ticket_id": ticket_id, "clients": clients, "headers": headers}


def test_every_get_route_is_in_the_matrix(app: Flask) -> None:
    rules = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert rules - SKIPPED == set(MATRIX), "say who may see each route"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_who_may_see_what(app: Flask, world: dict[str, Any]) -> None:
    wrong = []
    for rule, (kind, allowed) in MATRIX.items():
        path = _concrete(rule, world["sid"], world["ticket_id"])
        for who in ("anonymous", *ROLES):
            for how in ("session", "bearer"):
                client = world["clients"].get((who, how)) or app.test_client()
                got = _outcome(client.get(path, headers=world["headers"].get((who, how), {})))
                want = _expected(kind, allowed, who, how)
                if got != want:
                    wrong.append(f"{path} as {who} ({how}): {got}, expected {want}")
    assert wrong == []
