"""The pages' languages in headless Chromium (issue 14): with the deployed default (vi) the landing page
and the agent's softphone speak Vietnamese, the script's labels included; the header's switch turns them
to English and the choice stays. Screenshots in test-artifacts/ (i18n-*.png)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_softphone import PASSWORD, make_agent

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(database_url: str) -> Iterator[LiveServer]:
    with serve_app(database_url, DEFAULT_UI_LANGUAGE="vi") as running:
        yield running


def vietnamese_page(chromium: Any, desk: LiveServer, errors: list[str]) -> Any:
    """A tab of a Vietnamese browser (Accept-Language: vi-VN, which the login page follows)."""
    context = chromium.new_context(base_url=desk.url, viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    return page


def test_the_softphone_and_the_landing_page_in_vietnamese_then_english(browser: Any, desk: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    name = make_agent(desk.app)
    errors: list[str] = []
    page = vietnamese_page(browser, desk, errors)
    html = page.locator("html")

    page.goto("/")
    expect(html).to_have_attribute("lang", "vi")
    expect(page.get_by_role("link", name="Bàn trực điện thoại viên")).to_be_visible()
    expect(page.get_by_role("link", name="Điện thoại thử nghiệm")).to_be_visible()  # the demo's sandbox
    shot(page, "i18n-1-landing-vi")

    page.get_by_role("link", name="Bàn trực điện thoại viên").click()  # not logged in: the login page
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#state-label")).to_have_text("Ngoại tuyến")  # a label of the script, from the catalog
    expect(html).to_have_attribute("lang", "vi")
    page.get_by_role("button", name="Sẵn sàng nhận cuộc gọi").click()
    expect(page.locator("#state-label")).to_have_text("Sẵn sàng")
    expect(page.locator("#queue-1 .detail")).to_have_text("không có ai chờ")
    expect(page.get_by_role("heading", name="Không có cuộc gọi")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    shot(page, "i18n-2-softphone-vi")

    page.get_by_role("button", name="English").click()  # the header's switch, saved on the user
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/agent/$"))
    expect(page.locator("#state-label")).to_have_text("Available")
    expect(page.locator("#queue-1 .detail")).to_have_text("nobody waiting")
    expect(page.get_by_role("button", name="Take a break")).to_be_visible()
    expect(page.get_by_role("heading", name="No call")).to_be_visible()
    shot(page, "i18n-3-softphone-en")

    page.goto("/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Agent desk")).to_be_visible()
    expect(page.get_by_text("You are logged in as")).to_be_visible()
    shot(page, "i18n-4-landing-en")

    page.get_by_role("button", name="Tiếng Việt").click()  # and back
    expect(page.get_by_role("link", name="Bàn trực điện thoại viên")).to_be_visible()
    page.goto("/agent/")
    page.get_by_role("button", name="Rời bàn trực").click()
    expect(page.locator("#state-label")).to_have_text("Ngoại tuyến")
    page.context.close()
    assert not errors, errors


def test_the_wallboard_and_reports_in_vietnamese(browser: Any, desk: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from callcenter.accounts.users import UserService
    from models import db

    make_agent(desk.app)  # an agent on the board (offline, allowed to work now)
    with desk.app.app_context():
        UserService(db.session, desk.app.extensions["clock"]).create("giamsat", PASSWORD, "supervisor")
        db.session.commit()
    errors: list[str] = []
    page = vietnamese_page(browser, desk, errors)

    page.goto("/supervisor/")
    page.get_by_label("Tên đăng nhập").fill("giamsat")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_text("Bảng theo dõi trực tiếp")).to_be_visible()
    expect(page.locator("#updated")).to_contain_text("cập nhật lúc")  # the script's words, from the catalog
    expect(page.locator("#sl-note")).to_contain_text("mức độ phục vụ: trả lời trong vòng 20 giây")
    row = page.locator("#agents tr", has_text="Nguyễn Thị Lan")
    expect(row).to_contain_text("Ngoại tuyến")
    expect(page.get_by_role("heading", name="Thông báo sự cố")).to_be_visible()
    expect(page.get_by_label("Tiếng Việt (phát trước)")).to_be_visible()
    expect(page.get_by_role("button", name="Phát trước menu chọn phím")).to_be_visible()
    expect(page.locator("#ann-now")).to_have_text("Không có thông báo nào đang phát.")
    shot(page, "i18n-5-wallboard-vi")

    page.goto("/supervisor/reports")
    expect(page.locator("#chart-title")).to_have_text("Cuộc gọi vào và bỏ máy")
    expect(page.locator("#table thead")).to_contain_text("Cuộc gọi vào")
    expect(page.locator("#table tbody tr").last).to_contain_text("tổng cộng")
    page.get_by_label("Báo cáo").select_option("agents")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("#table thead")).to_contain_text("Tỷ lệ bận %")
    shot(page, "i18n-6-reports-vi")
    page.context.close()
    assert not errors, errors


def test_the_ticket_pages_in_vietnamese(browser: Any, desk: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from callcenter.accounts.users import UserService
    from models import db

    from .test_browser_wallboard import abandoned_branch_1_call, log_in_page

    with desk.app.app_context():
        UserService(db.session, desk.app.extensions["clock"]).create("giamsat", PASSWORD, "supervisor")
        db.session.commit()
    context, page, errors = abandoned_branch_1_call(browser, desk.url)  # a ticket (English browser, the sandbox)
    page.goto("/supervisor/tickets")
    log_in_page(page, "giamsat", PASSWORD)  # before login the English browser's language; then the default, vi
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("button", name="Tìm kiếm")).to_be_visible()
    expect(page.locator("#results thead")).to_contain_text("Người gọi")
    expect(page.locator("#count")).to_have_text("1 phiếu hỗ trợ")  # the script's words, from the catalog
    expect(page.locator("#results tbody tr td").nth(2)).to_have_text("được ẩn (bảo mật)")
    expect(page.locator("#results tbody tr td").nth(5)).to_have_text("gác máy khi đang chờ")
    shot(page, "i18n-7-tickets-vi")

    page.locator("#results tbody tr").first.click()
    expect(page.get_by_role("heading", name="Diễn biến", exact=True)).to_be_visible()
    expect(page.locator("#facts")).to_contain_text("được ẩn (bảo mật: chỉ cán bộ xác minh được xem)")
    expect(page.locator("#facts")).to_contain_text("1 — tố giác (bảo mật)")
    page.get_by_label("Ghi chú lưu hồ sơ").fill("Chuyển Cục Điều tra chống buôn lậu")
    page.get_by_role("button", name="Chuyển lên").click()
    expect(page.locator("#changed")).to_have_text("Đã chuyển phiếu hỗ trợ lên.")
    expect(page.locator("#headline")).to_contain_text("đã chuyển lên (đang mở)")
    expect(page.get_by_role("button", name="Đóng phiếu")).to_be_visible()
    shot(page, "i18n-8-ticket-vi")
    context.close()
    assert not errors, errors
