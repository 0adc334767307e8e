"""Blended work in headless Chromium (issue 15), the Vietnamese softphone: an available agent is offered an
e-mail and writes her answer (autosaved), a sandbox call rings in between (the call popup first, Answer on
the first screen of a 390 px phone), she takes it and wraps it up, and her draft is still there; she sends
it. Screenshots test-artifacts/maildesk-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from models import MailMessage, MailWork, db

from .mail_desk_support import new_mail
from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_i18n import vietnamese_page
from .test_browser_softphone import PASSWORD, dial_and_queue, make_agent, new_page

pytestmark = pytest.mark.browser
DRAFT = "Kính gửi Quý công ty,\nĐề nghị Quý công ty đăng nhập lại bằng chữ ký số mới."


@pytest.fixture
def desk(database_url: str) -> Iterator[LiveServer]:
    with serve_app(database_url, DISPATCH_ON_EVENTS=True, DEFAULT_UI_LANGUAGE="vi") as running:
        yield running


def test_an_email_answered_between_calls_keeps_its_draft(browser: Any, desk: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    app = desk.app
    ticket = new_mail(app, app.extensions["clock"], html="<p>Chúng tôi không đăng nhập được <b>VNACCS</b>.</p>")
    name = make_agent(app)
    errors: list[str] = []
    agent = vietnamese_page(browser, desk, errors)
    agent.goto("/agent/")
    agent.get_by_label("Tên đăng nhập").fill(name)
    agent.get_by_label("Mật khẩu").fill(PASSWORD)
    agent.get_by_role("button", name="Đăng nhập").click()
    # The softphone's script has loaded and read her state before she presses (a loaded machine is slow).
    expect(agent.locator("#state-label")).to_have_text("Ngoại tuyến")
    agent.get_by_role("button", name="Sẵn sàng nhận cuộc gọi").click()
    expect(agent.locator("#state-label")).to_have_text("Sẵn sàng")

    panel = agent.locator("#mail-panel")
    expect(panel).to_be_visible(timeout=10_000)
    expect(agent.locator("#mail-subject")).to_have_text("Không đăng nhập được VNACCS")
    expect(agent.locator("#mail-sender")).to_have_text("ketoan@congty.vn")
    expect(panel.locator(".mail-body")).to_have_text("Chúng tôi không đăng nhập được VNACCS.")  # HTML as text
    expect(panel.locator(".mail-head").first).to_contain_text(re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d"))
    agent.locator("#mail-answer").fill(DRAFT)
    expect(agent.locator("#mail-saved")).to_contain_text("Đã lưu bản nháp lúc", timeout=10_000)
    shot(agent, "maildesk-1-email-offered-vi")

    caller = new_page(browser, desk, errors)
    dial_and_queue(caller)
    expect(agent.locator("#state-label")).to_have_text("Đang đổ chuông", timeout=30_000)
    expect(agent.locator("#answer")).to_be_visible()
    expect(panel).to_be_visible()  # the e-mail stays, below the call
    shot(agent, "maildesk-2-call-rings-vi")
    agent.set_viewport_size({"width": 390, "height": 844})
    agent.evaluate("window.scrollTo(0, 0)")
    box = agent.locator("#answer").bounding_box()
    assert box is not None and 0 <= box["y"] <= 844 - box["height"], "Answer on the first screen of a phone"
    mail_box = panel.bounding_box()
    assert mail_box is not None and mail_box["y"] > box["y"], "the call first"
    agent.screenshot(path="test-artifacts/maildesk-3-call-rings-390-vi.png")
    agent.set_viewport_size({"width": 1280, "height": 900})

    agent.locator("#answer").click()
    expect(agent.locator("#state-label")).to_have_text("Đang trong cuộc gọi")
    agent.locator("#hangup").click()
    expect(agent.locator("#state-label")).to_have_text("Xử lý sau cuộc gọi", timeout=20_000)
    agent.locator("#wrapup").get_by_label("Đã giải quyết").check()
    agent.locator("#wrapup").get_by_role("button", name="Lưu và hoàn tất").click()
    expect(agent.locator("#state-label")).to_have_text("Sẵn sàng")
    expect(agent.locator("#mail-answer")).to_have_value(DRAFT)
    agent.reload()  # the draft is on the server, not only in the page
    expect(agent.locator("#mail-answer")).to_have_value(DRAFT, timeout=10_000)
    shot(agent, "maildesk-4-after-the-call-vi")

    agent.get_by_role("button", name="Gửi trả lời").click()
    expect(agent.locator("#message")).to_have_text("Đã gửi trả lời.")
    expect(panel).to_be_hidden()
    shot(agent, "maildesk-5-answered-vi")
    with app.app_context():
        assert db.session.get(MailWork, ticket).state == "answered"
        out = db.session.scalars(select(MailMessage).where(MailMessage.direction == "out")).one()
        assert out.body_text == DRAFT and out.subject.endswith(f"[1900 9299 #{ticket}]")

    from callcenter.accounts.users import UserService

    with app.app_context():
        UserService(db.session, app.extensions["clock"]).create("giamsat", PASSWORD, "supervisor")
        db.session.commit()
    boss = vietnamese_page(browser, desk, errors)
    boss.goto(f"/supervisor/tickets/{ticket}")
    boss.get_by_label("Tên đăng nhập").fill("giamsat")
    boss.get_by_label("Mật khẩu").fill(PASSWORD)
    boss.get_by_role("button", name="Đăng nhập").click()
    expect(boss.locator("#facts")).to_contain_text("thư điện tử")  # the channel, labelled
    expect(boss.locator("#facts")).to_contain_text("Người gửi")
    expect(boss.locator("#facts")).to_contain_text("ketoan@congty.vn")
    expect(boss.locator("#facts")).not_to_contain_text("Kết quả cuộc gọi")  # no call facts on an e-mail
    expect(boss.locator("#thread .mail-message")).to_have_count(2)
    expect(boss.locator("#thread")).to_contain_text("Trả lời của tổng đài")
    shot(boss, "maildesk-6-ticket-vi")
    boss.goto("/supervisor/tickets")
    boss.locator("#search").get_by_label("Kênh").select_option("email")
    boss.get_by_role("button", name="Tìm kiếm").click()
    expect(boss.locator("#results tbody tr")).to_have_count(1)
    expect(boss.locator("#results tbody tr")).to_contain_text("thư điện tử")
    shot(boss, "maildesk-7-tickets-vi")
    for page in (caller, agent, boss):
        page.context.close()
    assert not errors, errors
