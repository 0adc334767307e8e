"""The staffing forecast page in headless Chromium: a supervisor sees the week's totals and the chart with
its gaps, tries a 12-hour day shift on Monday in the what-if (a higher handled rate, fewer gaps), saves
it, and the forecast reloads with it; an API refusal is shown as the API words it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from callcenter.ops.demo import ALL_WORK, DEMO_AGENTS
from callcenter.rota.service import LOCAL_TZ, RotaService
from models import db

from .test_browser import ARTIFACTS, LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_wallboard import log_in_page

pytestmark = pytest.mark.browser
# A day team on top of the demo's four-person desk, Monday to Friday 07:00–19:00, so that the busiest
# half hours lack one agent (a gap one more shift can close) while the nights stay short.
DAY_TEAM = [
    "Đỗ Minh Anh",
    "Vũ Thị Bích",
    "Hoàng Văn Cường",
    "Bùi Thị Dung",
    "Đặng Quốc Huy",
    "Ngô Thị Mai",
    "Dương Văn Nam",
]


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    with serve_app(database_url) as running:
        yield running


def seed(app) -> date:
    """A supervisor, the demo desk with the default 24/7 rota from this week's Monday, and the day team."""
    with app.app_context():
        clock = app.extensions["clock"]
        UserService(db.session, clock).create("sup-fc", "correct-horse-battery", "supervisor")
        rota = RotaService(db.session, clock)
        agents = AgentService(db.session, clock, rota)
        desk = [agents.create(username, name, skills) for username, (name, skills) in DEMO_AGENTS.items()]
        today = clock.now().astimezone(LOCAL_TZ).date()
        monday = today - timedelta(days=today.weekday())
        rota.generate_default(desk, monday - timedelta(days=1), 15, actor="test")  # Sunday night into Monday too
        for k, name in enumerate(DAY_TEAM, start=1):
            agent = agents.create(f"day{k}", name, ALL_WORK)
            for d in range(5):
                start = datetime.combine(monday + timedelta(days=d), time(7), LOCAL_TZ)
                rota.add_shift(agent.id, start, start + timedelta(hours=12), kind="regular")
        db.session.commit()
    return monday


def seed_today(app) -> date:
    return app.extensions["clock"].now().astimezone(LOCAL_TZ).date()


def test_forecast_shows_gaps_and_a_what_if_shift_is_compared_and_saved(browser, server) -> None:  # noqa: F811
    from playwright.sync_api import expect

    monday = seed(server.app)
    errors: list[str] = []
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/supervisor/")
    log_in_page(page, "sup-fc")
    with page.expect_response(lambda r: r.url.split("?")[0].endswith("/api/forecast")) as first:
        page.get_by_role("link", name="Forecast").click()
    week = first.value.json()
    assert week["week"] == monday.isoformat(), "this week by default"
    assert "include=email" in first.value.url and week["email"]["source"] == "default"
    gaps = week["totals"]["gap_intervals"]
    assert 0 < gaps < 336

    expect(page.locator("#week-title")).to_contain_text(f"Monday {monday.day} {monday:%b} {monday.year}")
    totals = page.locator("#totals")
    expect(totals).to_contain_text("about 70 %")
    expect(totals).to_contain_text("handled today (department figure)")
    expect(totals).to_contain_text(f"{gaps} of 336")
    expect(page.locator("#profile")).to_contain_text(week["profile"])
    expect(page.locator("#staff-chart rect.strip.gap")).to_have_count(gaps)
    expect(page.locator("#staff-chart rect.strip")).to_have_count(336)
    expect(page.locator("#staff-chart text").filter(has_text=f"Mon {monday.day} {monday:%b}")).to_have_count(1)
    expect(page.locator("#days tbody tr")).to_have_count(8)  # seven days and the week
    expect(page.locator("#days tbody tr").first).to_contain_text(f"Mon {monday.day} {monday:%b}")
    remove = page.locator('#what-if select[name="remove"]')
    expect(remove).to_contain_text("Nguyễn Thị Lan")
    shot(page, "forecast-1-week")
    mail = week["email"]  # the week's e-mails: the API's figures, worded
    email_totals = page.locator("#email-totals")
    expect(email_totals).to_contain_text(f"{mail['expected']:,}e-mails expected this week")
    expect(email_totals).to_contain_text(f"{mail['backlog_at_week_end']:,}e-mails still waiting at the week's end")
    expect(email_totals).to_contain_text(f"{mail['handled_rate_calls_and_emails']:.1f} %handled: calls and e-mails")
    expect(email_totals).to_contain_text(f"{mail['handled_rate_calls']:.1f} %handled: calls only")
    expect(page.locator("#email-source")).to_contain_text("Assumption: 30.0 % of all contacts are e-mails")
    expect(page.locator("#email-reality")).to_contain_text(
        f"this week handles {mail['handled_rate_calls_and_emails']:.1f} % of calls and e-mails together; "
        "the department says about 70.0 % on the same basis"
    )
    page.locator("#email-panel").screenshot(path=str(ARTIFACTS / ("forecast-mail-en-desk" + ".png")))

    week_input = page.locator('#params input[name="week"]')  # typed dd/mm/yyyy; nonsense is refused beside it
    expect(week_input).to_have_value(f"{monday + timedelta(days=(seed_today(server.app) - monday).days):%d/%m/%Y}")
    week_input.fill("31/02/2026")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#week-error")).to_contain_text("dd/mm/yyyy")
    expect(totals).to_contain_text(f"{gaps} of 336")  # nothing was sent: the week stays
    week_input.fill(f"{monday + timedelta(days=2):%d/%m/%Y}")  # any day of the week
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#week-error")).to_be_empty()

    what_if = page.locator("#what-if")
    what_if.get_by_role("button", name="Compare").click()  # nothing to compare: the API's message
    expect(page.locator("#wi-error")).to_have_text("Add or remove at least one shift to compare.")

    # Trần Văn Minh (agent2) is off on Monday: a 12-hour day shift, 08:00–20:00.
    what_if.locator('select[name="agent"]').select_option("agent2")
    what_if.locator('select[name="day"]').select_option(monday.isoformat())
    what_if.get_by_label("Starts at").fill("25:00")
    what_if.get_by_role("button", name="Compare").click()
    expect(page.locator("#start-error")).to_contain_text("HH:mm")
    what_if.get_by_label("Starts at").fill("08:00")
    what_if.get_by_label("Hours").fill("12")
    with page.expect_response(lambda r: r.url.endswith("/api/forecast/what-if")) as answer:
        what_if.get_by_role("button", name="Compare").click()
    result = answer.value.json()
    now, draft = result["current"]["totals"], result["draft"]["totals"]
    assert draft["handled_rate"] > now["handled_rate"]
    assert draft["gap_intervals"] < now["gap_intervals"] == gaps
    assert result["difference"]["scheduled_hours"] == 12

    compare = page.locator("#compare")
    expect(page.locator("#compare-caption")).to_contain_text("adding Trần Văn Minh")
    handled = compare.locator('tr[data-key="handled_rate"]')
    expect(handled.locator("td.now")).to_have_text(f"{now['handled_rate']:.1f} %")
    expect(handled.locator("td.draft")).to_have_text(f"{draft['handled_rate']:.1f} %")
    expect(handled.locator("td.diff")).to_have_class("diff better")
    gap_row = compare.locator('tr[data-key="gap_intervals"]')
    expect(gap_row.locator("td.diff")).to_have_text(f"−{now['gap_intervals'] - draft['gap_intervals']}")
    expect(gap_row.locator("td.diff")).to_have_class("diff better")
    expect(page.locator("#staff-chart path.draft-outline")).not_to_have_count(0)
    expect(page.locator("#staff-chart rect.draft-strip")).to_have_count(336)
    expect(page.locator("#days tbody tr").first.locator("td.better").first).to_be_visible()
    shot(page, "forecast-2-what-if")

    page.get_by_role("button", name="Save this shift to the rota").click()
    expect(page.locator("#note")).to_contain_text("Saved to the rota")
    expect(totals).to_contain_text(f"{draft['gap_intervals']} of 336")  # the forecast reloaded with the shift
    expect(page.locator("#comparison")).to_be_hidden()
    expect(remove).to_contain_text("08:00–20:00 · Trần Văn Minh (overtime)")
    shot(page, "forecast-3-saved")

    # Nguyễn Thị Lan (agent1) already works Monday's day shift: the what-if says so, as the API words it.
    what_if.locator('select[name="agent"]').select_option("agent1")
    what_if.get_by_role("button", name="Compare").click()
    expect(page.locator("#wi-error")).to_contain_text("Nguyễn Thị Lan already works then")
    expect(page.locator("#comparison")).to_be_hidden()
    context.close()
    assert not errors, errors
