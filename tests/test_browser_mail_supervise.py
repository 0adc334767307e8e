"""The supervisor's e-mail figures in headless Chromium, in Vietnamese (issue 15): the wallboard's e-mail
backlog and the agent with an e-mail on her desk, the "E-mail" report with the one handled rate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from callcenter.mail.contact import open_conversation
from callcenter.reports.metrics import LOCAL_TZ
from models import Agent, MailState, MailWork

from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_i18n import vietnamese_page
from .test_browser_softphone import PASSWORD, make_agent

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(database_url: str) -> Iterator[LiveServer]:
    with serve_app(database_url, DEFAULT_UI_LANGUAGE="vi") as running:
        yield running


def mail_today(app: Any, agent_name: str) -> None:
    """Now −5 h (branch 2, new), now −30 min (branch 1, new), now −20 min on the agent's desk, and one
    received now −2 h answered after 1 h."""
    from callcenter.accounts.users import UserService
    from models import db

    with app.app_context():
        s, now = db.session, app.extensions["clock"].now()
        UserService(s, app.extensions["clock"]).create("giamsat", PASSWORD, "supervisor")

        def new(ago: timedelta, branch: int = 2) -> MailWork:
            ticket = open_conversation(
                s, sender="dn@example.vn", to_address=None, branch=branch, problem_group=None, language="vi",
                at=now - ago,
            )  # fmt: skip
            s.flush()
            return s.get(MailWork, ticket.id)

        new(timedelta(hours=5))
        new(timedelta(minutes=30), branch=1)
        on_desk = new(timedelta(minutes=20))
        agent = s.scalars(select(Agent).where(Agent.username == agent_name)).one()
        on_desk.state, on_desk.agent_id, on_desk.assigned_at = MailState.ASSIGNED.value, agent.id, now
        answered = new(timedelta(hours=2))
        answered.state, answered.first_response_at = MailState.ANSWERED.value, now - timedelta(hours=1)
        s.commit()


def test_the_mail_backlog_and_the_email_report_in_vietnamese(browser: Any, desk: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    agent = make_agent(desk.app)
    mail_today(desk.app, agent)
    errors: list[str] = []
    page = vietnamese_page(browser, desk, errors)
    page.goto("/supervisor/")
    page.get_by_label("Tên đăng nhập").fill("giamsat")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Thư điện tử tồn đọng")).to_be_visible()
    expect(page.locator("#m-new")).to_have_text("2")
    expect(page.locator("#m-branch-1")).to_have_text("1")
    expect(page.locator("#m-branch-2")).to_have_text("1")
    expect(page.locator("#m-oldest")).to_contain_text("5:00:")
    expect(page.locator("#m-desks")).to_have_text("1")
    row = page.locator("#agents tr", has_text="Nguyễn Thị Lan")
    expect(row).to_contain_text("đang xử lý thư điện tử từ")
    shot(page, "mail-1-wallboard-backlog-vi")

    page.goto("/supervisor/reports")
    page.get_by_label("Báo cáo").select_option("email")
    # from yesterday (Vietnam time): the mail of the last 5 hours may straddle midnight
    yesterday = (desk.app.extensions["clock"].now().astimezone(LOCAL_TZ) - timedelta(days=1)).strftime("%d/%m/%Y")
    page.locator("#params input[name=from]").fill(yesterday)
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("#table thead")).to_contain_text("Đã nhận")
    # 4 received since yesterday, 1 answered (in 1 h = 1:00:00, within the 8 h target), no calls:
    # handled (0 + 0 + 1) / (0 + 4) = 25 %
    expect(page.locator("#table tbody tr").last).to_contain_text("tổng cộng")
    expect(page.locator("#handled-note")).to_contain_text("= 25 %")
    expect(page.locator("#handled-note")).to_contain_text("khoảng 70 %")
    expect(page.locator("#totals")).to_contain_text("1:00:00")
    expect(page.locator("#chart-title")).to_contain_text("Thư điện tử chưa được trả lời lúc")
    shot(page, "mail-2-email-report-vi")
    page.context.close()
    assert not errors, errors
