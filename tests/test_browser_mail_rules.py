"""The mail rules page in headless Chromium, in Vietnamese (issue 15): a supervisor tries a mail on no
rules, adds two rules (and is told in Vietnamese what is wrong with an empty one), tries again, switches a
rule off, deletes one after confirming; it fits a 390 px phone; an investigator only reads and tries.
Screenshots in test-artifacts/mailrules-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from callcenter.accounts.users import UserService
from models import MailRule, db

from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_whole_day import check_fits, check_words

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    with serve_app(database_url, DEFAULT_UI_LANGUAGE="vi") as running:
        with running.app.app_context():
            users = UserService(db.session, running.app.extensions["clock"])
            users.create("giamsat", PASSWORD, "supervisor")
            users.create("thanhtra", PASSWORD, "investigator")
            db.session.commit()
        yield running


def vietnamese_tab(chromium: Any, url: str, width: int, errors: list[str]) -> Any:
    context = chromium.new_context(base_url=url, viewport={"width": width, "height": 860}, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    return page


def log_in(page: Any, name: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def try_mail(page: Any, subject: str) -> Any:
    box = page.locator("#try-form")
    box.get_by_label("Tiêu đề").fill(subject)
    box.get_by_role("button", name="Thử", exact=True).click()
    return page.locator("#try-result")


def test_a_supervisor_adds_tries_switches_off_and_deletes_rules_in_vietnamese(browser, server) -> None:  # noqa: F811
    from playwright.sync_api import expect

    errors: list[str] = []
    page = vietnamese_tab(browser, server.url, 1280, errors)
    page.goto("/supervisor/")
    log_in(page, "giamsat")
    page.get_by_role("link", name="Quy tắc phân loại thư").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    rules = page.locator("#rules tbody")
    expect(rules).to_contain_text("Chưa có quy tắc nào: mọi thư đều được đề xuất là “Câu hỏi khác”.")
    expect(try_mail(page, "Quên mật khẩu VNACCS")).to_have_text(
        "Nhóm được đề xuất: Câu hỏi khác — không có quy tắc nào khớp."
    )
    shot(page, "mailrules-1-empty-vi")

    form = page.locator("#rule-form")
    form.get_by_role("button", name="Thêm quy tắc").click()  # nothing written
    expect(page.locator("#form-error")).to_have_text("Hãy nhập các từ khóa cần tìm, ví dụ “mật khẩu, chữ ký số”.")
    form.get_by_label("Từ khóa hoặc cụm từ").fill("mật khẩu; chữ ký số")
    form.get_by_label("Nhóm vấn đề").select_option(label="Tài khoản, mật khẩu, chữ ký số")
    form.get_by_role("button", name="Thêm quy tắc").click()
    expect(page.locator("#note")).to_have_text(
        "Đã thêm quy tắc ở thứ tự 10: mật khẩu, chữ ký số → Tài khoản, mật khẩu, chữ ký số"
    )
    expect(page.locator("#form-error")).to_be_empty()
    form.get_by_label("Từ khóa hoặc cụm từ").fill("VNACCS, VCIS")
    form.get_by_label("Nhóm vấn đề").select_option(label="Sự cố hệ thống CNTT")
    form.get_by_label("Thứ tự").fill("5")
    form.get_by_role("button", name="Thêm quy tắc").click()
    expect(rules.locator("tr")).to_have_count(2)
    first, second = rules.locator("tr").nth(0), rules.locator("tr").nth(1)
    expect(first).to_contain_text("VNACCS")  # position 5 comes first
    expect(first).to_contain_text("Sự cố hệ thống CNTT")
    expect(second).to_contain_text("Tài khoản, mật khẩu, chữ ký số")
    expect(second).to_contain_text("giamsat")
    expect(try_mail(page, "Quên mật khẩu VNACCS")).to_have_text(
        "Nhóm được đề xuất: Sự cố hệ thống CNTT — quy tắc ở thứ tự 5 khớp với “VNACCS”."
    )
    check_words(page, "vi", "mail rules, two rules")
    shot(page, "mailrules-2-added-tried-vi")

    first.get_by_label("Quy tắc VNACCS, VCIS đang áp dụng").uncheck()  # switched off: not used any more
    expect(page.locator("#note")).to_have_text("Đã tạm ngừng áp dụng quy tắc.")
    expect(rules.locator("tr.inactive")).to_have_count(1)
    expect(try_mail(page, "Quên mật khẩu VNACCS")).to_have_text(
        "Nhóm được đề xuất: Tài khoản, mật khẩu, chữ ký số — quy tắc ở thứ tự 10 khớp với “mật khẩu”."
    )
    shot(page, "mailrules-3-switched-off-vi")

    row = rules.locator("tr", has_text="mật khẩu")
    row.get_by_role("button", name="Xóa").click()
    expect(row).to_contain_text("Xóa quy tắc này?")
    row.get_by_role("button", name="Không").click()  # changed her mind
    expect(rules.locator("tr")).to_have_count(2)
    row.get_by_role("button", name="Xóa").click()
    shot(page, "mailrules-4-confirm-delete-vi")
    row.get_by_role("button", name="Có, xóa").click()
    expect(page.locator("#note")).to_have_text("Đã xóa quy tắc: mật khẩu, chữ ký số")
    expect(rules.locator("tr")).to_have_count(1)
    with server.app.app_context():
        left = db.session.scalars(select(MailRule)).all()
        assert [(r.words, r.problem_group, r.position, r.active) for r in left] == [
            ("VNACCS, VCIS", "incidents", 5, False)
        ]

    phone = vietnamese_tab(browser, server.url, 390, errors)  # the same page on a phone
    phone.goto("/supervisor/mail-rules")
    log_in(phone, "giamsat")
    expect(phone.locator("#rules tbody tr")).to_have_count(1)
    try_mail(phone, "Cổng một cửa")
    expect(phone.locator("#try-result")).to_contain_text("Câu hỏi khác")
    check_fits(phone, "mail rules on a phone")
    check_words(phone, "vi", "mail rules on a phone")
    shot(phone, "mailrules-5-phone-vi")

    reader = vietnamese_tab(browser, server.url, 1280, errors)  # an investigator only reads and tries
    reader.goto("/supervisor/mail-rules")
    log_in(reader, "thanhtra")
    expect(reader.locator("#rules tbody tr")).to_have_count(1)
    expect(reader.locator("#rules tbody")).to_contain_text("Sự cố hệ thống CNTT")
    expect(reader.locator("#rule-form")).to_have_count(0)
    expect(reader.locator("#rules input")).to_have_count(0)
    expect(try_mail(reader, "VNACCS")).to_contain_text("Câu hỏi khác")  # the only rule is switched off
    shot(reader, "mailrules-6-investigator-vi")
    refused = "console: Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"
    assert errors == [refused], "only the empty rule was refused"
