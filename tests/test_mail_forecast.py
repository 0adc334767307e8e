"""E-mail as deferrable work in the simulation and the forecast (issue 15): exact small scenarios with
given arrival times and constant handle times (aht_cv = 0), worked out by hand."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.forecast.mail_forecast import MIN_HISTORY_MAILS, learn_mail, reality_check_blended
from callcenter.forecast.mail_sim import MailLoad, simulate_blended
from callcenter.forecast.reality import MONDAY
from callcenter.forecast.scenario import Scenario, SimAgent
from callcenter.forecast.simulation import simulate
from callcenter.mail.contact import open_conversation
from models import db


def scenario(intervals: int = 4, agents: int = 1, aht: float = 300, patience: float = math.inf) -> Scenario:
    """Branch 2 only, one agent on duty for the whole horizon (1,800 s per interval), constant talk."""
    horizon = intervals * 1800.0
    return Scenario(
        arrivals={2: [0.0] * intervals},
        aht={2: aht},
        patience={2: patience},
        agents=[SimAgent(f"a{i}", frozenset({2}), ((0, horizon),)) for i in range(agents)],
        aht_cv=0.0,
    )


def mail(intervals: int = 4, handle: float = 600, target: float = 1000) -> MailLoad:
    return MailLoad({2: [0.0] * intervals}, handle, target)


def test_emails_fill_idle_time_oldest_first() -> None:
    # e-mails at 0 and 100, 600 s each: the first answered at 600 (waited 600 ≤ 1000: within), the second
    # started at 600 and answered at 1200 (1100 after it came: not within)
    result = simulate_blended(scenario(), mail(), arrival_times={2: []}, mail_times={2: [0, 100]})
    m = result.mail
    assert (m.received, m.answered, m.answered_within, m.backlog_at_end, m.interrupted) == (2, 2, 1, 0, 0)
    assert m.busy_seconds == 1200
    assert result.calls.totals().busy_seconds == 1200  # the agent's busy time includes the e-mail work


def test_a_call_interrupts_email_work_and_the_email_resumes() -> None:
    # e-mail at 0 (600 s); a call at 200 (300 s) finds nobody idle → the agent leaves the e-mail after 200 s,
    # talks 200–500, then resumes the e-mail with its 400 s left: answered at 900 (within 1000)
    trace: list = []
    result = simulate_blended(scenario(), mail(), arrival_times={2: [200]}, mail_times={2: [0]}, trace=trace)
    assert [(t, e) for t, e, *_ in trace] == [(200, "arrive"), (200, "offer"), (200, "answer")]
    calls, m = result.calls.totals(), result.mail
    assert (calls.offered, calls.answered, calls.wait_seconds_answered) == (1, 1, 0)
    assert (m.answered, m.answered_within, m.interrupted) == (1, 1, 1)
    assert m.busy_seconds == 600 and calls.busy_seconds == 900  # 200 + 300 + 400
    assert result.handled_share() == 1.0  # (1 call + 1 e-mail) / (1 + 1)


def test_waiting_calls_go_before_an_older_email() -> None:
    # call A at 0 (300 s); e-mail at 10; call B at 20 waits. At 300 the agent takes B (a call waits), not the
    # older e-mail; B 300–600, the e-mail 600–1200: 1190 s after it came (target 1200: within)
    trace: list = []
    result = simulate_blended(
        scenario(), mail(target=1200), arrival_times={2: [0, 20]}, mail_times={2: [10]}, trace=trace
    )
    answers = [t for t, e, *_ in trace if e == "answer"]
    assert answers == [0, 300]
    assert (result.mail.answered, result.mail.answered_within) == (1, 1)
    assert result.calls.totals().wait_seconds_answered == 280  # B waited 20 → 300


def test_backlog_at_the_week_end_and_the_handled_rate() -> None:
    # 2 intervals (3,600 s), e-mails of 1,500 s at 0, 10, 20; the agent starts the first at 0. A call at 100
    # finds her on it → she leaves it (1,400 s left) and talks 100–400; the first e-mail resumes 400–1800,
    # the second 1800–3300, the third 3300–4800: at the horizon's end (3600) it is in hand → backlog 1; she
    # finishes it after her shift (answered 3).
    result = simulate_blended(
        scenario(intervals=2, patience=60),
        mail(intervals=2, handle=1500, target=3600),
        arrival_times={2: [100]},
        mail_times={2: [0, 10, 20]},
    )
    m = result.mail
    assert (m.received, m.answered, m.backlog_at_end, m.interrupted) == (3, 3, 1, 1)
    # within 3600 s: 1800 − 0 and 3300 − 10 yes; 4800 − 20 no
    assert m.answered_within == 2
    assert result.handled_share() == 1.0  # (1 call + 3 e-mails) / (1 + 3)


def test_nobody_on_duty_leaves_everything_waiting() -> None:
    sc = replace(scenario(patience=60), agents=[])
    result = simulate_blended(sc, mail(), arrival_times={2: [0, 10]}, mail_times={2: [5, 6]})
    assert (result.mail.received, result.mail.answered, result.mail.backlog_at_end) == (2, 0, 2)
    assert result.calls.totals().abandoned == 2
    assert result.handled_share() == 0.0  # 0 / (2 calls + 2 e-mails)


def test_no_email_load_changes_nothing_for_the_calls() -> None:
    from callcenter.forecast.profile import default_profile
    from callcenter.forecast.reality import documented_rota
    from callcenter.forecast.week import Targets, scenario_for

    rota = documented_rota()
    profile = default_profile(430, 450)
    sc = scenario_for(profile, rota, profile.week(rota.monday), Targets(threshold=60), 1)
    alone = simulate(sc).totals()
    blended = simulate_blended(sc, MailLoad({2: [0.0] * 336})).calls.totals()
    assert blended == alone


def test_reality_check_with_emails_is_on_the_departments_basis() -> None:
    (row,) = reality_check_blended((430,), (7.5,), email_share=0.3, seeds=1)
    assert row["department_handled"] == 70.0
    # 430 × 0.3 = 129 e-mails a day ≈ 903 a week (Poisson: within a few percent)
    assert 820 < row["emails_received_per_week"] < 990
    assert 0 < row["handled_calls_and_emails"] <= 100
    assert row["emails_answered_per_week"] <= row["emails_received_per_week"]


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session


def test_learn_mail_needs_enough_history_then_counts_per_half_hour(session) -> None:
    def at(day_offset: int, hour: int) -> datetime:  # Vietnam time, weeks before MONDAY
        return datetime.combine(MONDAY - timedelta(days=day_offset), datetime.min.time(), UTC) + timedelta(
            hours=hour - 7
        )

    assert learn_mail(session, MONDAY) is None
    # MIN_HISTORY_MAILS e-mails on Tuesdays 09:00 Vietnam time, spread over the 4 weeks (6, 13, 20, 27 days
    # before MONDAY): slot Tuesday 09:00 = 48 + 18 = 66 gets n / 4 a week
    for i in range(MIN_HISTORY_MAILS):
        open_conversation(
            session, sender="a@b.vn", to_address=None, branch=2, problem_group=None, language="vi",
            at=at(6 + 7 * (i % 4), 9),
        )  # fmt: skip
    session.flush()
    arrivals, handle = learn_mail(session, MONDAY)
    assert arrivals[2][66] == MIN_HISTORY_MAILS / 4 and sum(arrivals[2]) == MIN_HISTORY_MAILS / 4
    assert handle == 450.0  # no answered ones recorded: the default 7.5 min
