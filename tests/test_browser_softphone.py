"""The agent's softphone in headless Chromium, against the local sandbox (no Twilio): the issue's
"done when". An on-duty agent logs in, a caller dials from a second tab, the softphone rings with a
screen pop, the agent answers, hangs up, fills the wrap-up and the ticket shows the outcome; a caller
who asks for a callback from the queue is called back by the agent. Screenshots in test-artifacts/."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from models import Call, Callback, Ticket, db

from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.browser
SKILLS = ["branch_1", "branch_2", "accounts", "incidents", "single_window", "other", "vi", "en"]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def desk(database_url: str) -> Iterator[LiveServer]:
    """The app as `make demo` runs it: dispatch runs the moment an agent or a caller is ready, and
    callbacks at any hour (the wall clock decides here)."""
    with serve_app(database_url, DISPATCH_ON_EVENTS=True, CALLBACK_FIRST_HOUR=0, CALLBACK_LAST_HOUR=24) as running:
        yield running


def make_agent(app: Flask) -> str:
    """An agent user allowed to work now (overtime), with every skill."""
    from datetime import timedelta

    name = f"agent{uuid.uuid4().hex[:4]}"
    with app.app_context():
        clock = app.extensions["clock"]
        UserService(db.session, clock).create(name, PASSWORD, "agent")
        agent = AgentService(db.session, clock).create(name, "Nguyễn Thị Lan", SKILLS)
        agent.overtime_until = clock.now() + timedelta(hours=4)
        db.session.commit()
    return name


EXPECTED_4XX = "the server responded with a status of 400"  # the wrap-up form's validation answer


def new_page(chromium: Any, desk: LiveServer, errors: list[str]) -> Any:
    context = chromium.new_context(base_url=desk.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console: {msg.text}")
            if msg.type == "error"
            and not msg.location.get("url", "").endswith("/favicon.ico")
            and not (EXPECTED_4XX in msg.text and msg.location.get("url", "").endswith("/agent/api/wrapup"))
            else None
        ),
    )
    return page


@pytest.fixture
def pages(browser: Any, desk: LiveServer) -> Iterator[tuple[Any, Any]]:  # noqa: F811 - browser is a fixture
    """Two tabs: the agent's softphone and a caller's phone. Page errors fail the test."""
    errors: list[str] = []
    agent, caller = new_page(browser, desk, errors), new_page(browser, desk, errors)
    yield agent, caller
    agent.context.close()
    caller.context.close()
    assert not errors, errors


def log_in_agent(page: Any, name: str) -> None:
    from playwright.sync_api import expect

    page.goto("/agent/")  # not logged in: the login page, then back here
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    shot(page, "softphone-0-login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#state-label")).to_have_text("Offline")
    page.get_by_role("button", name="Go available").click()
    expect(page.locator("#state-label")).to_have_text(re.compile("Available|Ringing"))  # a waiting call rings at once


def dial_and_queue(caller: Any) -> str:
    from playwright.sync_api import expect

    caller.goto("/sandbox/")
    caller.get_by_role("button", name="Call", exact=True).click()
    expect(caller.locator("#heard")).to_contain_text("Cục Hải quan xin chào")
    pad = caller.locator("#pad")
    pad.get_by_role("button", name="2", exact=True).click()
    expect(caller.locator("#heard")).to_contain_text("Về đăng ký tài khoản")
    pad.get_by_role("button", name="1", exact=True).click()
    expect(caller.locator("#sid")).to_have_text(re.compile(r"^CA[0-9a-f]{32}$"))
    return caller.locator("#sid").inner_text()


def test_agent_answers_a_sandbox_call_in_the_browser_and_wraps_it_up(pages: Any, desk: LiveServer) -> None:
    from playwright.sync_api import expect

    agent, caller = pages
    name = make_agent(desk.app)
    log_in_agent(agent, name)
    shot(agent, "softphone-1-available")

    call_sid = dial_and_queue(caller)
    # The softphone rings with a screen pop as soon as the caller joins the queue.
    expect(agent.locator("#state-label")).to_have_text("Ringing", timeout=30_000)
    expect(agent.locator("#pop-caller")).to_have_text("+84912345678")
    expect(agent.locator("#pop-branch")).to_contain_text("e-customs support")
    expect(agent.locator("#pop-group")).to_have_text("Accounts, passwords, digital signatures")
    expect(agent.get_by_role("button", name="Answer")).to_be_visible()
    shot(agent, "softphone-2-ringing")

    agent.get_by_role("button", name="Answer").click()
    expect(agent.locator("#state-label")).to_have_text("On a call")
    expect(agent.locator("#line-log")).to_contain_text("nhánh 2")  # the whisper the agent hears
    expect(caller.locator("#status")).to_contain_text("Talking", timeout=20_000)
    agent.get_by_role("button", name="Mute").click()
    expect(agent.get_by_role("button", name="Unmute")).to_be_visible()
    shot(agent, "softphone-3-on-call")
    shot(caller, "softphone-3-caller-side")

    agent.get_by_role("button", name="Hang up").click()
    expect(agent.locator("#state-label")).to_have_text("Wrap-up")
    expect(caller.locator("#status")).to_contain_text("Call ended", timeout=20_000)
    form = agent.locator("#wrapup")
    form.get_by_label("Tax code").fill("0100100078")  # a wrong check digit
    form.get_by_label("Resolved").check()
    form.get_by_role("button", name="Save and finish").click()
    expect(form.locator('[data-for="tax_code"]')).to_contain_text("check digit")
    shot(agent, "softphone-4-wrap-up-error")
    form.get_by_label("Tax code").fill("0100100079")
    form.get_by_label("Business code (VNACCS)").fill("ida")
    form.get_by_label("Question").fill("Quên mật khẩu tài khoản VNACCS")
    form.get_by_label("Answer given").fill("Hướng dẫn cấp lại mật khẩu")
    form.get_by_role("button", name="Save and finish").click()
    expect(agent.locator("#message")).to_contain_text("saved: resolved")
    expect(agent.locator("#state-label")).to_have_text("Available")
    shot(agent, "softphone-5-saved")

    with desk.app.app_context():
        ticket = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == call_sid)).one()
        assert (ticket.outcome, ticket.status, ticket.tax_code, ticket.business_code) == (
            "resolved",
            "closed",
            "0100100079",
            "IDA",
        )


def test_callback_requested_in_the_queue_ends_with_the_agent_calling_back(pages: Any, desk: LiveServer) -> None:
    from playwright.sync_api import expect

    agent, caller = pages
    call_sid = dial_and_queue(caller)
    expect(caller.locator("#heard")).to_contain_text("Để được gọi lại miễn phí", timeout=30_000)  # the offer
    caller.locator("#pad").get_by_role("button", name="1", exact=True).click()
    expect(caller.locator("#heard")).to_contain_text("0 9 1 2 3 4 5 6 7 8")  # the number read back
    caller.locator("#pad").get_by_role("button", name="1", exact=True).click()
    expect(caller.locator("#heard")).to_contain_text("Quý khách có thể gác máy")
    expect(caller.locator("#status")).to_contain_text("Call ended", timeout=30_000)
    shot(caller, "callback-1-booked")

    name = make_agent(desk.app)
    log_in_agent(agent, name)  # available: the callback (agent first) rings the softphone
    expect(agent.locator("#pop-kind")).to_have_text("Callback", timeout=30_000)
    expect(agent.locator("#pop-callback")).to_contain_text("attempt 1 of 3")
    shot(agent, "callback-2-softphone-rings")
    agent.get_by_role("button", name="Answer").click()

    # The caller's phone (same number, the sandbox page) rings: the hotline calling back.
    expect(caller.locator("#incoming")).to_be_visible(timeout=30_000)
    expect(caller.locator("#incoming-from")).to_contain_text("19009299")
    shot(caller, "callback-3-phone-rings")
    caller.locator("#incoming").get_by_role("button", name="Answer").click()
    expect(caller.locator("#leg-heard")).to_contain_text("gọi lại", timeout=20_000)
    expect(agent.locator("#state-label")).to_have_text("On a call")
    expect(agent.locator("#line-log")).to_contain_text("Connected", timeout=20_000)  # after the caller's greeting
    shot(agent, "callback-4-talking")

    agent.get_by_role("button", name="Hang up").click()
    expect(agent.locator("#state-label")).to_have_text("Wrap-up", timeout=20_000)
    agent.locator("#wrapup").get_by_label("Resolved").check()
    agent.locator("#wrapup").get_by_role("button", name="Save and finish").click()
    expect(agent.locator("#message")).to_contain_text("saved: resolved")
    with desk.app.app_context():
        callback = db.session.scalars(select(Callback)).one()
        assert (callback.status, callback.attempts) == ("completed", 1)
        ticket = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == call_sid)).one()
        assert ticket.outcome == "resolved"


def test_with_twilio_the_page_loads_the_voice_sdk_from_npm_and_starts_a_device(browser, database_url, double) -> None:  # noqa: F811
    """Twilio mode (no sandbox): the page loads @twilio/voice-sdk from node_modules and builds a
    Twilio.Device with a token from /agent/api/token. Reaching Twilio's servers is not possible here,
    so the test stops at the SDK accepting the token (no page error) and the page reporting the device."""
    from playwright.sync_api import expect

    overrides = {
        "SANDBOX_ENABLED": False,
        "TWILIO_API_BASE_URL": double.base_url,
        "TWILIO_API_KEY_SID": "SK" + "a" * 32,
        "TWILIO_API_KEY_SECRET": "a-secret-of-at-least-thirty-two-bytes!!",
    }
    with serve_app(database_url, **overrides) as desk:
        name = make_agent(desk.app)
        context = browser.new_context(base_url=desk.url, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        tokens: list[int] = []
        page.on("response", lambda r: tokens.append(r.status) if r.url.endswith("/agent/api/token") else None)
        log_in_agent(page, name)
        assert page.evaluate("typeof window.Twilio.Device") == "function", "the SDK from npm is loaded"
        # Offline here, the SDK gets as far as connecting: "connected" with internet, a ConnectionError
        # without; a rejected token would say AccessTokenInvalid (20101) instead.
        expect(page.locator("#device")).to_contain_text(
            re.compile(r"connected to Twilio|ConnectionError"), timeout=20_000
        )
        expect(page.locator("#device")).not_to_contain_text("AccessToken")
        assert tokens and tokens[0] == 200
        shot(page, "softphone-twilio-mode")
        context.close()
    assert not errors, errors
