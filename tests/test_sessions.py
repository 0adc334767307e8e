"""Issue 11, sessions and logins: page sessions the server can end (logout, a password change, a
deactivation, an admin, idle and absolute timeouts), login throttling a stranger cannot turn against
someone else, and HTTP Basic kept for programs only (no Basic challenge, no Basic changes from a browser)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from callcenter.accounts.users import UserService
from models import UserSession, db

from .conftest import BACKENDS
from .test_softphone import PASSWORD, csrf_from, log_in, make_agent_user, page_csrf

OTHER = "another-password-77"
COOKIE = "hotline_session"


def basic(name: str, password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def cookie_of(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def replay(app: Flask, value: str) -> FlaskClient:
    """Another browser (a thief) holding a copy of the cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def agent_state(client: FlaskClient) -> int:
    return client.get("/agent/api/state").status_code


def sessions(app: Flask) -> list[UserSession]:
    with app.app_context():
        return list(db.session.scalars(select(UserSession).order_by(UserSession.created_at)))


# -- 1. sessions the server can end ----------------------------------------------------------------
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_copied_cookie_is_dead_after_logout(app, client, clock) -> None:
    make_agent_user(app, clock, "lan")
    log_in(client, "lan")
    stolen = cookie_of(client)
    payload = app.session_interface.get_signing_serializer(app).loads(stolen)
    assert set(payload) - {"_permanent"} == {"sid"}, "the cookie carries only the session token"
    assert agent_state(replay(app, stolen)) == 200
    assert client.post("/logout", data={"csrf_token": page_csrf(client)}).status_code == 302
    assert agent_state(replay(app, stolen)) == 401, "logout ends the session on the server"
    (row,) = sessions(app)
    assert row.ended_at is not None and row.end_reason == "logout"
    assert row.id != payload["sid"] and len(row.id) == 64, "only the token's hash is stored"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_password_change_ends_every_session_of_that_user(app, clock) -> None:
    make_agent_user(app, clock, "lan")
    make_agent_user(app, clock, "minh")
    make_agent_user(app, clock, "adm", role="admin")
    first, second, bystander = app.test_client(), app.test_client(), app.test_client()
    for client, name in ((first, "lan"), (second, "lan"), (bystander, "minh")):
        log_in(client, name)
        assert agent_state(client) == 200
    stolen = cookie_of(first)

    reset = app.test_client().post("/api/people/users/lan/password", json={"password": OTHER}, headers=basic("adm"))
    assert reset.status_code == 200
    assert agent_state(first) == 401 and agent_state(second) == 401 and agent_state(replay(app, stolen)) == 401
    assert agent_state(bystander) == 200, "only that user's sessions end"
    assert log_in(first, "lan", OTHER).status_code == 302 and agent_state(first) == 200

    result = app.test_cli_runner().invoke(args=["users", "set-password", "lan"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert agent_state(first) == 401, "the command line's set-password ends them too"

    log_in(first, "lan")
    with app.app_context():
        UserService(db.session, clock).set_password("lan", OTHER)
        db.session.commit()
    assert agent_state(first) == 401, "and so does UserService.set_password"
    reasons = {row.end_reason for row in sessions(app) if row.ended_at is not None}
    assert reasons == {"password_changed"}


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app, client, clock) -> None:
    make_agent_user(app, clock, "lan")
    make_agent_user(app, clock, "adm", role="admin")
    log_in(client, "lan")
    stolen = cookie_of(client)
    api = app.test_client()
    assert api.post("/api/people/users/lan/deactivate", headers=basic("adm")).status_code == 200
    assert agent_state(client) == 401
    assert api.post("/api/people/users/lan/activate", headers=basic("adm")).status_code == 200
    assert agent_state(client) == 401 and agent_state(replay(app, stolen)) == 401, "ended, not only suspended"
    assert log_in(client, "lan").status_code == 302 and agent_state(client) == 200


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_idle_and_absolute_timeouts_and_last_seen_written_at_most_once_a_minute(app, client, clock) -> None:
    make_agent_user(app, clock, "lan")
    log_in(client, "lan")
    (row,) = sessions(app)
    for _ in range(5):  # the softphone polls every few seconds: no write per poll
        clock.advance(10)
        assert agent_state(client) == 200
    assert sessions(app)[0].last_seen_at == row.last_seen_at
    clock.advance(15)
    assert agent_state(client) == 200
    assert sessions(app)[0].last_seen_at == clock.now(), "a minute on: last seen is written"

    clock.advance(119 * 60)
    assert agent_state(client) == 200, "119 minutes idle: still logged in"
    clock.advance(120 * 60)
    assert agent_state(client) == 401, "120 minutes idle: the session ended"
    assert sessions(app)[0].end_reason == "idle"

    log_in(client, "lan")
    for _ in range(12 * 2):  # a page polling all shift long: the absolute timeout still ends it at 13 h
        clock.advance(30 * 60)
        assert agent_state(client) == 200
    clock.advance(60 * 60)
    assert agent_state(client) == 401
    assert sessions(app)[-1].end_reason == "expired"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_admin_sees_and_ends_open_sessions(app, clock) -> None:
    make_agent_user(app, clock, "lan")
    make_agent_user(app, clock, "sup", role="supervisor")
    make_agent_user(app, clock, "adm", role="admin")
    agent, sup, admin = app.test_client(), app.test_client(), app.test_client()
    log_in(agent, "lan")
    log_in(sup, "sup")
    log_in(admin, "adm")
    csrf = page_csrf_of(admin)
    listed = admin.get("/api/people/sessions").get_json()["sessions"]
    assert {s["username"] for s in listed} == {"lan", "sup", "adm"}
    assert [s["username"] for s in listed if s["current"]] == ["adm"]
    assert sup.get("/api/people/sessions").status_code == 403
    sup_csrf = {"X-CSRF-Token": page_csrf_of(sup)}
    assert sup.post(f"/api/people/sessions/{listed[0]['id']}/end", headers=sup_csrf).status_code == 403

    lan = next(s for s in listed if s["username"] == "lan")
    assert admin.post(f"/api/people/sessions/{lan['id']}/end").status_code == 401, "a change needs the CSRF token"
    ended = admin.post(f"/api/people/sessions/{lan['id']}/end", headers={"X-CSRF-Token": csrf})
    assert ended.status_code == 200
    assert agent_state(agent) == 401 and sup.get("/supervisor/people").status_code == 200
    assert {s["username"] for s in admin.get("/api/people/sessions").get_json()["sessions"]} == {"sup", "adm"}
    for bad in ("0" * 64, "nonsense"):
        assert admin.post(f"/api/people/sessions/{bad}/end", headers={"X-CSRF-Token": csrf}).status_code == 404
    html = admin.get("/supervisor/people").get_data(as_text=True)
    assert 'id="sessions"' in html
    assert 'id="sessions"' not in sup.get("/supervisor/people").get_data(as_text=True)


def page_csrf_of(client: FlaskClient) -> str:
    import re

    html = client.get("/supervisor/people").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_logging_in_again_ends_the_previous_session(app, client, clock) -> None:
    make_agent_user(app, clock, "lan")
    make_agent_user(app, clock, "minh")
    log_in(client, "lan")
    first = cookie_of(client)
    again = client.post("/login", data={"username": "minh", "password": PASSWORD, "csrf_token": page_csrf(client)})
    assert again.status_code == 302
    assert agent_state(replay(app, first)) == 401 and agent_state(client) == 200


# -- 2. throttling a stranger cannot turn against someone else -----------------------------------------
def login_from(client: FlaskClient, address: str, name: str, password: str) -> Any:
    token = csrf_from(client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True))
    form = {"username": name, "password": password, "csrf_token": token}
    return client.post("/login", data=form, environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_stranger_guessing_cannot_lock_the_supervisor_out(app, clock) -> None:
    make_agent_user(app, clock, "sup", role="supervisor")
    stranger, desk = app.test_client(), app.test_client()
    for _ in range(5):
        assert login_from(stranger, "203.0.113.9", "sup", "guess").status_code == 401
    blocked = login_from(stranger, "203.0.113.9", "sup", "guess")
    assert blocked.status_code == 429 and 0 < int(blocked.headers["Retry-After"]) <= 30
    assert login_from(desk, "10.0.0.21", "sup", PASSWORD).status_code == 302, "the supervisor's own address"

    waits = []  # the stranger's waits double after each further failure, up to 15 minutes
    for _ in range(7):
        clock.advance(int(login_from(stranger, "203.0.113.9", "sup", "guess").headers["Retry-After"]))
        assert login_from(stranger, "203.0.113.9", "sup", "guess").status_code == 401
        waits.append(int(login_from(stranger, "203.0.113.9", "sup", "guess").headers["Retry-After"]))
    assert waits[:5] == [60, 120, 240, 480, 900] and waits[5:] == [900, 900]
    assert login_from(app.test_client(), "10.0.0.22", "sup", PASSWORD).status_code == 302

    api = app.test_client()  # the same over HTTP Basic
    for _ in range(5):
        wrong = api.get("/api/announcements", headers=basic("sup", "guess"), environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert wrong.status_code == 401
    right = basic("sup")
    assert api.get("/api/announcements", headers=right, environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 429
    assert api.get("/api/announcements", headers=right, environ_base={"REMOTE_ADDR": "10.0.0.21"}).status_code == 200


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_spraying_from_one_address_and_guessing_from_many_hit_their_ceilings(app, clock) -> None:
    make_agent_user(app, clock, "sup", role="supervisor")
    make_agent_user(app, clock, "lan")
    spray = app.test_client()
    for i in range(20):  # one address, a different username each time
        assert login_from(spray, "203.0.113.50", f"user{i}", "guess").status_code == 401
    assert login_from(spray, "203.0.113.50", "lan", PASSWORD).status_code == 429
    assert login_from(app.test_client(), "203.0.113.51", "lan", PASSWORD).status_code == 302

    botnet = app.test_client()
    for i in range(50):  # one wrong try each from fifty addresses
        assert login_from(botnet, f"198.51.100.{i}", "sup", "guess").status_code == 401
    assert login_from(app.test_client(), "10.0.0.21", "sup", PASSWORD).status_code == 429
    clock.advance(15 * 60 + 1)
    assert login_from(app.test_client(), "10.0.0.21", "sup", PASSWORD).status_code == 302


# -- 3. HTTP Basic is for programs ------------------------------------------------------------------
def test_no_basic_challenge_and_no_basic_changes_from_a_browser(app, client, clock, make_user) -> None:
    make_agent_user(app, clock, "sup", role="supervisor")
    anonymous = client.get("/api/announcements")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    body = {"text_vi": "Thông báo", "text_en": "Notice"}
    program = app.test_client().post("/api/announcements", json=body, headers=basic("sup"))
    assert program.status_code == 201, "a program (curl, a script) still changes things with Basic"
    for browser in (
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        refused = app.test_client().post("/api/announcements", json=body, headers={**basic("sup"), **browser})
        assert refused.status_code == 403 and refused.get_json()["error"] == "basic_from_browser", browser
    with_cookie = app.test_client()
    with_cookie.set_cookie(COOKIE, "anything")
    assert with_cookie.post("/api/announcements", json=body, headers=basic("sup")).status_code == 403
    read = app.test_client().get("/api/announcements", headers={**basic("sup"), "Origin": "https://evil.example"})
    assert read.status_code == 200, "reading with Basic is not a change (another site cannot read the answer)"
