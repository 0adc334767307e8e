"""Issue 14's "done when", in headless Chromium: a Vietnamese agent and supervisor do their whole day on the
demo's data without meeting an English word or a raw code, then the same in English after switching.

- The agent, on a 390 px phone: logs in, goes available, a caller dials from the sandbox, the softphone rings
  with the Answer button in view, she answers, hangs up and wraps up.
- The supervisor, investigator and admin, on a desk screen (1280 px) and a phone (390 px): every staff page
  (landing, wallboard, reports (abandonment, service, agents), rota, forecast, tickets, one ticket with its
  timeline, audit log, People). On a phone the page never scrolls sideways.

English on a Vietnamese page: every English phrase (two words or more) of the catalogs whose translation
differs. Raw codes: every code of callcenter/common/labels.py written with an underscore or in capitals
(`abandoned_queue`, `CALLBACK_REQUESTED`, `branch_2`). Screenshots test-artifacts/day-<lang>-<page>-<size>.png.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import read_mo
from sqlalchemy import select

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from callcenter.common.labels import VOCABULARIES
from callcenter.ops.demo import DEMO_USERS, prepare_demo
from models import Ticket, db

from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct-horse-battery"
SIZES = {"desk": 1280, "phone": 390}
PLACEHOLDER = re.compile(r"\{\w*\}|%\(\w+\)s|%s")


@cache
def english_phrases() -> tuple[str, ...]:
    """The catalog's English phrases a Vietnamese page must not show: the parts between placeholders, two
    words or more, that no Vietnamese translation contains (a name like "VNACCS/VCIS" is in both)."""
    with open(ROOT / "translations/vi/LC_MESSAGES/messages.mo", "rb") as handle:
        catalog = {m.id: m.string for m in read_mo(handle) if m.id and isinstance(m.id, str)}
    vietnamese = "\n".join(catalog.values()).lower()
    found: set[str] = set()
    for msgid, translation in catalog.items():
        if translation == msgid:
            continue
        for part in PLACEHOLDER.split(msgid):
            part = part.strip(" .,:;—–-()“”\"'")
            if len(re.findall(r"[A-Za-z]{2,}", part)) >= 2 and len(part) >= 8 and part.lower() not in vietnamese:
                found.add(part)
    return tuple(sorted(found))


@cache
def raw_codes() -> re.Pattern[str]:
    codes = {code for words in VOCABULARIES.values() for code in words if "_" in code or code.isupper()}
    codes = {c for c in codes if len(c) >= 4}
    alternatives = "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
    return re.compile(r"(?<![\w/.-])(" + alternatives + r")(?![\w/-])")


def check_words(page: Any, lang: str, where: str) -> None:
    """No raw code on the page; on a Vietnamese page, no English phrase either."""
    text = page.locator("body").inner_text()
    codes = sorted(set(raw_codes().findall(text)))
    assert codes == [], f"{where}: raw codes on the page: {codes}"
    if lang == "vi":
        english = [phrase for phrase in english_phrases() if phrase in text]
        assert english == [], f"{where}: English on a Vietnamese page: {english}"


WIDE = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest(".scroll, .table-scroll"))
  .slice(0, 6).map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + e.className)"""


def check_fits(page: Any, where: str) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{where}: the page scrolls sideways ({width} px in {inner} px): {page.evaluate(WIDE)}"


@pytest.fixture
def day(database_url: str) -> Iterator[LiveServer]:
    """The demo as `make demo` makes it (users, the 24/7 rota, three days of calls), Vietnamese by default."""
    overrides = {"DEFAULT_UI_LANGUAGE": "vi", "DISPATCH_ON_EVENTS": True, "CALLBACK_FIRST_HOUR": 0}
    with serve_app(database_url, CALLBACK_LAST_HOUR=24, **overrides) as running:
        with running.app.app_context():
            list(prepare_demo(running.app))
        yield running


def tab(chromium: Any, desk: LiveServer, width: int, lang: str, errors: list[str]) -> Any:
    context = chromium.new_context(
        base_url=desk.url, viewport={"width": width, "height": 860}, locale="vi-VN" if lang == "vi" else "en-GB"
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return page


def log_in(page: Any, username: str, password: str, path: str) -> None:
    page.goto(f"/login?next={path}")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator('form button[type="submit"]').click()
    page.wait_for_url(f"**{path}*")


def agent_on_overtime(desk: LiveServer) -> str:
    """A new agent with every skill, on overtime for four hours (so she is on duty whatever the rota says);
    her login name (password PASSWORD)."""
    name = f"lan{uuid.uuid4().hex[:4]}"
    with desk.app.app_context():
        clock = desk.app.extensions["clock"]
        UserService(db.session, clock).create(name, PASSWORD, "agent")
        every = ["branch_1", "branch_2", "accounts", "incidents", "single_window", "other", "vi", "en"]
        agent = AgentService(db.session, clock).create(name, "Nguyễn Thị Lan", every)
        agent.overtime_until = clock.now() + timedelta(hours=4)
        db.session.commit()
    return name


def dial(page: Any, number: str, group_digit: str) -> None:
    """The sandbox phone calls the hotline from `number`: branch 2, then the problem group's digit."""
    from playwright.sync_api import expect

    page.goto("/sandbox/")
    page.locator("#from").fill(number)
    page.get_by_role("button", name="Call", exact=True).click()
    expect(page.locator("#heard")).to_contain_text("Cục Hải quan xin chào")
    page.locator("#pad").get_by_role("button", name="2", exact=True).click()
    expect(page.locator("#heard")).to_contain_text("Về đăng ký tài khoản")  # the group menu
    page.locator("#pad").get_by_role("button", name=group_digit, exact=True).click()


def available_on_softphone(phone: Any, name: str) -> None:
    """`name` logs in to the softphone and goes available (once its script has shown her state)."""
    from playwright.sync_api import expect

    log_in(phone, name, PASSWORD, "/agent/")
    expect(phone.locator("#state-label")).to_have_text("Ngoại tuyến")
    phone.locator("#go-available").click()
    expect(phone.locator("#state-label")).to_have_text("Sẵn sàng")


def switch_language(page: Any, lang: str) -> None:
    """The header's switch (a POST saved on the user: a later login opens in that language)."""
    if page.evaluate("document.documentElement.lang") == lang:
        return
    page.locator(f'form.lang-switch button[value="{lang}"]').click()
    page.wait_for_function(f"document.documentElement.lang === '{lang}'")


def test_a_vietnamese_agent_answers_and_wraps_up_on_a_phone(browser: Any, day: LiveServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    errors: list[str] = []
    name = agent_on_overtime(day)
    phone = tab(browser, day, SIZES["phone"], "vi", errors)
    log_in(phone, name, PASSWORD, "/agent/")
    expect(phone.locator("html")).to_have_attribute("lang", "vi")
    expect(phone.locator("#state-label")).to_have_text("Ngoại tuyến")  # the script has read her state
    phone.locator("#go-available").click()
    expect(phone.locator("#state-label")).to_have_text("Sẵn sàng")
    check_words(phone, "vi", "softphone, available")
    check_fits(phone, "softphone, available")
    shot(phone, "day-vi-softphone-available-phone")

    caller = tab(browser, day, 1280, "vi", errors)
    caller.goto("/sandbox/")
    caller.get_by_role("button", name="Call", exact=True).click()
    expect(caller.locator("#heard")).to_contain_text("Cục Hải quan xin chào")
    caller.locator("#pad").get_by_role("button", name="2", exact=True).click()
    expect(caller.locator("#heard")).to_contain_text("Về đăng ký tài khoản")
    caller.locator("#pad").get_by_role("button", name="1", exact=True).click()

    expect(phone.locator("#state-label")).to_have_text("Đang đổ chuông", timeout=30_000)
    expect(phone.locator("#answer")).to_be_in_viewport()  # the phone's first screen, no scrolling needed
    expect(phone.locator("#pop-group")).to_have_text("Tài khoản, mật khẩu, chữ ký số")
    check_words(phone, "vi", "softphone, ringing")
    check_fits(phone, "softphone, ringing")
    shot(phone, "day-vi-softphone-ringing-phone")
    phone.locator("#answer").click()
    expect(phone.locator("#state-label")).to_have_text("Đang trong cuộc gọi")
    # The whisper she hears names the problem group in words, not its code.
    expect(phone.locator("#line-log")).to_contain_text("Cuộc gọi nhánh 2, tài khoản, mật khẩu, chữ ký số")
    check_words(phone, "vi", "softphone, on a call")
    phone.locator("#hangup").click()
    expect(phone.locator("#wrapup")).to_be_visible()
    check_words(phone, "vi", "softphone, wrap-up")
    check_fits(phone, "softphone, wrap-up")
    shot(phone, "day-vi-softphone-wrapup-phone")
    phone.locator('#wrapup input[name="outcome"][value="resolved"]').check()
    phone.locator("#save-final").click()
    expect(phone.locator("#message")).to_contain_text("Đã lưu phiếu")
    check_words(phone, "vi", "softphone, saved")
    assert errors == []


PAGES = [  # (name, path, who) — who: the demo user who opens it
    ("wallboard", "/supervisor/", "supervisor"),
    ("reports", "/supervisor/reports", "supervisor"),
    ("rota", "/supervisor/rota", "supervisor"),
    ("forecast", "/supervisor/forecast", "supervisor"),
    ("mailrules", "/supervisor/mail-rules", "supervisor"),
    ("tickets", "/supervisor/tickets", "investigator"),
    ("ticket", "/supervisor/tickets/{ticket}", "investigator"),
    ("audit", "/supervisor/audit", "investigator"),
    ("people", "/supervisor/people", "admin"),
    ("answers", "/supervisor/answers", "supervisor"),
    ("answers-public", "/answers", "supervisor"),  # the businesses' page (no login needed; here in her language)
    ("landing", "/", "supervisor"),
]
SETTLED = {  # what shows once a page's script has loaded its data
    "wallboard": "#k-offered:not(:empty)",
    "reports": "#table tbody tr",
    "rota": "main",
    "forecast": "#days tbody tr",
    "mailrules": "#rules[data-loaded]",
    "tickets": "#count:not(:empty)",  # today (Vietnam) may have no ticket yet just after midnight
    "ticket": "#timeline tbody tr",
    "audit": "#entries",
    "people": "main table tbody tr",
    "answers": "#answers-page[data-loaded]",
    "answers-public": "#answers-public",
    "landing": "main",
}


def open_page(page: Any, name: str, path: str) -> None:
    page.goto(path)
    page.locator(SETTLED[name]).first.wait_for(state="attached")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_staff_page_speaks_one_language_without_codes_on_a_desk_and_a_phone(
    browser: Any,  # noqa: F811
    day: LiveServer,
    lang: str,
) -> None:
    errors: list[str] = []
    with day.app.app_context():  # a ticket of the demo's history that an agent answered: a full timeline
        ticket = db.session.scalar(select(Ticket.id).where(Ticket.outcome == "resolved").order_by(Ticket.id))
    for size, width in SIZES.items():
        tabs: dict[str, Any] = {}
        for name, path, who in PAGES:
            if who not in tabs:
                tabs[who] = tab(browser, day, width, "vi", errors)
                log_in(tabs[who], who, DEMO_USERS[who][1], path.format(ticket=ticket))
                if lang == "en":
                    switch_language(tabs[who], "en")
            page = tabs[who]
            open_page(page, name, path.format(ticket=ticket))
            assert page.evaluate("document.documentElement.lang") == lang
            where = f"{name} ({lang}, {size})"
            shot(page, f"day-{lang}-{name}-{size}")
            if size == "phone":  # what the first screen shows
                page.screenshot(path=str(shot(page, f"day-{lang}-{name}-phone-top")), full_page=False)
            check_words(page, lang, where)
            if size == "phone":
                check_fits(page, where)
            if name == "reports":
                for kind in ("service", "agents"):
                    page.locator('select[name="kind"]').select_option(kind)
                    page.locator('#params button[type="submit"]').click()
                    page.wait_for_load_state("networkidle")
                    shot(page, f"day-{lang}-reports-{kind}-{size}")
                    check_words(page, lang, f"{where}, {kind}")
                    if size == "phone":
                        check_fits(page, f"{where}, {kind}")
        for page in tabs.values():
            page.context.close()
    assert errors == []
