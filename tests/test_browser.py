"""The browser phone at /sandbox/, driven in headless Chromium as a person would use it, against a
real server on the wall clock; what lands on record is checked through the JSON API.

Needs Debian's chromium at /usr/bin/chromium (never a downloaded browser). Without it these tests
skip, unless REQUIRE_BROWSER=1, when they fail. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from config import TestConfig
from models import Call, Ticket, db

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

GROUP_MENU_VI = "Về đăng ký tài khoản, mật khẩu và chữ ký số"  # start of the branch-2 problem-group menu
MAIN_MENU_EN = "To report smuggling"  # start of the English main menu


# -- the browser ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright; skip (or fail with REQUIRE_BROWSER=1) without it."""
    if not os.path.exists(CHROMIUM):
        message = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}")
        pytest.skip(f"{message}; browser tests skipped (set REQUIRE_BROWSER=1 to make this a failure)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # the prompts take real seconds to play
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh page with the live server as base URL; page errors fail the test."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))

    def on_console(msg: Any) -> None:
        # The page has no favicon; Chromium's automatic /favicon.ico request 404s. Anything else counts.
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"console {msg.type}: {msg.text} ({msg.location.get('url')})")

    pg.on("console", on_console)
    yield pg
    context.close()
    assert not errors, errors


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# -- the server -----------------------------------------------------------------------------
@dataclass
class LiveServer:
    url: str
    app: Flask


@contextmanager
def serve_app(database_url: str, **overrides: Any) -> Iterator[LiveServer]:
    """The hotline app on a migrated SQLite copy, on the real clock, served by werkzeug in a thread.

    The server binds port 0 first so that PUBLIC_BASE_URL (which the sandbox signs with and the
    webhooks check against) can name the real port; the app is plugged in once it is built.
    """
    holder: dict[str, Flask] = {}

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        return holder["app"](environ, start_response)

    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app = create_app(TestConfig, overrides={"DATABASE_URL": database_url, "PUBLIC_BASE_URL": url, **overrides})
    holder["app"] = app
    thread = threading.Thread(target=server.serve_forever, name="live-hotline", daemon=True)
    thread.start()
    try:
        assert requests.get(f"{url}/healthz", timeout=5).json()["status"] == "ok"
        yield LiveServer(url, app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        app.extensions["db"].engine.dispose()


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    """The app served on a free port (see serve_app)."""
    with serve_app(database_url) as running:
        yield running


def make_supervisor(app: Flask) -> tuple[str, str]:
    """Create a supervisor in the live app's database; returns (username, password) for HTTP Basic."""
    from callcenter.accounts.users import UserService

    name, password = f"supervisor-{uuid.uuid4().hex[:6]}", "correct-horse-battery"
    with app.app_context():
        UserService(db.session, app.extensions["clock"]).create(name, password, "supervisor")
        db.session.commit()
    return name, password


# -- the tests ------------------------------------------------------------------------------
def test_caller_presses_2_then_1_on_the_keypad_waits_in_queue_hangs_up_and_it_is_on_record_as_abandoned(
    page: Any, live_server: LiveServer
) -> None:
    from playwright.sync_api import expect

    page.goto("/sandbox/")
    status, heard = page.locator("#status"), page.locator("#heard")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hotline 19009299")
    expect(status).to_have_text("Ready to call")
    expect(page.get_by_role("button", name="Hang up")).to_be_disabled()
    expect(page.locator(".pad button").first).to_be_disabled()
    shot(page, "sandbox-1-loaded")

    page.get_by_role("button", name="Call", exact=True).click()
    expect(heard).to_contain_text("Cục Hải quan xin chào")  # the greeting plays
    sid = page.locator("#sid")
    expect(sid).to_have_text(re.compile(r"^CA[0-9a-f]{32}$"))
    call_sid = sid.inner_text()
    keypad = page.locator("#pad")

    keypad.get_by_role("button", name="2", exact=True).click()  # barge in during the greeting: branch 2
    expect(heard).to_contain_text(GROUP_MENU_VI)  # the problem-group menu is offered
    expect(status).to_contain_text("press a key")
    keypad.get_by_role("button", name="1", exact=True).click()  # accounts, passwords, digital signatures
    expect(heard).to_contain_text("bộ phận hỗ trợ thủ tục hải quan điện tử")  # the branch-2 desk intro

    expect(status).to_have_text(
        re.compile(r"^Waiting for an agent — e-customs support \(branch 2\): position 1, waited \d+ s$")
    )
    expect(heard).to_contain_text("vị trí số 1")  # position announced
    shot(page, "sandbox-2-in-queue")
    # Stay on hold a few seconds (the status counts them as the page polls), then hang up.
    expect(status).to_have_text(re.compile(r"position 1, waited ([3-9]|\d\d+) s$"))
    page.get_by_role("button", name="Hang up").click()

    expect(status).to_have_text(re.compile(r"^Call ended after \d+ s$"))
    expect(heard).to_contain_text("Caller hung up")
    expect(page.get_by_role("button", name="Hang up")).to_be_disabled()
    expect(page.get_by_role("button", name="Call", exact=True)).to_be_enabled()
    link = page.get_by_role("link", name="Open this call's ticket")
    expect(link).to_have_attribute("href", f"/supervisor/calls/{call_sid}")
    shot(page, "sandbox-3-hung-up")

    # The link opens the readable ticket page (after the supervisor's login), not raw JSON.
    auth = make_supervisor(live_server.app)
    with page.context.expect_page() as opened:
        link.click()
    ticket_page = opened.value
    ticket_page.get_by_label("Username").fill(auth[0])
    ticket_page.get_by_label("Password").fill(auth[1])
    ticket_page.get_by_role("button", name="Log in").click()
    expect(ticket_page).to_have_url(re.compile(r"/supervisor/tickets/\d+$"))
    expect(ticket_page.locator("main")).to_contain_text("hung up while waiting")
    shot(ticket_page, "sandbox-4-ticket-page")
    ticket_page.close()

    # On record, as a supervisor sees it through the JSON API.
    assert requests.get(f"{live_server.url}/api/calls/{call_sid}", timeout=5).status_code == 401
    reply = requests.get(f"{live_server.url}/api/calls/{call_sid}", auth=auth, timeout=5)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["outcome"] == "queue_abandoned", body
    assert body["branch"] == 2 and body["problem_group"] == "accounts", body
    assert body["queue"]["name"] == "hotline-branch-2"
    assert body["queue"]["wait_seconds"] >= 1, body["queue"]
    assert body["queue"]["first_position"] == 1
    assert body["ticket"] is not None and body["ticket"]["outcome"] == "abandoned_queue", body["ticket"]
    kinds = [e["kind"] for e in body["events"]]
    assert kinds.count("ABANDON") == 1 and kinds.index("ENTERQUEUE") < kinds.index("ABANDON"), kinds
    # The API shows one ticket per call; make sure the database really holds exactly one.
    with live_server.app.app_context():
        call_id = db.session.scalars(select(Call.id).where(Call.call_sid == call_sid)).one()
        tickets = db.session.scalars(select(Ticket).where(Ticket.call_id == call_id)).all()
        assert [t.outcome for t in tickets] == ["abandoned_queue"]


def test_keys_can_be_pressed_on_the_computer_keyboard(page: Any) -> None:
    from playwright.sync_api import expect

    page.goto("/sandbox/")
    page.get_by_role("button", name="Call", exact=True).click()
    heard = page.locator("#heard")
    expect(heard).to_contain_text("Cục Hải quan xin chào")
    page.keyboard.press("9")  # "For English, press 9", during the greeting
    expect(heard.locator("li.line-key")).to_have_text(re.compile(r"key\s*9"))
    expect(heard).to_contain_text(MAIN_MENU_EN)
    expect(heard.locator("li.line-say", has_text=MAIN_MENU_EN)).to_contain_text("en-US")
    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#status")).to_contain_text("Call ended")


def test_test_agent_answers_the_waiting_caller_and_hangs_up(page: Any) -> None:
    from playwright.sync_api import expect

    page.goto("/sandbox/")
    page.get_by_role("button", name="Call", exact=True).click()
    expect(page.locator("#heard")).to_contain_text("Cục Hải quan xin chào")
    page.locator('.pad button[data-key="1"]').click()
    expect(page.locator("#status")).to_contain_text("Waiting for an agent")
    page.get_by_role("button", name="Answer next caller, branch 1").click()
    expect(page.locator("#agent-note")).to_have_text("The agent took your call.")
    expect(page.locator("#status")).to_contain_text("Talking with an agent")
    shot(page, "sandbox-4-with-agent")
    page.get_by_role("button", name="Agent hangs up").click()
    expect(page.locator("#status")).to_contain_text("Call ended")
    expect(page.locator("#heard")).to_contain_text("Xin cảm ơn quý khách. Xin chào")
