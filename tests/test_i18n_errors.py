"""The JSON API's errors speak the user's language (issue 14): `message` follows the saved language of the
user (a page session or a Bearer token), else the client's Accept-Language, else DEFAULT_UI_LANGUAGE; the
`error` code is the same in every language."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from config import TestConfig
from models import db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def vi_app(database_url: str, clock: Any) -> Iterator[Flask]:
    """The app as deployed (Vietnamese by default), with the conference bridge (hold, transfers)."""
    application = create_app(
        TestConfig,
        clock=clock,
        overrides={"DATABASE_URL": database_url, "DEFAULT_UI_LANGUAGE": "vi", "DESK_BRIDGE": "conference"},
    )
    yield application
    application.extensions["db"].engine.dispose()


def _user(app: Flask, role: str, language: str | None) -> tuple[str, str]:
    """A new user of `role` (an agent gets a profile) with that saved language; returns name and API token."""
    username = f"{role}-{uuid.uuid4().hex[:6]}"
    with app.app_context():
        users = UserService(db.session, app.extensions["clock"])
        user = users.create(username, PASSWORD, role)
        user.language = language
        token = users.issue_token(username)
        if role == "agent":
            AgentService(db.session, app.extensions["clock"]).create(username, "Nguyễn Thị Lan", ["branch_2", "vi"])
        db.session.commit()
    return username, token


def _logged_in(app: Flask, role: str, language: str | None) -> tuple[FlaskClient, str]:
    """A page session of a new user; returns the client and the page's CSRF token."""
    username, _token = _user(app, role, language)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf})
    assert done.status_code in (302, 303)
    if role == "agent":
        html = client.get("/agent/").get_data(as_text=True)
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return client, csrf


def _error(response: Any, status: int) -> tuple[str, str]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    return body["error"], body["message"]


def _softphone_errors(app: Flask, language: str | None) -> dict[str, tuple[str, Any]]:
    client, csrf = _logged_in(app, "agent", language)
    headers = {"X-CSRF-Token": csrf}
    found: dict[str, tuple[str, Any]] = {}
    found["state"] = _error(client.post("/agent/api/state", json={"state": "dancing"}, headers=headers), 400)
    found["break"] = _error(client.post("/agent/api/state", json={"state": "break"}, headers=headers), 409)
    found["hold"] = _error(client.post("/agent/api/hold", json={"hold": True}, headers=headers), 409)
    found["more_time"] = _error(client.post("/agent/api/wrapup/extend", json={}, headers=headers), 409)
    wrap = client.post("/agent/api/wrapup", json={"final": True, "outcome": "answered"}, headers=headers)
    found["wrap_up"] = (*_error(wrap, 400), wrap.get_json()["fields"])
    return found


def test_an_agents_softphone_errors_speak_her_language_with_the_same_codes(vi_app: Flask) -> None:
    vi = _softphone_errors(vi_app, None)  # no saved choice: DEFAULT_UI_LANGUAGE (vi)
    en = _softphone_errors(vi_app, "en")
    assert {k: v[0] for k, v in vi.items()} == {k: v[0] for k, v in en.items()}
    assert vi["state"] == (
        "bad_state",
        "Hãy chọn available (sẵn sàng), break (tạm nghỉ) hoặc offline (ngoại tuyến).",
    )
    assert en["state"] == ("bad_state", "Choose available, break or offline.")
    assert vi["break"][0] == "not_now" and vi["break"][1].startswith("Hãy chọn lý do: ")
    assert en["break"][1].startswith("Choose a reason: ")
    assert vi["hold"] == ("not_now", "Bạn không đang trong cuộc gọi.")
    assert en["hold"] == ("not_now", "You are not on a call.")
    assert vi["more_time"] == ("not_now", "Bạn không đang xử lý sau cuộc gọi nào.")
    assert en["more_time"] == ("not_now", "You are not wrapping up a call.")
    assert vi["wrap_up"] == (
        "invalid",
        "Vui lòng sửa các trường được đánh dấu.",
        {"call": "Bạn không có cuộc gọi nào cần xử lý sau cuộc gọi."},
    )
    assert en["wrap_up"] == ("invalid", "Please correct the marked fields.", {"call": "You have no call to wrap up."})


def test_a_supervisors_ticket_and_api_errors_speak_her_language(vi_app: Flask) -> None:
    answers = {}
    for language in (None, "en"):
        client, _csrf = _logged_in(vi_app, "supervisor", language)
        answers[language] = (
            _error(client.get("/api/tickets/999999"), 404),
            _error(client.get("/api/tickets?caller=0912345678"), 400),
            _error(client.get("/api/tickets/abc"), 400),
            _error(client.get("/api/nothing-here"), 404),
            _error(client.get("/api/tickets?from=yesterday"), 400),
        )
    vi, en = answers[None], answers["en"]
    assert (
        [code for code, _ in vi]
        == [code for code, _ in en]
        == [
            "not_found",
            "bad_input",
            "bad_input",
            "not_found",
            "bad_input",
        ]
    )
    assert vi[0][1] == "Không có phiếu số 999999." and en[0][1] == "There is no ticket 999999."
    assert vi[1][1].startswith("Tìm theo người gọi bằng POST /api/tickets/search")
    assert en[1][1].startswith("Search by caller with POST /api/tickets/search")
    assert vi[2][1] == "'abc' trong địa chỉ này không phải là mã số: mã số là số nguyên từ 1 đến 2147483647."
    assert en[2][1] == "'abc' in this address is not an id: ids are whole numbers from 1 to 2147483647."
    assert vi[3][1] == "Không có gì tại /api/nothing-here." and en[3][1] == "Nothing at /api/nothing-here."
    assert vi[4][1].startswith("from là một ngày dạng 2026-11-23") and en[4][1].startswith("from is a date like")


def test_a_program_gets_its_users_language_else_the_clients(vi_app: Flask) -> None:
    _name, vi_token = _user(vi_app, "agent", None)
    _name, en_token = _user(vi_app, "agent", "en")
    client = vi_app.test_client()
    forbidden = "/api/tickets/1"  # agents may not read tickets over the API
    vi = _error(client.get(forbidden, headers={"Authorization": f"Bearer {vi_token}"}), 403)
    en = _error(client.get(forbidden, headers={"Authorization": f"Bearer {en_token}"}), 403)
    assert vi == ("forbidden", "Vai trò của bạn (điện thoại viên) không được dùng chức năng này.")
    assert en == ("forbidden", "Your role (agent) may not use this.")
    # a token's user without a saved language: the client's Accept-Language
    asked = client.get(forbidden, headers={"Authorization": f"Bearer {vi_token}", "Accept-Language": "en"})
    assert _error(asked, 403) == en
    # nobody authenticated: Accept-Language, else the default
    assert _error(client.get("/api/tickets/1"), 401)[1].startswith("Hãy đăng nhập trên trang")
    anonymous = client.get("/api/tickets/1", headers={"Accept-Language": "en"})
    assert _error(anonymous, 401) == (
        "unauthenticated",
        "Log in on the pages, or send a Bearer API token (programs may also use HTTP Basic).",
    )


def test_the_login_throttle_speaks_the_clients_language(vi_app: Flask) -> None:
    username, _token = _user(vi_app, "supervisor", "en")
    client = vi_app.test_client()
    for _attempt in range(5):
        assert client.get("/api/tickets", auth=(username, "wrong-password")).status_code == 401
    vi = client.get("/api/tickets", auth=(username, PASSWORD))
    en = client.get("/api/tickets", auth=(username, PASSWORD), headers={"Accept-Language": "en"})
    assert _error(vi, 429) == ("throttled", "Đăng nhập sai quá nhiều lần; vui lòng thử lại sau.")
    assert _error(en, 429) == ("throttled", "Too many failed logins; try again later.")
    assert int(vi.headers["Retry-After"]) > 0
