"""Issue 14's papercuts in headless Chromium: the agents report downloads as CSV and agrees with the
service report; the ticket list pages (Next / Previous)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from models import CallOutcome, db

from .test_agents_report_agrees import call
from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_wallboard import log_in_page

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(database_url: str) -> Iterator[LiveServer]:
    with serve_app(database_url) as running:
        with running.app.app_context():
            UserService(db.session, running.app.extensions["clock"]).create(
                "sup-p", "correct-horse-battery", "supervisor"
            )
            db.session.commit()
        yield running


def new_page(chromium: Any, server: LiveServer, errors: list[str]) -> tuple[Any, Any]:
    context = chromium.new_context(base_url=server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page


def test_the_agents_report_downloads_as_csv_and_adds_up_to_the_service_report(browser, desk) -> None:  # noqa: F811
    from playwright.sync_api import expect

    app = desk.app
    with app.app_context():
        now = app.extensions["clock"].now()
        lan = AgentService(db.session, app.extensions["clock"]).create("lan", "Nguyễn Thị Lan", ["branch_2", "vi"])
        db.session.add_all(
            [
                call(now - timedelta(minutes=50), CallOutcome.ANSWERED, lan, talk=300, wrap=60),
                call(now - timedelta(minutes=40), CallOutcome.ANSWERED, lan, talk=100, wrap=20),
                call(now - timedelta(minutes=30), CallOutcome.ANSWERED, None, talk=50),
            ]
        )
        db.session.commit()
    errors: list[str] = []
    context, page = new_page(browser, desk, errors)
    page.goto("/supervisor/reports")
    log_in_page(page, "sup-p")
    page.get_by_label("Report").select_option("service")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#totals")).to_contain_text("3answered")

    page.get_by_label("Report").select_option("agents")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("#table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("td").nth(2)).to_have_text("2")  # Lan: answered
    expect(rows.nth(1).locator("td").first).to_have_text("(no agent recorded)")
    expect(rows.nth(2).locator("td").nth(2)).to_have_text("3")  # total answered = the service report's
    shot(page, "reports-3-agents")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("agents-")
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.splitlines()[1].startswith("lan,Nguyễn Thị Lan,2,2,0,400,80,240.0,"), text
    assert "\ntotal,,3,3,0,450,80,176.7," in text, text
    context.close()
    assert not errors, errors
