"""The forecast's levers from the answer base (issue 16): "shorter handling" and "deflection" measured
when there are enough calls and feedback answers in the period, else the assumption — and the source said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.forecast.reality import Levers, with_measured
from callcenter.reports.levers import MIN_CALLS, deflection, measured_levers, shorter_handling
from models import db

from .answers_data_support import answered_call, entry, votes
from .conftest import BACKENDS

T = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
START, END = T - timedelta(days=1), T + timedelta(days=30)


def calls(with_answer: int, without: int) -> None:
    """One call every 20 min: with an answer 240 s talk + 60 s wrap-up = 300 s; without 340 + 60 = 400 s.
    In [START, END): 20 helped and 10 did not; outside it 5 helped before, 3 helped and 2 did not at END."""
    a = entry("Đổi mật khẩu tài khoản VNACCS", codes=("IDA",), at=T - timedelta(days=5))
    b = entry("Lỗi E1003 khi truyền tờ khai", group="incidents", at=T - timedelta(days=3))
    votes(a, START - timedelta(days=1), helped=5)
    votes(a, T, helped=14, not_helped=6)
    votes(b, T + timedelta(days=2), helped=6, not_helped=4)
    votes(b, END, helped=3, not_helped=2)
    n = 0
    for used, count, talk in ((True, with_answer, 240), (False, without, 340)):
        for _ in range(count):
            n += 1
            at = T + timedelta(minutes=20 * n)
            answered_call(n, at, talk=talk, wrapup=60, group="accounts", code="IDA", used=(a,) if used else ())
    db.session.commit()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_enough_data_measures_both_levers(app) -> None:
    with app.app_context():
        calls(MIN_CALLS, MIN_CALLS)
        for n in range(4):  # branch-2 calls before START: not counted
            answered_call(900 + n, START - timedelta(hours=n + 1), talk=100, wrapup=10, group="accounts")
        db.session.commit()
        basis = measured_levers(db.session, START, END)
    levers = with_measured(Levers(), basis)
    # (400 − 300) / 400 = 25 % shorter; 20 helped / (20 helped + 60 branch-2 calls) = 25 % deflected.
    assert (levers.aht_reduction, levers.aht_reduction_source) == (0.25, "measured")
    assert (levers.deflect_share, levers.deflect_share_source) == (0.25, "measured")
    handling = basis["aht_reduction"]
    assert handling["with_answer"] == {"calls": 30, "talked": 30, "aht_seconds": 300.0}
    assert handling["without_answer"] == {"calls": 30, "talked": 30, "aht_seconds": 400.0}
    d = basis["deflect_share"]
    assert (d["helped"], d["not_helped"], d["calls"]) == (20, 10, 60), "only what is dated in [START, END)"
    assert (d["start"], d["end"]) == (START.isoformat(), END.isoformat())


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_too_little_data_keeps_the_assumptions_and_says_so(app) -> None:
    with app.app_context():
        calls(MIN_CALLS - 1, MIN_CALLS)  # one call short on the answer side
        basis = measured_levers(db.session, START, END)
        assert deflection(db.session, START, END, 0.4, min_calls=31)["source"] == "assumed", "30 answers < 31"
        assert shorter_handling(db.session, START, END, 0.15, min_calls=29)["source"] == "measured"
    levers = with_measured(Levers(), basis)
    assert (levers.aht_reduction, levers.aht_reduction_source) == (0.15, "assumed")
    assert basis["aht_reduction"]["with_answer"]["talked"] == 29
    assert (levers.deflect_share, levers.deflect_share_source) == (0.253, "measured"), "20 / (20 + 59)"


def test_an_empty_base_is_all_assumption(app) -> None:
    with app.app_context():
        basis = measured_levers(db.session, START, END)
    levers = with_measured(Levers(), basis)
    assert levers == Levers()
    d = basis["deflect_share"]
    assert (d["helped"], d["not_helped"], d["calls"], d["source"]) == (0, 0, 0, "assumed")


def test_the_cli_and_the_levers_say_the_source(app) -> None:
    runner = app.test_cli_runner()
    out = runner.invoke(args=["forecast", "levers", "--seeds", "1"]).output
    assert "shorter handling: 15.0% assumed" in out and "deflection: 40.0% assumed" in out
    assert "(30 of each needed to measure)" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith(("announcement", "shorter"))}
    assert lines["announcement"].endswith("assumed") and lines["shorter"].endswith("assumed")
    with app.app_context():
        calls(MIN_CALLS, MIN_CALLS)
    out = runner.invoke(args=["forecast", "levers", "--seeds", "1", "--deflect-share", "0.3"]).output
    assert "deflection: 30.0% assumed" in out, "an option given on the command line is used as given"
    assert "shorter handling: 25.0% measured" in out and "AHT 300.0 s over 30 calls with an answer" in out
    assert "--measured-days" in runner.invoke(args=["forecast", "levers", "--help"]).output


def test_the_report_carries_the_levers(app, client, make_user) -> None:
    with app.app_context():
        calls(MIN_CALLS, MIN_CALLS)
    body = client.get("/api/reports/answers?from=2026-11-01&to=2026-11-30", headers=make_user("supervisor")).get_json()
    assert body["levers"]["aht_reduction"]["source"] == "measured" and body["levers"]["aht_reduction"]["value"] == 0.25
    assert body["levers"]["deflect_share"]["source"] == "measured"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_deflection_switches_at_exactly_min_calls_answers_and_calls(app) -> None:
    """30 answers (21 helped) one a minute from T, then 30 branch-2 calls one every 20 min from T + 1 day:
    measured 21 / (21 + 30) = 0.412 over [T, T + 2 days); one answer or one call fewer is the assumption."""
    with app.app_context():
        e = entry("Đổi mật khẩu tài khoản VNACCS", at=T - timedelta(days=5))
        votes(e, T, helped=21, not_helped=9)
        last_call = T
        for n in range(1, 31):
            last_call = T + timedelta(days=1, minutes=20 * n)
            answered_call(n, last_call, talk=200, wrapup=30)
        db.session.commit()
        two_days = T + timedelta(days=2)
        full = deflection(db.session, T, two_days, 0.4)
        assert (full["helped"], full["not_helped"], full["calls"]) == (21, 9, 30)
        assert (full["value"], full["source"]) == (0.412, "measured")
        # The first answer (helped, at T) falls before the start: 29 answers < 30.
        later = deflection(db.session, T + timedelta(seconds=1), two_days, 0.4)
        assert (later["helped"], later["not_helped"], later["calls"]) == (20, 9, 30)
        assert (later["value"], later["source"]) == (0.4, "assumed")
        # The last call is at the (exclusive) end: 29 calls < 30.
        shorter = deflection(db.session, T, last_call, 0.4)
        assert (shorter["helped"], shorter["not_helped"], shorter["calls"]) == (21, 9, 29)
        assert shorter["source"] == "assumed"
        assert deflection(db.session, T, last_call, 0.4, min_calls=29)["value"] == 0.42, "21 / (21 + 29)"
