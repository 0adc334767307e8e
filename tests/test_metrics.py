"""The report formulas against hand-worked examples (callcenter/metrics.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from callcenter.reports.metrics import FORMULAS, CallFact, grouped, totals

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam


def call(outcome: str, wait: int, at: datetime = T0, **kw: object) -> CallFact:
    return CallFact(
        started_at=at - timedelta(seconds=30), outcome=outcome, queue_entered_at=at, wait_seconds=wait, **kw
    )


def cisco_example() -> list[CallFact]:
    """callcenter.md: 100 offered, 70 answered within T, 10 abandoned within T (4 of them short),
    plus 15 answered late (45 s) and 5 abandoned late (90 s)."""
    return (
        [call("answered", 10)] * 70
        + [call("queue_abandoned", 3)] * 4
        + [call("queue_abandoned", 12)] * 6
        + [call("answered", 45)] * 15
        + [call("queue_abandoned", 90)] * 5
    )


def test_service_level_variants_match_the_published_and_hand_worked_figures() -> None:
    t = totals(cisco_example(), threshold=20, short_seconds=5)
    expected = {
        "cisco_ignore": 70 / 90,  # 77.8 %, as published
        "cisco_against": 70 / 100,  # 70 %
        "cisco_favour": 80 / 100,  # 80 %
        "asterisk": 70 / 85,  # answered within / answered
        "asterisk_sl2": 80 / 100,
        "genesys": 70 / (85 + 15 - 4),  # short abandons left out
    }
    assert set(expected) == set(FORMULAS)
    for formula, share in expected.items():
        assert t.service_level(formula) == pytest.approx(share), formula
    figures = t.as_json()
    assert figures["service_level"] == 70.0 and t.as_json("cisco_ignore")["service_level"] == 77.8
    assert (figures["offered"], figures["answered"], figures["abandoned"], figures["short_abandoned"]) == (
        100,
        85,
        15,
        4,
    )
    assert figures["abandonment_rate"] == 15.0
    assert figures["asa_seconds"] == 16.2  # (70 × 10 + 15 × 45) / 85 = 1375 / 85 = 16.18
    assert figures["longest_wait_seconds"] == 90
    assert figures["handled_rate"] == 85.0
    assert figures["time_to_abandon"] == {"<=5s": 4, "<=20s": 6, "<=120s": 5}


def test_callbacks_and_voicemail_are_not_abandons_and_completed_callbacks_are_handled() -> None:
    facts = [
        call("answered", 30),
        call("queue_abandoned", 50),
        call("callback_requested", 40, callback_completed=True),
        call("callback_requested", 60),
        call("voicemail", 70),
        CallFact(started_at=T0, outcome="ivr_abandoned"),  # never reached a queue: not offered
    ]
    figures = totals(facts).as_json()
    assert (figures["offered"], figures["abandoned"], figures["ivr_abandoned"]) == (5, 1, 1)
    assert (figures["callbacks_requested"], figures["callbacks_completed"], figures["voicemails"]) == (2, 1, 1)
    assert figures["abandonment_rate"] == 20.0  # 1 / 5
    assert figures["handled"] == 2 and figures["handled_rate"] == 40.0  # (1 answered + 1 callback) / 5


def test_a_call_crossing_midnight_counts_on_the_day_it_was_offered_and_empty_days_show_zeros() -> None:
    late = datetime(2026, 11, 23, 16, 59, 50, tzinfo=UTC)  # 23:59:50 on the 23rd, Vietnam time
    facts = [
        call("answered", 40, at=late),  # answered at 00:00:30 on the 24th
        CallFact(started_at=late + timedelta(seconds=20), outcome="ivr_abandoned"),  # 00:00:10 on the 24th
    ]
    days = [date(2026, 11, 22).isoformat(), date(2026, 11, 23).isoformat(), date(2026, 11, 24).isoformat()]
    by_day = grouped(facts, "day", keys=days)
    assert list(by_day) == days
    assert by_day["2026-11-23"].offered == 1 and by_day["2026-11-23"].answered == 1
    assert by_day["2026-11-24"].offered == 0 and by_day["2026-11-24"].ivr_abandoned == 1
    empty = by_day["2026-11-22"].as_json()
    assert empty["offered"] == 0 and empty["service_level"] is None and empty["abandonment_rate"] is None
    by_hour = grouped(facts, "hour")
    assert by_hour[23].offered == 1 and by_hour[0].ivr_abandoned == 1
    assert grouped(facts, "weekday_hour")[(0, 23)].answered == 1  # Monday 23:00


def test_agent_figures_from_state_events_by_hand() -> None:
    """08:00–10:00, available at 08:00: one call (20 s ring, 6 min talk, 2 min wrap-up), one missed ring."""
    from callcenter.reports.agents import StateChange, figures

    def at(h: int, m: int, s: int = 0) -> datetime:
        return datetime(2026, 11, 23, h, m, s, tzinfo=UTC)

    changes = [
        StateChange(at(7, 50), "AGENTLOGIN", "available"),  # before the period: ignored (the start state says it)
        StateChange(at(8, 10), "RINGING", "ringing"),
        StateChange(at(8, 10, 20), "CONNECT", "on_call"),
        StateChange(at(8, 16, 20), "WRAPUP", "wrap_up"),
        StateChange(at(8, 18, 20), "READY", "available"),
        StateChange(at(9, 0), "RINGING", "ringing"),
        StateChange(at(9, 0, 20), "RINGNOANSWER", "break"),
        StateChange(at(9, 10), "UNPAUSE", "available"),
    ]
    result = figures("available", changes, at(8, 0), at(10, 0)).as_json()
    assert result["seconds_by_state"] == {
        "available": 600 + 2500 + 3000,
        "ringing": 40,
        "on_call": 360,
        "wrap_up": 120,
        "break": 580,
    }
    assert sum(result["seconds_by_state"].values()) == 7200
    assert result["missed_rings"] == 1  # handled and AHT come from the calls (the service report's sums)
    assert result["occupancy"] == 7.9  # (40 + 360 + 120) / (520 + 6100) = 7.85 %
    assert figures("offline", [], at(8, 0), at(10, 0)).as_json()["occupancy"] is None  # never logged in


def test_report_groups_are_in_natural_order() -> None:
    from callcenter.reports.metrics import Totals
    from callcenter.reports.service import _sorted

    assert [k for k, _ in _sorted({(0, 10): Totals(), (0, 2): Totals(), (1, 0): Totals()})] == [(0, 2), (0, 10), (1, 0)]
    assert [k for k, _ in _sorted({None: Totals(), "other": Totals(), "accounts": Totals()})] == [
        "accounts",
        "other",
        None,
    ]
    assert [k for k, _ in _sorted({10: Totals(), 2: Totals()})] == [2, 10]


def test_aht_is_talk_plus_after_call_work_over_the_answered_calls_that_ended() -> None:
    facts = [
        call("answered", 10, talk_seconds=300, wrapup_seconds=60),
        call("answered", 10, talk_seconds=200),  # wrap-up not saved yet: no after-call work counted
        call("answered", 10),  # still talking: not in AHT
        call("queue_abandoned", 10),
    ]
    assert totals(facts).as_json()["aht_seconds"] == 280.0  # (300 + 60 + 200) / 2
    assert totals([call("queue_abandoned", 10)]).as_json()["aht_seconds"] is None
