"""The Content-Security-Policy breaks no page: every page, for the role that may open it, loads and
runs its script in Chromium with not one violation reported (issue 11, "Pages")."""

from __future__ import annotations

import pytest

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from models import db

from .test_browser import browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_wallboard import abandoned_branch_1_call, log_in_page

pytestmark = pytest.mark.browser
PAGES = {
    "adm": [
        ("/supervisor/", "#agents"),
        ("/supervisor/reports", "main"),
        ("/supervisor/tickets", "#results tbody tr"),
        ("/supervisor/audit", "main"),
        ("/supervisor/rota", "main"),
        ("/supervisor/forecast", "main"),
        ("/supervisor/people", "main"),
    ],
    "lan": [("/agent/", "#state-label")],
}


def test_the_content_security_policy_breaks_no_page(browser, database_url) -> None:  # noqa: F811
    from playwright.sync_api import expect

    with serve_app(database_url) as server:
        clock = server.app.extensions["clock"]
        with server.app.app_context():
            users = UserService(db.session, clock)
            users.create("adm", "correct-horse-battery", "admin")
            users.create("lan", "correct-horse-battery", "agent")
            AgentService(db.session, clock).create("lan", "Nguyễn Thị Lan", ["branch_2", "accounts", "vi"])
            db.session.commit()
        context, page, errors = abandoned_branch_1_call(browser, server.url)  # a ticket to open
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.evaluate("0")  # the page exists before the listener below is added
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
        )
        for user, pages in PAGES.items():
            page.goto("/login")
            log_in_page(page, user)
            for path, ready in pages:
                page.goto(path)
                expect(page.locator(ready).first).to_be_visible()
                page.wait_for_timeout(300)  # the first poll and its rendering
            if user == "adm":
                page.goto("/supervisor/tickets")
                page.locator("#results tbody tr").first.click()
                expect(page.locator("#facts")).to_be_visible()
                shot(page, "csp-ticket-page")
            page.get_by_role("button", name="Log out").click()
        page.goto("/sandbox/")
        expect(page.get_by_role("button", name="Call", exact=True)).to_be_visible()
        context.close()
        assert violations == [] and errors == [], (violations, errors)
