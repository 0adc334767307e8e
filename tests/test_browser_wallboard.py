"""The supervisor's wallboard in headless Chromium: it moves while a sandbox call arrives (within
3 s, no reload), the incident announcement is set and stopped, today's report downloads as CSV."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from callcenter.accounts.users import UserService
from models import db

from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.browser


def log_in_page(page: Any, name: str, password: str = "correct-horse-battery") -> None:
    """Fill the login form the page was sent to, and submit it."""
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def abandoned_branch_1_call(chromium: Any, url: str) -> tuple[Any, Any, list[str]]:
    """A sandbox caller presses 1 (a denunciation) and hangs up while waiting; returns the browser
    context, a second page for the supervisor, and the list collecting page errors."""
    from playwright.sync_api import expect

    errors: list[str] = []
    context = chromium.new_context(base_url=url, viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(20_000)
    caller, page = context.new_page(), context.new_page()
    for p in (caller, page):
        p.on("pageerror", lambda exc: errors.append(str(exc)))
    caller.goto("/sandbox/")
    caller.get_by_role("button", name="Call", exact=True).click()
    caller.locator('.pad button[data-key="1"]').click()
    expect(caller.locator("#status")).to_contain_text("Waiting for an agent")
    caller.get_by_role("button", name="Hang up").click()
    expect(caller.locator("#status")).to_contain_text("Call ended")
    return context, page, errors


@pytest.fixture
def board(database_url: str) -> Iterator[LiveServer]:
    with serve_app(database_url) as running:
        yield running


def test_wallboard_moves_when_a_call_arrives_and_sets_an_announcement(browser, board) -> None:  # noqa: F811
    from playwright.sync_api import expect

    name = f"sup{uuid.uuid4().hex[:4]}"
    with board.app.app_context():
        UserService(db.session, board.app.extensions["clock"]).create(name, "correct-horse-battery", "supervisor")
        db.session.commit()
    errors: list[str] = []
    context = browser.new_context(base_url=board.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    sup, caller = context.new_page(), context.new_page()
    for page in (sup, caller):
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    sup.goto("/supervisor/")
    log_in_page(sup, name)
    expect(sup.locator("#q-1 .n")).to_have_text("0")
    expect(sup.locator("#k-offered")).to_have_text("0")

    caller.goto("/sandbox/")
    caller.get_by_role("button", name="Call", exact=True).click()
    caller.locator('.pad button[data-key="1"]').click()  # branch 1, during the greeting
    expect(caller.locator("#status")).to_contain_text("Waiting for an agent")
    expect(sup.locator("#q-1 .n")).to_have_text("1", timeout=3_000)  # within 3 s, without a reload
    shot(sup, "wallboard-1-caller-waiting")

    form = sup.locator("#ann-form")
    form.get_by_label("Vietnamese (played first)").fill("Hệ thống VNACCS đang gián đoạn, chúng tôi đang khắc phục.")
    form.get_by_label("Ends at (Vietnam time)").fill("2030-01-01T18:00")
    form.get_by_role("button", name="Play before the menu").click()
    expect(sup.locator("#ann-now")).to_contain_text("VNACCS đang gián đoạn")
    shot(sup, "wallboard-2-announcement")

    caller.get_by_role("button", name="Hang up").click()
    expect(sup.locator("#k-abandoned")).to_have_text("1", timeout=3_000)  # figures count ended calls
    expect(sup.locator("#k-offered")).to_have_text("1")
    expect(sup.locator("#q-1 .n")).to_have_text("0", timeout=3_000)
    with sup.expect_download() as download:
        sup.get_by_role("link", name="Download today's abandonment report (CSV)").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.splitlines()[0].startswith("hour,offered,answered,abandoned")
    assert text.splitlines()[-1].startswith("total,1,0,1")
    sup.get_by_role("button", name="Stop it now").click()
    expect(sup.locator("#ann-now")).to_have_text("None playing.")
    shot(sup, "wallboard-3-after")
    context.close()
    assert not errors, errors


def test_reports_page_counts_the_abandoned_call_and_tickets_hide_branch_1_until_the_investigator(
    browser,  # noqa: F811
    board,
) -> None:
    from playwright.sync_api import expect

    with board.app.app_context():
        users = UserService(db.session, board.app.extensions["clock"])
        users.create("sup-r", "correct-horse-battery", "supervisor")
        users.create("inv-r", "correct-horse-battery", "investigator")
        db.session.commit()
    context, page, errors = abandoned_branch_1_call(browser, board.url)

    page.goto("/supervisor/reports")
    log_in_page(page, "sup-r")
    total = page.locator("#table tbody tr").last
    expect(total).to_contain_text("total")
    expect(total.locator("td").nth(3)).to_have_text("1")  # abandoned
    shot(page, "reports-1-today")
    page.get_by_label("By").select_option("weekday_hour")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#chart-title")).to_contain_text("weekday and hour")
    shot(page, "reports-2-heatmap")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert "total,1,0,1" in open(download.value.path(), encoding="utf-8").read()

    page.get_by_label("Report").select_option("agents")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#table thead")).to_contain_text("Occupancy %")

    page.get_by_role("link", name="Tickets").click()
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody tr td").nth(2)).to_have_text("hidden (confidential)")
    shot(page, "tickets-1-supervisor")
    page.get_by_role("button", name="Log out").click()
    page.goto("/supervisor/tickets")
    log_in_page(page, "inv-r")
    expect(page.locator("#results tbody tr td").nth(2)).to_have_text("+84912345678")
    shot(page, "tickets-2-investigator")
    urls: list[str] = []  # a search by caller is a POST with the CSRF token: the number is in no URL
    page.on("request", lambda r: urls.append(r.url) if "/api/tickets" in r.url else None)
    page.get_by_label("Caller").fill("0912 345 678")
    with page.expect_response(lambda r: r.url.endswith("/api/tickets/search")) as answered:
        page.get_by_role("button", name="Search").click()
    assert answered.value.status == 200 and answered.value.request.method == "POST"
    expect(page.locator("#count")).to_have_text("1 ticket(s)")
    assert urls and not [u for u in urls if "912" in u], urls
    context.close()
    assert not errors, errors
