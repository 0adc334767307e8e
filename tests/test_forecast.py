"""The forecast's rules with hand-worked numbers: the profile learned from calls, the week's
staffing from a rota, the reality check's ceiling, the overtime search."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from callcenter.forecast.profile import DEFAULT_CALLS_PER_DAY, default_profile, default_shape, learn
from callcenter.forecast.reality import documented_rota, physical_ceiling, with_overtime
from callcenter.forecast.week import PlannedShift, Targets, WeekRota, forecast
from callcenter.rota.service import LOCAL_TZ
from models import Call, db

from .conftest import BACKENDS

MONDAY = date(2026, 11, 23)


def test_the_default_profile_is_the_documented_load() -> None:
    assert sum(default_shape()) == pytest.approx(7.0)
    profile = default_profile()
    assert profile.calls_per_day() == pytest.approx(DEFAULT_CALLS_PER_DAY)
    week = profile.week(MONDAY, holidays=[MONDAY + timedelta(days=2)])
    assert len(week[1]) == len(week[2]) == 336
    # Wednesday is a holiday: it gets Sunday's (quieter) day.
    assert week[2][96:144] == week[2][288:336]
    assert sum(week[1]) / sum(week[1] + week[2]) == pytest.approx(0.10)


def test_physical_ceiling_is_capacity_over_demand() -> None:
    # One seat 24 h = 1440 min; 430 calls × 7.5 min = 3225 min → 44.65 %.
    assert physical_ceiling(430, 450, 24) == pytest.approx(1440 / 3225)
    assert physical_ceiling(10, 450, 24) == 1.0


def test_a_rota_gives_agents_on_duty_per_half_hour_and_gaps_where_too_few() -> None:
    start = datetime(2026, 11, 23, 8, tzinfo=LOCAL_TZ)
    rota = WeekRota(MONDAY, (PlannedShift(1, start, start + timedelta(hours=4), 1),), skills={1: frozenset({2})})
    duty = rota.on_duty()
    assert [len(d) for d in duty[15:25]] == [0, 1, 1, 1, 1, 1, 1, 1, 1, 0]  # 08:00–12:00 on Monday
    result = forecast(default_profile(), rota, Targets(0.8, 60, 0.05), simulate_week=False)
    assert result.totals()["scheduled_hours"] == 4.0
    monday_9 = result.intervals[18]
    assert monday_9.scheduled == 1 and monday_9.required > 1 and monday_9.gap
    assert not result.intervals[2].gap or result.intervals[2].required > 0  # night: few calls
    agents = rota.sim_agents()
    assert agents[0].branches == frozenset({2}) and agents[0].shifts == ((8 * 3600.0, 12 * 3600.0),)


def test_what_if_changes_only_the_draft() -> None:
    rota = documented_rota()
    added = PlannedShift(9, datetime(2026, 11, 24, 8, tzinfo=LOCAL_TZ), datetime(2026, 11, 24, 20, tzinfo=LOCAL_TZ))
    draft = rota.changed(add=[added], remove=[rota.shifts[0].shift_id])
    assert len(draft.shifts) == len(rota.shifts) and len(rota.shifts) == 18
    base = forecast(default_profile(), rota, simulate_week=False).totals()
    more = forecast(default_profile(), rota.changed(add=[added]), simulate_week=False).totals()
    assert more["scheduled_hours"] == base["scheduled_hours"] + 12
    assert more["handled_rate"] > base["handled_rate"] and more["abandonment"] < base["abandonment"]


def test_the_documented_rota_is_one_seat_around_the_clock_and_overtime_reaches_seventy_percent() -> None:
    rota = documented_rota()
    assert {len(d) for d in rota.on_duty()} == {1}  # four people, Panama: exactly one seat, 168 h
    profile = default_profile(430, 450)
    base = forecast(profile, rota, simulate_week=False).totals()["handled_rate"]
    assert 20 < base < 45  # far below 70 %, under the 44.7 % ceiling
    more, hours = with_overtime(profile, rota, 0.70)
    assert forecast(profile, more, simulate_week=False).totals()["handled_rate"] >= 70.0
    assert 150 < hours < 300  # several full-time people's worth of overtime a week


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_profile_is_learned_from_recorded_calls(app) -> None:
    """Three weeks: every day one call at 09:10 (branch 2) answered after 20 s, talk 300 s + 60 s
    wrap-up, and one at 09:40 abandoned after 100 s. Per Monday 09:00 slot: 1 call; AHT 360 s;
    patience = total wait / abandons = (20 + 100) × 21 / 21 = 120 s."""
    with app.app_context():
        first = MONDAY - timedelta(weeks=3)
        for d in range(21):
            day = first + timedelta(days=d)
            for minute, outcome, wait in ((10, "answered", 20), (40, "queue_abandoned", 100)):
                entered = datetime(day.year, day.month, day.day, 9, minute, tzinfo=LOCAL_TZ).astimezone(UTC)
                answered = entered + timedelta(seconds=wait) if outcome == "answered" else None
                for copy in range(12):  # 12 callers each time, so the history is long enough
                    db.session.add(
                        Call(
                            call_sid=f"CA{d:04d}{minute:02d}{copy:02d}" + "0" * 24,
                            started_at=entered - timedelta(seconds=20),
                            stage="ended",
                            outcome=outcome,
                            branch=2,
                            queue_entered_at=entered,
                            queue_wait_seconds=wait,
                            answered_at=answered,
                            ended_at=(answered or entered) + timedelta(seconds=300 if answered else wait),
                            wrapup_seconds=60 if answered else None,
                        )
                    )
        db.session.commit()
        profile = learn(db.session, MONDAY, weeks=3)
    assert profile.source.startswith("history: 504 offered calls")
    branch = profile.branches[2]
    assert branch.arrivals[18] == pytest.approx(12.0) and branch.arrivals[19] == pytest.approx(12.0)
    assert branch.arrivals[20] == 0
    assert branch.aht == pytest.approx(360.0)
    assert branch.patience == pytest.approx(120.0)
    assert "branch 1" in " ".join(profile.notes)  # no branch-1 calls: its defaults, said so
