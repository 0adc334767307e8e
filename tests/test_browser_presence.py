"""Presence in headless Chromium against the local sandbox: closing the agent's tab takes her out of
rotation within seconds (the page's beacon), and the wrap-up counts down, warns before it runs out and
gives "More time" once. Screenshots in test-artifacts/ (and the countdown in /tmp)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from callcenter.routing.trigger import dispatch_round
from models import Agent, Call, db

from .test_browser import LiveServer, browser, make_supervisor, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_softphone import dial_and_queue, log_in_agent, make_agent, new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(database_url: str) -> Iterator[LiveServer]:
    """The demo's settings; the wrap-up warning shows from its first second (so the test need not wait)."""
    with serve_app(database_url, DISPATCH_ON_EVENTS=True, WRAP_UP_WARNING_SECONDS=120) as running:
        yield running


def softphone_on_board(desk: LiveServer, auth: tuple[str, str], name: str) -> tuple[str, str | None]:
    """(state, softphone) of the agent on the supervisors' wallboard."""
    board = requests.get(f"{desk.url}/api/wallboard", auth=auth, timeout=5).json()["agents"]
    row = next(a for a in board if a["username"] == name)
    return row["state"], row["softphone"]


def test_closing_the_agents_tab_takes_her_out_of_rotation_within_seconds(browser: Any, desk: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    errors: list[str] = []
    agent, caller = new_page(browser, desk, errors), new_page(browser, desk, errors)
    auth = make_supervisor(desk.app)
    name = make_agent(desk.app)
    log_in_agent(agent, name)
    expect(agent.locator("#state-label")).to_have_text("Available")
    deadline = time.monotonic() + 10
    while softphone_on_board(desk, auth, name) != ("available", "connected") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert softphone_on_board(desk, auth, name) == ("available", "connected")

    agent.close()  # the tab closes: its beacon says so
    closed = time.monotonic()
    while softphone_on_board(desk, auth, name)[1] == "connected" and time.monotonic() - closed < 5:
        time.sleep(0.1)
    assert softphone_on_board(desk, auth, name) == ("available", "not_ready"), "out of rotation within seconds"
    took = time.monotonic() - closed

    call_sid = dial_and_queue(caller)  # a caller waits: nobody is rung
    time.sleep(1)
    with desk.app.app_context():
        assert dispatch_round() == 0
        call = db.session.scalars(select(Call).where(Call.call_sid == call_sid)).one()
        assert (call.stage, call.offered_agent_id, call.offers) == ("queued", None, 0)
        assert db.session.scalars(select(Agent.state).where(Agent.username == name)).one() == "available"
    caller.context.close()
    agent.context.close()
    assert not errors, errors
    assert took < 5, took


def test_the_wrap_up_counts_down_warns_and_gives_more_time_once(browser: Any, desk: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    errors: list[str] = []
    agent, caller = new_page(browser, desk, errors), new_page(browser, desk, errors)
    log_in_agent(agent, make_agent(desk.app))
    dial_and_queue(caller)
    expect(agent.locator("#state-label")).to_have_text("Ringing", timeout=30_000)
    agent.get_by_role("button", name="Answer").click()
    expect(agent.locator("#state-label")).to_have_text("On a call")
    agent.get_by_role("button", name="Hang up").click()
    expect(agent.locator("#state-label")).to_have_text("Wrap-up")

    warning = agent.locator("#wrap-warning")
    expect(warning).to_contain_text("You will be made available in")
    expect(warning).to_contain_text("or ask for more time")
    expect(agent.locator("#wrap-timer")).to_contain_text("time left 1:")
    agent.locator("#wrapup").get_by_label("Question").fill("Quên mật khẩu tài khoản VNACCS")
    shot(agent, "presence-1-wrap-up-countdown")
    agent.screenshot(path="/tmp/softphone-wrap-up-countdown.png", full_page=True)

    more = agent.get_by_role("button", name="More time (+60 s)")
    more.click()
    expect(agent.locator("#wrap-note")).to_have_text("You have more time.")
    expect(more).to_be_hidden()
    expect(agent.locator("#wrap-timer")).to_contain_text("time left 2:")
    expect(warning).not_to_contain_text("or ask for more time")
    expect(agent.locator("#wrapup").get_by_label("Question")).to_have_value("Quên mật khẩu tài khoản VNACCS")
    shot(agent, "presence-2-more-time")
    agent.screenshot(path="/tmp/softphone-wrap-up-more-time.png", full_page=True)
    caller.context.close()
    agent.context.close()
    assert not errors, errors
