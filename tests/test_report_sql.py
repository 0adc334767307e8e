"""The reports' SQL aggregate counts exactly what the formulas in callcenter/metrics.py count.

Random calls (every outcome, waits on both sides of each threshold, calls offered just before and
after Vietnam midnight, callbacks in each state, conversations in progress, calls still in the menu)
are written as rows; the report built by the database must equal `metrics.totals`/`grouped` over the
same calls, for every grouping and formula.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from callcenter.reports.metrics import FORMULAS, GROUPINGS, CallFact, grouped, totals
from callcenter.reports.service import aggregate_columns, build, keys_for, roll_up, rolled_until
from models import Call, Callback, CallbackStatus, CallOutcome, CallStage, db
from models.report_hour import SUMMED

from .conftest import BACKENDS

FIRST, LAST = date(2026, 11, 20), date(2026, 11, 22)
OUTCOMES = [o.value for o in CallOutcome] + [None]


def random_calls(seed: int, count: int) -> tuple[list[Call], list[Callback], list[CallFact]]:
    """Rows to insert and the facts the reference formulas count (only calls that count in the range)."""
    rng = random.Random(seed)
    # 2026-11-19 17:00 UTC = 20 Nov 00:00 in Vietnam; the range ends 22 Nov 24:00 = 22 Nov 17:00 UTC.
    origin = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)
    calls, callbacks, facts = [], [], []
    start, end = datetime(2026, 11, 19, 17, tzinfo=UTC), datetime(2026, 11, 22, 17, tzinfo=UTC)
    for i in range(count):
        started = origin + timedelta(seconds=rng.randrange(0, 4 * 86400))
        outcome = rng.choice(OUTCOMES)
        offered = outcome not in (CallOutcome.IVR_ABANDONED, CallOutcome.FAILED) and rng.random() < 0.9
        entered = started + timedelta(seconds=rng.randrange(5, 90)) if offered else None
        wait = rng.choice([0, 3, 4, 5, 6, 19, 20, 21, 45, 61, 200, 900]) if offered else None
        stage = CallStage.ENDED.value if outcome else rng.choice([s.value for s in CallStage])
        answered_at = ended_at = wrapup = None
        if outcome in (CallOutcome.ANSWERED, None) and entered is not None:
            answered_at = entered + timedelta(seconds=wait or 0)
            ended_at = answered_at + timedelta(seconds=rng.randrange(30, 900)) if outcome else None
            wrapup = rng.choice([None, 0, 45, 130]) if outcome else None
        branch = rng.choice([1, 2, None])
        group = rng.choice(["accounts", "other", None]) if branch == 2 else None
        call = Call(
            call_sid=f"CA{seed:04d}{i:028d}",
            started_at=started,
            stage=stage,
            outcome=outcome,
            branch=branch,
            problem_group=group,
            queue_entered_at=entered,
            queue_wait_seconds=wait,
            answered_at=answered_at,
            ended_at=ended_at,
            wrapup_seconds=wrapup,
        )
        calls.append(call)
        done = False
        if outcome == CallOutcome.CALLBACK_REQUESTED:
            status = rng.choice([s.value for s in CallbackStatus])
            done = status == CallbackStatus.COMPLETED
            callbacks.append((i, status))
        at = entered or started
        counts = outcome is not None or stage == CallStage.CONNECTED
        if counts and start <= at < end:
            talk = round((ended_at - answered_at).total_seconds()) if ended_at and answered_at else None
            facts.append(CallFact(started, outcome or "answered", branch, group, entered, wait, done, talk, wrapup))
    return calls, callbacks, facts


def insert(calls: list[Call], callbacks: list[tuple[int, str]]) -> None:
    db.session.add_all(calls)
    db.session.flush()
    for index, status in callbacks:
        call = calls[index]
        db.session.add(
            Callback(
                call_id=call.id,
                status=status,
                number_e164=f"+8491{index:07d}",
                branch=call.branch or 2,
                language="vi",
                place_at=call.queue_entered_at or call.started_at,
                next_attempt_at=call.started_at,
                requested_at=call.started_at,
            )
        )
    db.session.commit()


def check_reports_equal_the_formulas(facts: list[CallFact]) -> None:
    """Every grouping, two threshold settings, every formula: report == metrics over `facts`."""
    for by in GROUPINGS:
        for threshold, short in ((20, 5), (60, 10)):
            expected_groups = grouped(facts, by, threshold, short, keys_for(by, FIRST, LAST))
            for formula in FORMULAS:
                report = build(db.session, FIRST, LAST, by, threshold, short, formula)
                assert report["total"] == totals(facts, threshold, short).as_json(formula), (by, formula)
                got = {str(g["key"]): {k: v for k, v in g.items() if k != "key"} for g in report["groups"]}
                want = {
                    str({"weekday": k[0], "hour": k[1]} if isinstance(k, tuple) else k): t.as_json(formula)
                    for k, t in expected_groups.items()
                }
                differing = {
                    (key, name): (value, want.get(key, {}).get(name))
                    for key, figures in got.items()
                    for name, value in figures.items()
                    if want.get(key, {}).get(name) != value
                }
                assert got.keys() == want.keys() and not differing, (by, threshold, formula, differing)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_sql_report_equals_the_formulas_over_the_same_calls(app) -> None:
    calls, callbacks, facts = random_calls(seed=7, count=600)
    with app.app_context():
        insert(calls, callbacks)
        check_reports_equal_the_formulas(facts)
    assert len(facts) > 350 and any(f.outcome == "callback_requested" and f.callback_completed for f in facts)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_hourly_figures_give_the_same_report_and_take_in_late_changes(app) -> None:
    """Rolled up to the middle of the range (now − 48 h), the report reads the hourly figures for the
    first part and the calls for the rest, and still equals the formulas; a call changed within the
    redo window is taken in by the next roll-up; a second run changes nothing."""
    assert list(aggregate_columns(20, 5)) == SUMMED
    calls, callbacks, facts = random_calls(seed=11, count=600)
    now = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)  # rolled until 21 Nov 12:00 UTC
    with app.app_context():
        insert(calls, callbacks)
        for threshold, short in ((20, 5), (60, 10)):
            assert roll_up(db.session, now, threshold, short) > 0
        db.session.commit()
        assert rolled_until(db.session, 20, 5) == datetime(2026, 11, 21, 12, tzinfo=UTC)
        check_reports_equal_the_formulas(facts)

        # A callback completes late for a call counted before the roll-up's end.
        late, call = next(
            (callback, call)
            for callback, call in db.session.execute(select(Callback, Call).join(Call, Call.id == Callback.call_id))
            if callback.status != "completed"
            and call.queue_entered_at is not None
            and call.outcome == "callback_requested"
            and datetime(2026, 11, 19, 17, tzinfo=UTC) <= call.queue_entered_at < datetime(2026, 11, 21, tzinfo=UTC)
        )
        late.status = "completed"
        db.session.commit()
        facts = [
            replace(f, callback_completed=True)
            if f.queue_entered_at == call.queue_entered_at and f.started_at == call.started_at
            else f
            for f in facts
        ]
        for threshold, short in ((20, 5), (60, 10)):
            rows = roll_up(db.session, now + timedelta(hours=1), threshold, short)
            assert rows == roll_up(db.session, now + timedelta(hours=1), threshold, short)  # idempotent
        db.session.commit()
        check_reports_equal_the_formulas(facts)
