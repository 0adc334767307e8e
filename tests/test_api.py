"""The JSON API: authentication, roles, branch-1 confidentiality, announcements, prompt overrides."""

from __future__ import annotations

import base64

import pytest

from .conftest import BACKENDS, call_params, new_sid, parse_twiml


def walk_to_branch(twilio, sid: str, branch_key: str) -> None:
    twilio.post("/ivr/incoming", call_params(sid, From="0987 654 321"))
    twilio.post("/ivr/language", call_params(sid, From="0987 654 321", Digits=branch_key))
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="0"))


def test_call_api_needs_credentials(client) -> None:
    response = client.get(f"/api/calls/{new_sid()}")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer"), "no Basic prompt a browser would remember"
    assert "Bearer API token" in response.get_json()["message"]


def test_wrong_password_is_refused(client, make_user) -> None:
    make_user("supervisor", username="sup", password="right-password-1")
    bad = base64.b64encode(b"sup:wrong-password-1").decode()
    assert client.get(f"/api/calls/{new_sid()}", headers={"Authorization": f"Basic {bad}"}).status_code == 401


def test_unknown_call_is_a_404_with_a_message(client, make_user) -> None:
    response = client.get(f"/api/calls/{new_sid()}", headers=make_user("supervisor"))
    assert response.status_code == 404 and "No call" in response.get_json()["message"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_branch_1_caller_is_visible_to_investigators_only(client, twilio, make_user) -> None:
    sid = new_sid()
    walk_to_branch(twilio, sid, "1")
    for role in ("agent", "supervisor", "admin"):
        body = client.get(f"/api/calls/{sid}", headers=make_user(role)).get_json()
        assert body["branch"] == 1 and body["caller"] is None and body["caller_raw"] is None
        assert body["caller_hidden"] is True
        assert "0987" not in str(body) and "987654321" not in str(body)
    body = client.get(f"/api/calls/{sid}", headers=make_user("investigator")).get_json()
    assert body["caller"] == "+84987654321" and body["caller_hidden"] is False


def test_branch_2_caller_is_visible_to_staff(client, twilio, make_user) -> None:
    sid = new_sid()
    walk_to_branch(twilio, sid, "2")
    body = client.get(f"/api/calls/{sid}", headers=make_user("agent")).get_json()
    assert body["caller"] == "+84987654321"


def test_bearer_token_works_and_a_new_token_replaces_the_old(app, client, make_user) -> None:
    from callcenter.accounts.users import UserService
    from models import db

    make_user("supervisor", username="ops")
    with app.app_context():
        service = UserService(db.session, app.extensions["clock"])
        old = service.issue_token("ops")
        new = service.issue_token("ops")
        db.session.commit()
    assert client.get("/api/announcements", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    assert client.get("/api/announcements", headers={"Authorization": f"Bearer {old}"}).status_code == 401


def test_agents_may_not_set_announcements(client, make_user) -> None:
    response = client.post("/api/announcements", json={"text_vi": "x"}, headers=make_user("agent"))
    assert response.status_code == 403


def test_supervisor_sets_and_expires_an_announcement_and_callers_hear_it(app, client, twilio, make_user) -> None:
    headers = make_user("supervisor")
    response = client.post(
        "/api/announcements",
        headers=headers,
        json={
            "text_vi": "VNACCS đang gián đoạn từ 09:10.",
            "text_en": "VNACCS is down since 09:10.",
            "expires_at": "2026-11-22T17:00:00+07:00",
        },
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["active"] is True and created["expires_at"] == "2026-11-22T10:00:00+00:00"
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    root = parse_twiml(twilio.post("/ivr/announcement", call_params(sid)).data)
    assert any("gián đoạn" in (s.text or "") for s in root.iter("Say"))
    client.post(f"/api/announcements/{created['id']}/expire", headers=headers)
    root = parse_twiml(twilio.post("/ivr/announcement", call_params(new_sid())).data)
    assert not any("gián đoạn" in (s.text or "") for s in root.iter("Say"))


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "Vietnamese text"),
        ({"text_vi": "x", "expires_at": "tomorrow"}, "ISO 8601"),
        ({"text_vi": "x", "expires_at": "2026-11-22T17:00:00"}, "time zone"),
        ({"text_vi": "x", "expires_at": "2020-01-01T00:00:00+07:00"}, "after the start"),
        ({"text_vi": "x" * 1001}, "1000 characters"),
    ],
)
def test_bad_announcements_get_a_400_a_person_understands(client, make_user, body, message) -> None:
    response = client.post("/api/announcements", json=body, headers=make_user("supervisor"))
    assert response.status_code == 400 and message in response.get_json()["message"]


def test_non_json_announcement_is_a_400(client, make_user) -> None:
    response = client.post("/api/announcements", data="text_vi=x", headers=make_user("supervisor"))
    assert response.status_code == 400


def test_prompt_override_changes_what_the_caller_hears(app, twilio) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["prompts", "set", "greeting", "vi", "--audio-url", "https://cdn.test/chao.mp3"])
    assert result.exit_code == 0, result.output
    root = parse_twiml(twilio.post("/ivr/incoming", call_params(new_sid())).data)
    assert root.find("Gather/Play").text == "https://cdn.test/chao.mp3"
    bad = runner.invoke(args=["prompts", "set", "queue_position", "vi", "--text", "Vị trí của quý khách."])
    assert bad.exit_code != 0 and "placeholders" in bad.output


def test_cli_creates_users_and_refuses_short_passwords(app) -> None:
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["users", "create", "lan", "--role", "supervisor", "--password", "long-enough-pw"])
    assert ok.exit_code == 0, ok.output
    dup = runner.invoke(args=["users", "create", "lan", "--role", "agent", "--password", "long-enough-pw"])
    assert dup.exit_code != 0 and "already exists" in dup.output
    short = runner.invoke(args=["users", "create", "minh", "--role", "agent", "--password", "short"])
    assert short.exit_code != 0 and "10 characters" in short.output
    token = runner.invoke(args=["users", "token", "lan"])
    assert token.exit_code == 0 and len(token.output.strip()) >= 40


def test_caller_of_unknown_branch_is_hidden_like_branch_1(client, twilio, make_user) -> None:
    """Hung up in the menu: it may have been a denunciation, so only investigators see the number."""
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid, From="0987 654 321"))
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed", SequenceNumber="0"))
    assert client.get(f"/api/calls/{sid}", headers=make_user("supervisor")).get_json()["caller"] is None
    assert client.get(f"/api/calls/{sid}", headers=make_user("investigator")).get_json()["caller"] == "+84987654321"


def test_inactive_user_is_refused(app, client, make_user) -> None:
    from models import User, db

    headers = make_user("supervisor", username="gone", password="right-password-1")
    with app.app_context():
        db.session.query(User).filter_by(username="gone").update({"active": False})
        db.session.commit()
    assert client.get("/api/announcements", headers=headers).status_code == 401


def test_ticket_details_of_branch_1_calls_are_need_to_know() -> None:
    """What the agent wrote about a denunciation (who was reported) follows the caller's rule."""
    from datetime import UTC, datetime

    from callcenter.tickets.calls_api import call_to_json
    from models import Call, Callback, Ticket

    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    call = Call(call_sid="CA" + "1" * 32, started_at=now, branch=1, stage="ended", caller_e164="+84912345678")
    ticket = Ticket(id=1, call_id=1, status="open", outcome="follow_up", question="Company X smuggles", created_at=now)
    callback = Callback(number_e164="+84912345678", status="pending", attempts=0, max_attempts=3, place_at=now)
    agent_view = call_to_json(call, [], ticket, "agent", callback)
    assert agent_view["caller"] is None and agent_view["ticket"]["question"] is None
    assert agent_view["ticket"]["details_hidden"] and agent_view["callback"]["number"] is None
    assert agent_view["ticket"]["outcome"] == "follow_up", "the outcome (a count in reports) stays visible"
    investigator = call_to_json(call, [], ticket, "investigator", callback)
    assert investigator["ticket"]["question"] == "Company X smuggles"
    assert investigator["callback"]["number"] == "+84912345678"


def test_api_basic_auth_is_throttled_after_repeated_wrong_passwords(app, client, make_user, clock) -> None:
    import base64

    good = make_user("supervisor", username="sup")
    bad = {"Authorization": "Basic " + base64.b64encode(b"sup:wrong-password").decode()}
    for _ in range(5):
        assert client.get("/api/announcements", headers=bad).status_code == 401
    blocked = client.get("/api/announcements", headers=good)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    clock.advance(15 * 60 + 1)
    assert client.get("/api/announcements", headers=good).status_code == 200
