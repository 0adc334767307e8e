"""Issue 14's papercuts in headless Chromium: the agents report downloads as CSV and agrees with the
service report; the ticket list pages (Next / Previous); the sandbox links to the ticket page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from callcenter.reports.metrics import LOCAL_TZ
from models import CallOutcome, db

from .test_agents_report_agrees import call
from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_wallboard import log_in_page
from .test_tickets_paging import ticket

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


def earlier_today(now: datetime, seconds: int) -> datetime:
    """`seconds` before now, but never before today's midnight in Vietnam (the pages open on today)."""
    midnight = now.astimezone(LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(seconds=seconds), midnight + timedelta(seconds=1))


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
                call(earlier_today(now, 3000), CallOutcome.ANSWERED, lan, talk=300, wrap=60),
                call(earlier_today(now, 2000), CallOutcome.ANSWERED, lan, talk=100, wrap=20),
                call(earlier_today(now, 1000), CallOutcome.ANSWERED, None, talk=50),
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


def test_the_ticket_list_pages_with_next_and_previous(browser, desk) -> None:  # noqa: F811
    from playwright.sync_api import expect

    app = desk.app
    with app.app_context():
        now = app.extensions["clock"].now()
        oldest = earlier_today(now, 300)
        for n in range(60):  # today, newest first, 5 s apart; every seventh in branch 1 (hidden)
            db.session.add(ticket(oldest + timedelta(seconds=5 * (59 - n)), 1 if n % 7 == 3 else 2, tax_code=None))
        db.session.commit()
    errors: list[str] = []
    context, page = new_page(browser, desk, errors)
    page.goto("/supervisor/tickets")
    log_in_page(page, "sup-p")
    rows = page.locator("#results tbody tr")
    expect(page.locator("#count")).to_have_text("Showing 1–50 of 60 tickets")
    expect(rows).to_have_count(50)
    expect(page.get_by_role("button", name="← Previous")).to_be_disabled()
    newest = rows.first.locator("td").first.inner_text()
    page.get_by_role("button", name="Next →").click()
    expect(page.locator("#count")).to_have_text("Showing 51–60 of 60 tickets")
    expect(rows).to_have_count(10)
    expect(page.get_by_role("button", name="Next →")).to_be_disabled()
    expect(rows.nth(2).locator("td").nth(2)).to_have_text("hidden (confidential)")  # n = 52: branch 1
    shot(page, "tickets-3-second-page")
    page.get_by_role("button", name="← Previous").click()
    expect(page.locator("#count")).to_have_text("Showing 1–50 of 60 tickets")
    expect(rows.first.locator("td").first).to_have_text(newest)
    page.get_by_label("Status").select_option("open")  # a new search starts again from the first page
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#count")).to_have_text("0 ticket(s)")
    expect(page.locator("#pager")).to_be_hidden()

    page.goto("/supervisor/tickets?lang=vi")  # the same in Vietnamese
    expect(page.locator("#count")).to_have_text("Hiển thị phiếu 1–50 trên tổng số 60 phiếu hỗ trợ")
    page.get_by_role("button", name="Trang sau →").click()
    expect(page.locator("#count")).to_have_text("Hiển thị phiếu 51–60 trên tổng số 60 phiếu hỗ trợ")
    expect(page.get_by_role("button", name="← Trang trước")).to_be_enabled()
    shot(page, "tickets-4-second-page-vi")
    context.close()
    assert not errors, errors
