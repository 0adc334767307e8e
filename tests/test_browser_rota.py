"""The rota page in headless Chromium (issue 14): the week and the four weeks read like a calendar (7 days a
row, each day's shifts as "HH:mm–HH:mm name" chips and its gaps in red) at 1280 px, and as a list of days
on a 390 px phone without sideways scrolling; dates are typed dd/mm/yyyy hh:mm; deleting a shift asks first
and can be undone (the same shift comes back), a clash says why. Screenshots test-artifacts/rota-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from callcenter.ops.demo import DEMO_AGENTS
from callcenter.rota.service import LOCAL_TZ, RotaService
from models import Shift, db

from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_wallboard import log_in_page

pytestmark = pytest.mark.browser
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def rota_desk(database_url: str) -> Iterator[LiveServer]:
    with serve_app(database_url) as running:
        yield running


def seed(app: Any, language: str | None) -> dict[str, Any]:
    """A supervisor (speaking `language`), the demo desk's four agents on the default 24/7 rota for four
    weeks from this Monday, two shifts cancelled (gaps), an overtime shift and a day of leave."""
    with app.app_context():
        clock = app.extensions["clock"]
        user = UserService(db.session, clock).create("sup-rota", "correct-horse-battery", "supervisor")
        user.language = language
        rota = RotaService(db.session, clock)
        agents = AgentService(db.session, clock, rota)
        desk = [agents.create(username, name, skills) for username, (name, skills) in DEMO_AGENTS.items()]
        today = clock.now().astimezone(LOCAL_TZ).date()
        monday = today - timedelta(days=today.weekday())
        shifts = rota.generate_default(desk, monday - timedelta(days=1), 29, actor="test")
        at = {(s.starts_at.astimezone(LOCAL_TZ).date(), s.starts_at.astimezone(LOCAL_TZ).hour): s for s in shifts}
        for day, hour in ((monday + timedelta(days=2), 19), (monday + timedelta(days=16), 7)):
            rota.cancel_shift(at[(day, hour)].id)
        tomorrow = at[(today + timedelta(days=1), 7)]
        extra = datetime.combine(today + timedelta(days=3), time(9), LOCAL_TZ)
        free = next(a for a in desk if not rota._overlapping(a.id, extra, extra + timedelta(hours=4)))
        rota.add_shift(free.id, extra, extra + timedelta(hours=4), note="training day cover")
        leave = datetime.combine(today + timedelta(days=5), time(0), LOCAL_TZ)
        rota.add_absence(desk[2].id, leave, leave + timedelta(days=1), reason="leave")
        db.session.commit()
        names = {a.id: a.display_name for a in desk}
        return {"monday": monday, "shift": tomorrow.id, "agent": names[tomorrow.agent_id], "desk": desk}


def open_rota(chromium: Any, server: LiveServer, width: int, errors: list[str]) -> Any:
    context = chromium.new_context(base_url=server.url, viewport={"width": width, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/supervisor/rota")
    log_in_page(page, "sup-rota")
    return page


def test_the_four_weeks_read_like_a_calendar_and_a_deleted_shift_comes_back(browser, rota_desk) -> None:  # noqa: F811
    from playwright.sync_api import expect

    seeded = seed(rota_desk.app, "en")
    errors: list[str] = []
    page = open_rota(browser, rota_desk, 1280, errors)
    expect(page.locator(".cal .chip.regular").first).to_contain_text(re.compile(r"^(07:00|19:00|…)–(07:00|19:00) \S"))
    expect(page.locator("#gaps")).to_contain_text("h with too few agents on duty")
    shot(page, "rota-en-week-1280")

    page.get_by_label("View").select_option("month")
    days = page.locator(".cal .day")
    expect(days).to_have_count(28)
    expect(page.locator("#range")).to_have_text(re.compile(r"^\d{1,2} \w{3} \d{4} – \d{1,2} \w{3} \d{4}$"))
    first, sunday, next_monday = (days.nth(i).bounding_box() for i in (0, 6, 7))
    assert first["y"] == sunday["y"] and sunday["x"] > first["x"], "a week is a row of seven days"
    assert next_monday["x"] == first["x"] and next_monday["y"] > first["y"], "the next week is the next row"
    assert page.evaluate(FITS)
    shot(page, "rota-en-month-1280")
    day = lambda n: page.locator(f'.day[data-day="{seeded["monday"] + timedelta(days=n)}"]')  # noqa: E731
    expect(day(2).locator(".gap-line")).to_have_text("19:00–24:00 nobody")  # the cancelled night…
    expect(day(3).locator(".gap-line")).to_have_text("00:00–07:00 nobody")  # …into the next morning
    expect(day(16).locator(".gap-line")).to_have_text("07:00–19:00 nobody")  # a cancelled day shift
    expect(day(4).locator(".gap-line")).to_have_count(0)

    chip = page.locator(f'.chip[data-shift="{seeded["shift"]}"]')
    expect(chip).to_have_text(re.compile(r"^07:00–19:00 \S+$"))
    chip.click()
    dialog = page.locator("#shift-dialog")
    expect(dialog).to_contain_text(seeded["agent"])
    dialog.get_by_role("button", name="Delete shift").click()
    expect(dialog.get_by_text("Delete this shift?")).to_be_visible()
    dialog.get_by_role("button", name="No", exact=True).click()  # changed her mind: nothing happens
    expect(dialog.get_by_text("Delete this shift?")).to_be_hidden()
    dialog.get_by_role("button", name="Delete shift").click()
    shot(page, "rota-en-delete-confirm")
    dialog.get_by_role("button", name="Yes, delete").click()
    expect(chip).to_have_count(0)
    expect(page.locator("#undo")).to_contain_text(f"Shift deleted: {seeded['agent']}")
    shot(page, "rota-en-deleted-undo")
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#undo")).to_contain_text("Shift restored.")
    expect(chip).to_have_text(re.compile(r"^07:00–19:00 \S+$"))
    with rota_desk.app.app_context():
        back = db.session.get(Shift, seeded["shift"])
        assert back.cancelled_at is None, "the same shift (same id, agent and times) is live again"

    chip.click()  # again, and meanwhile another supervisor gives her an overtime shift then
    dialog.get_by_role("button", name="Delete shift").click()
    dialog.get_by_role("button", name="Yes, delete").click()
    expect(chip).to_have_count(0)
    with rota_desk.app.app_context():
        clock = rota_desk.app.extensions["clock"]
        gone = db.session.get(Shift, seeded["shift"])
        RotaService(db.session, clock).add_shift(gone.agent_id, gone.starts_at, gone.starts_at + timedelta(hours=2))
        db.session.commit()
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#undo")).to_contain_text(f"Could not undo: The shift cannot come back: {seeded['agent']} now")
    page.close()
    assert not errors, errors


def test_typed_dates_are_read_dd_mm_yyyy_and_a_bad_one_is_not_sent(browser, rota_desk) -> None:  # noqa: F811
    from playwright.sync_api import expect

    seeded = seed(rota_desk.app, "en")
    errors: list[str] = []
    page = open_rota(browser, rota_desk, 1280, errors)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    form = page.locator("#shift-form")
    expect(form.get_by_label("Starts")).to_have_attribute("placeholder", "dd/mm/yyyy hh:mm")
    form.get_by_label("Starts").fill("31/02/2027 07:00")
    form.get_by_role("button", name="Add shift").click()
    expect(form.locator('.field-error[data-for="starts_at"]')).to_contain_text("Not a date and time")
    expect(form.locator('.field-error[data-for="ends_at"]')).to_have_text("Required.")
    assert sent == [], "nothing is sent while a date cannot be read"
    day = seeded["monday"] + timedelta(days=30)  # after the seeded four weeks: free for anyone
    form.get_by_label("Agent").select_option("agent1")
    form.get_by_label("Starts").fill(day.strftime("%d/%m/%Y") + " 07:00")
    form.get_by_label("Ends").fill(day.strftime("%d/%m/%Y") + " 19:00")
    with page.expect_request(lambda r: r.method == "POST") as request:
        form.get_by_role("button", name="Add shift").click()
    assert request.value.post_data_json["starts_at"] == f"{day.isoformat()}T07:00:00+07:00"
    expect(page.locator("#form-note")).to_have_text("Shift added.")
    form.get_by_role("button", name="Add shift").click()  # the same again: she already works then
    expect(page.locator("#form-note")).to_contain_text("already works")
    page.close()
    assert not errors, errors


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_rota_fits_a_phone_and_a_wide_screen_in_both_languages(browser, rota_desk, language) -> None:  # noqa: F811
    from playwright.sync_api import expect

    seed(rota_desk.app, language)
    errors: list[str] = []
    page = open_rota(browser, rota_desk, 390, errors)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".cal .day")).to_have_count(7)
    assert page.evaluate(FITS), "the week fits a phone"
    shot(page, f"rota-{language}-week-390")
    page.locator("#view").select_option("month")
    days = page.locator(".cal .day")
    expect(days).to_have_count(28)
    assert page.evaluate(FITS), "the four weeks fit a phone"
    first, second = days.nth(0).bounding_box(), days.nth(1).bounding_box()
    assert first["x"] == second["x"] and second["y"] > first["y"], "on a phone, a list of days"
    expect(page.locator(".cal .weekday").first).to_be_hidden()
    if language == "vi":
        expect(page.locator("#view")).to_contain_text("Bốn tuần")
        expect(page.locator(".legend")).to_contain_text("không có ai trực")
        expect(page.locator("#shift-form input[name=starts_at]")).to_have_attribute("placeholder", "nn/tt/nnnn gg:pp")
    dates = r"^\d{2}/\d{2}/\d{4} – \d{2}/\d{2}/\d{4}$" if language == "vi" else r"^\d{1,2} \w{3} \d{4} – "
    expect(page.locator("#range")).to_have_text(re.compile(dates))  # Vietnamese: dd/MM/yyyy
    expect(page.locator(".cal .chip.regular").nth(1)).to_have_text(re.compile(r"^\d{2}:\d{2}–\d{2}:\d{2} \S+$"))
    shot(page, f"rota-{language}-month-390")
    page.screenshot(path=str(shot(page, f"rota-{language}-month-390-top")))  # what the phone shows first
    page.locator(".cal .chip.regular").nth(3).click()
    expect(page.locator("#shift-dialog")).to_be_visible()
    assert page.evaluate(FITS)
    shot(page, f"rota-{language}-dialog-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#close").click()
    assert page.evaluate(FITS)
    shot(page, f"rota-{language}-month-1280")
    page.close()
    assert not errors, errors
