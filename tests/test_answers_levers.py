"""The forecast's levers from the answer base (issue 16): "shorter handling" and "deflection" measured
when there are enough calls and feedback answers, else the assumption — and the source said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.forecast.reality import Levers, with_measured
from callcenter.reports.levers import MIN_CALLS, deflection, measured_levers, shorter_handling
from models import db

from .answers_data_support import answered_call, entry
from .conftest import BACKENDS

T = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
START, END = T - timedelta(days=1), T + timedelta(days=30)


def calls(with_answer: int, without: int) -> None:
    """One call every 20 min: with an answer 240 s talk + 60 s wrap-up = 300 s; without 340 + 60 = 400 s."""
    a = entry("Đổi mật khẩu tài khoản VNACCS", codes=("IDA",), at=T - timedelta(days=5), helped=14, not_helped=6)
    entry("Lỗi E1003 khi truyền tờ khai", group="incidents", at=T - timedelta(days=3), helped=6, not_helped=4)
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
        basis = measured_levers(db.session, START, END)
    levers = with_measured(Levers(), basis)
    # (400 − 300) / 400 = 25 % shorter; 20 helped / (20 helped + 60 branch-2 calls) = 25 % deflected.
    assert (levers.aht_reduction, levers.aht_reduction_source) == (0.25, "measured")
    assert (levers.deflect_share, levers.deflect_share_source) == (0.25, "measured")
    handling = basis["aht_reduction"]
    assert handling["with_answer"] == {"calls": 30, "talked": 30, "aht_seconds": 300.0}
    assert handling["without_answer"] == {"calls": 30, "talked": 30, "aht_seconds": 400.0}
    d = basis["deflect_share"]
    assert (d["helped"], d["not_helped"], d["calls"]) == (20, 10, 60)
    assert d["since"].startswith("2026-10-28"), "counted from the first publication"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_too_little_data_keeps_the_assumptions_and_says_so(app) -> None:
    with app.app_context():
        calls(MIN_CALLS - 1, MIN_CALLS)  # one call short on the answer side
        basis = measured_levers(db.session, START, END)
        assert deflection(db.session, END, 0.4, min_calls=61)["source"] == "assumed", "60 calls < 61"
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
    assert basis["deflect_share"]["since"] is None and basis["deflect_share"]["source"] == "assumed"


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
