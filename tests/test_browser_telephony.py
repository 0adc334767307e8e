"""While telephony is degraded (Twilio's REST API failing), the wallboard and the softphone say so in a
banner, and take it away once it answers again; Chromium looks at both."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from callcenter.telephony.breaker import HealthChange
from callcenter.telephony.health import HealthRecorder
from models import db

from .test_browser import browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_wallboard import log_in_page

pytestmark = pytest.mark.browser


def test_the_wallboard_and_softphone_show_a_banner_while_telephony_is_degraded(browser, database_url) -> None:  # noqa: F811
    from playwright.sync_api import expect

    with serve_app(database_url) as server:
        app, clock = server.app, server.app.extensions["clock"]
        with app.app_context():
            users = UserService(db.session, clock)
            users.create("sup", "correct-horse-battery", "supervisor")
            users.create("lan", "correct-horse-battery", "agent")
            agent = AgentService(db.session, clock).create("lan", "Nguyễn Thị Lan", ["branch_2", "accounts", "vi"])
            agent.overtime_until = clock.now() + timedelta(hours=4)
            db.session.commit()
        record = HealthRecorder(app.extensions["db"].engine, clock)
        record(HealthChange("degraded", clock.now(), "Twilio unreachable dequeuing CA…: ConnectTimeout"))

        context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        board, phone = context.new_page(), context.new_page()
        for page in (board, phone):
            page.on("pageerror", lambda exc: errors.append(str(exc)))
        board.goto("/supervisor/")
        log_in_page(board, "sup")
        banner = board.locator("#telephony-banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Telephony degraded since")
        expect(banner).to_contain_text("book callbacks")
        shot(board, "telephony-1-wallboard-degraded")

        agent_context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
        phone = agent_context.new_page()
        phone.on("pageerror", lambda exc: errors.append(str(exc)))
        phone.goto("/agent/")
        log_in_page(phone, "lan")
        expect(phone.locator("#telephony-banner")).to_contain_text("Calls may not ring for you")
        shot(phone, "telephony-2-softphone-degraded")

        record(HealthChange("ok", clock.now()))
        expect(banner).to_be_hidden()  # the wallboard polls every 2 s
        expect(phone.locator("#telephony-banner")).to_be_hidden()
        context.close()
        agent_context.close()
        assert errors == []
