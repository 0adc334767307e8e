"""Each role in headless Chromium: what it may see and do, and what it may not.

One branch-1 caller (a denunciation) hangs up while waiting. Then:
- the agent is refused the supervisors' pages with a page that says why;
- the supervisor sees the ticket with the caller hidden, escalates it with a note, and may not read
  the audit log;
- the investigator sees the caller's number and the timeline, but has no escalate/close buttons;
- the admin sees the caller hidden, closes the ticket, and reads the audit log, where the
  investigator's view of the caller is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from callcenter.accounts.users import UserService
from models import db

from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_wallboard import abandoned_branch_1_call, log_in_page

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    with serve_app(database_url) as running:
        with running.app.app_context():
            users = UserService(db.session, running.app.extensions["clock"])
            for name, role in (("ag", "agent"), ("sup", "supervisor"), ("inv", "investigator"), ("adm", "admin")):
                users.create(name, PASSWORD, role)
            db.session.commit()
        yield running


def test_each_role_sees_what_it_may_and_not_what_it_may_not(browser, server) -> None:  # noqa: F811
    from playwright.sync_api import expect

    context, page, errors = abandoned_branch_1_call(browser, server.url)

    def become(name: str, path: str) -> None:
        if page.get_by_role("button", name="Log out").count():
            page.get_by_role("button", name="Log out").click()
        page.goto(path)
        log_in_page(page, name)

    # The agent: the softphone, not the supervisors' pages.
    become("ag", "/supervisor/tickets")
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible()
    expect(page.locator(".error")).to_contain_text("Your role (agent) may not open this page")
    expect(page.locator("nav.nav")).to_have_count(0)  # no supervisor menu for an agent
    shot(page, "roles-1-agent-refused")

    # The supervisor: the ticket, caller hidden; escalates it; no audit log.
    become("sup", "/supervisor/tickets")
    page.locator("#results tbody tr").first.click()
    expect(page.locator("#facts")).to_contain_text("hidden (confidential: investigators only)")
    expect(page.locator("#timeline tbody")).to_contain_text("Hung up while waiting")
    page.get_by_label("Note for the record").fill("Sent to the anti-smuggling department")
    page.get_by_role("button", name="Escalate").click()
    expect(page.locator("#headline")).to_contain_text("escalated (open)")
    expect(page.locator("#notes")).to_have_text("hidden (confidential)")  # even their own note: need-to-know
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)
    shot(page, "roles-2-supervisor-ticket")
    page.goto("/supervisor/audit")
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible()

    # The investigator: the caller's number and the notes; may not change the ticket.
    become("inv", "/supervisor/tickets")
    page.locator("#results tbody tr").first.click()
    expect(page.locator("#facts")).to_contain_text("+84912345678")
    expect(page.locator("#notes")).to_contain_text("sup escalated: Sent to the anti-smuggling department")
    expect(page.get_by_role("button", name="Escalate")).to_have_count(0)
    shot(page, "roles-3-investigator-ticket")

    # The admin: caller hidden, closes the ticket, reads who looked at the caller.
    become("adm", "/supervisor/")
    expect(page.locator("#q-1")).to_be_visible()
    page.get_by_role("link", name="Tickets").click()
    expect(page.locator("#results tbody tr td").nth(2)).to_have_text("hidden (confidential)")
    page.locator("#results tbody tr").first.click()
    expect(page.locator("#facts")).not_to_contain_text("+84912345678")
    page.get_by_role("button", name="Close ticket").click()
    expect(page.locator("#headline")).to_contain_text("(closed)")
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("#entries tbody tr").first).to_contain_text("inv")
    expect(page.locator("#entries tbody")).not_to_contain_text("adm")
    shot(page, "roles-4-admin-audit-log")
    context.close()
    assert not errors, errors
