"""The conference bridge in headless Chromium against the sandbox (issue 13): an agent answers a
caller, puts them on hold (the caller's phone shows the hold music), takes them back and hangs up.
Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from models import Call, CallEvent, db

from . import test_browser_softphone
from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_softphone import PASSWORD, dial_and_queue, log_in_agent, make_agent, new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(database_url: str) -> Iterator[LiveServer]:
    """The demo's settings, on the conference bridge."""
    with serve_app(
        database_url, DISPATCH_ON_EVENTS=True, CALLBACK_FIRST_HOUR=0, CALLBACK_LAST_HOUR=24, DESK_BRIDGE="conference"
    ) as running:
        yield running


pages = test_browser_softphone.pages  # the fixture: the agent's and the caller's tabs, on this module's desk


def test_agent_holds_and_resumes_a_caller_on_the_conference_bridge(pages: Any, desk: LiveServer) -> None:
    from playwright.sync_api import expect

    agent, caller = pages
    log_in_agent(agent, make_agent(desk.app))
    call_sid = dial_and_queue(caller)
    expect(agent.locator("#state-label")).to_have_text("Ringing", timeout=30_000)
    agent.get_by_role("button", name="Answer").click()
    expect(agent.locator("#state-label")).to_have_text("On a call", timeout=20_000)
    hold = agent.locator("#hold")
    expect(hold).to_have_text("Hold")
    hold.click()
    expect(hold).to_have_text("Resume")
    expect(agent.locator("#pop-kind")).to_contain_text("caller on hold")
    expect(caller.locator("#heard")).to_contain_text("BusyStrings.mp3", timeout=20_000)  # the hold music
    shot(agent, "bridge-1-on-hold")
    shot(caller, "bridge-1-caller-on-hold")
    hold.click()
    expect(hold).to_have_text("Hold")
    agent.get_by_role("button", name="Hang up").click()
    expect(agent.locator("#state-label")).to_have_text("Wrap-up", timeout=20_000)
    expect(caller.locator("#status")).to_contain_text("Call ended", timeout=20_000)
    shot(agent, "bridge-2-wrap-up")
    with desk.app.app_context():
        call_id = db.session.scalar(select(Call.id).where(Call.call_sid == call_sid))
        kinds = db.session.scalars(select(CallEvent.kind).where(CallEvent.call_id == call_id)).all()
    assert kinds.count("HOLD") == 1 and kinds.count("RESUME") == 1


def test_agent_consults_central_support_and_hands_the_caller_over(pages: Any, desk: LiveServer) -> None:
    from playwright.sync_api import expect

    agent, caller = pages
    log_in_agent(agent, make_agent(desk.app))
    dial_and_queue(caller)
    expect(agent.locator("#state-label")).to_have_text("Ringing", timeout=30_000)
    agent.get_by_role("button", name="Answer").click()
    expect(agent.locator("#state-label")).to_have_text("On a call", timeout=20_000)
    agent.get_by_role("button", name="Consult", exact=True).click()  # the default: central support for the field
    expect(agent.locator("#consult-status")).to_contain_text("Calling Central support (Accounts")
    expect(agent.get_by_role("button", name="Hold")).to_be_hidden()
    switch = desk.app.extensions["sandbox"]
    (support,) = [c for c in list(switch.calls.values()) if c.to.startswith("+8424394400") and not c.ended]
    switch.answer(support.call_sid)  # central support picks up (in the demo: on the sandbox phone page)
    expect(agent.locator("#consult-status")).to_contain_text("Central support (Accounts", timeout=20_000)
    shot(agent, "bridge-3-consulting")
    agent.get_by_role("button", name="Hand over").click()
    expect(agent.locator("#state-label")).to_have_text("Wrap-up", timeout=20_000)
    shot(agent, "bridge-4-handed-over")


def test_supervisor_listens_and_whispers_from_the_wallboard(
    browser: Any,  # noqa: F811 - browser is a fixture
    pages: Any,
    desk: LiveServer,
) -> None:
    from playwright.sync_api import expect

    from callcenter.accounts.users import UserService

    agent, caller = pages
    name = make_agent(desk.app)
    log_in_agent(agent, name)
    dial_and_queue(caller)
    expect(agent.locator("#state-label")).to_have_text("Ringing", timeout=30_000)
    agent.get_by_role("button", name="Answer").click()
    expect(agent.locator("#state-label")).to_have_text("On a call", timeout=20_000)

    with desk.app.app_context():
        UserService(db.session, desk.app.extensions["clock"]).create("sup", PASSWORD, "supervisor")
        db.session.commit()
    errors: list[str] = []
    board = new_page(browser, desk, errors)
    board.goto("/supervisor/")
    board.get_by_label("Username").fill("sup")
    board.get_by_label("Password").fill(PASSWORD)
    board.get_by_role("button", name="Log in").click()
    row = board.locator("#agents tr", has_text="Nguyễn Thị Lan")
    row.get_by_role("button", name="Listen").click()
    expect(board.locator("#monitor-status")).to_contain_text("listening (nobody hears you)")
    switch = desk.app.extensions["sandbox"]

    def my_leg() -> Any:
        legs = [c for c in list(switch.calls.values()) if c.to == "client:monitor-sup" and not c.ended]
        return legs[0] if legs and legs[0].status == "in-progress" else None

    for _ in range(50):  # the wallboard answers its monitoring leg within a second or two
        if my_leg() is not None:
            break
        board.wait_for_timeout(200)
    leg = my_leg()
    assert leg is not None, "the supervisor's browser answered the monitoring leg"
    row.get_by_role("button", name="Whisper").click()
    expect(board.locator("#monitor-status")).to_contain_text("only the agent hears you")
    agent_leg = next(c for c in switch.calls.values() if c.to.startswith("client:agent") and not c.ended)
    assert leg.call_sid in switch.conferences.hears(agent_leg.call_sid)
    shot(board, "bridge-5-wallboard-whisper")
    row.get_by_role("button", name="Stop").click()
    expect(board.locator("#monitor-status")).to_have_text("Stopped.")
    board.context.close()
    assert not errors, errors


def test_back_to_queue_and_a_second_agent_takes_the_caller(
    browser: Any,  # noqa: F811 - browser is a fixture
    pages: Any,
    desk: LiveServer,
) -> None:
    from playwright.sync_api import expect

    agent, caller = pages
    log_in_agent(agent, make_agent(desk.app))
    call_sid = dial_and_queue(caller)
    expect(agent.locator("#state-label")).to_have_text("Ringing", timeout=30_000)
    agent.get_by_role("button", name="Answer").click()
    expect(agent.locator("#state-label")).to_have_text("On a call", timeout=20_000)
    agent.get_by_role("button", name="Back to queue").click()
    expect(agent.locator("#message")).to_contain_text("back in the queue, in their place")
    expect(agent.locator("#state-label")).to_have_text("Wrap-up", timeout=20_000)
    expect(caller.locator("#heard")).to_contain_text("chuyển lại hàng chờ", timeout=20_000)
    shot(agent, "bridge-6-back-to-queue")

    errors: list[str] = []
    second = new_page(browser, desk, errors)
    log_in_agent(second, make_agent(desk.app))
    expect(second.locator("#state-label")).to_have_text("Ringing", timeout=30_000)
    second.get_by_role("button", name="Answer").click()
    expect(second.locator("#state-label")).to_have_text("On a call", timeout=20_000)
    with desk.app.app_context():
        kinds = db.session.scalars(
            select(CallEvent.kind).join(Call, Call.id == CallEvent.call_id).where(Call.call_sid == call_sid)
        ).all()
    assert kinds.count("TRANSFER") == 1 and kinds.count("CONNECT") == 2
    shot(second, "bridge-7-second-agent")
    second.context.close()
    assert not errors, errors
