"""The reality check and the levers (README, "Staffing forecast"): the documented situation — four
people on the Panama rota, 24/7, 400–450 contacts a day at 5–10 minutes — run through Erlang A and the
simulation, and what each product lever changes at today's staff-hours.

Every assumption is a field of `Levers` (the CLI exposes them), so a supervisor who disagrees with
one changes it and reruns: `flask forecast reality`, `flask forecast levers --help`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from callcenter.forecast.erlang import erlang_a_performance
from callcenter.forecast.profile import (
    DAY_INTERVALS,
    INTERVAL_SECONDS,
    WEEK_INTERVALS,
    TrafficProfile,
    default_profile,
    pooled,
)
from callcenter.forecast.scenario import CallbackOffer, IntervalStats
from callcenter.forecast.week import PlannedShift, Targets, WeekRota, forecast, simulated_weeks
from callcenter.reports.levers import ASSUMED_AHT_REDUCTION, ASSUMED_DEFLECT_SHARE
from callcenter.rota.service import panama_shifts

MONDAY = date(2026, 11, 23)
PEOPLE = {1: "agent1", 2: "agent2", 3: "agent3", 4: "agent4"}
DEPARTMENT_HANDLED = 0.70


def documented_rota(monday: date = MONDAY, shift_hours_later: float = 0.0) -> WeekRota:
    """Four people on the Panama 2-2-3 rota (12-hour shifts at 07:00 and 19:00), both branches each;
    `shift_hours_later` moves every handover (e.g. 1.0: 08:00 and 20:00)."""
    move = timedelta(hours=shift_hours_later)
    shifts = tuple(
        PlannedShift(p.agent_index + 1, p.starts_at + move, p.ends_at + move, i)
        for i, p in enumerate(panama_shifts(monday - timedelta(days=1), 9, cycle_start=MONDAY))
    )
    return WeekRota(monday, shifts, names=PEOPLE, skills={i: frozenset({1, 2}) for i in PEOPLE})


def physical_ceiling(calls_per_day: float, aht: float, seat_hours_per_day: float) -> float:
    """The most that could be handled if every staffed second were spent handling: capacity / demand."""
    return min(1.0, seat_hours_per_day * 3600 / aht / calls_per_day)


def with_overtime(profile: TrafficProfile, rota: WeekRota, target: float) -> tuple[WeekRota, float]:
    """Add one agent at a time to the half hour where Erlang A says it answers the most extra calls,
    until the week's answered share reaches `target`; returns the rota and the hours added."""
    week = profile.week(rota.monday, rota.holidays)
    load = [pooled(week, profile, i) for i in range(WEEK_INTERVALS)]
    staff = [len(d) for d in rota.on_duty()]
    total = sum(c for c, _, _ in load)

    def answered(i: int, n: int) -> float:
        calls, aht, patience = load[i]
        if calls <= 0:
            return 0.0
        return calls * erlang_a_performance(n, calls / INTERVAL_SECONDS, aht, patience, 60).answered

    current = [answered(i, staff[i]) for i in range(WEEK_INTERVALS)]
    gains = [answered(i, staff[i] + 1) - current[i] for i in range(WEEK_INTERVALS)]
    added: list[int] = []
    while sum(current) / total < target and len(added) < 20 * WEEK_INTERVALS:
        best = max(range(WEEK_INTERVALS), key=gains.__getitem__)
        staff[best] += 1
        added.append(best)
        current[best] += gains[best]
        gains[best] = answered(best, staff[best] + 1) - current[best]
    slot = timedelta(seconds=INTERVAL_SECONDS)
    start = rota.start
    extra = tuple(PlannedShift(100 + k, start + i * slot, start + (i + 1) * slot) for k, i in enumerate(added))
    skills = {**rota.skills, **{100 + k: frozenset({1, 2}) for k in range(len(added))}}
    return replace(rota.changed(add=extra), skills=skills), len(added) / 2


def reality_check(
    calls_per_day: Sequence[float] = (400, 430, 450), aht_minutes: Sequence[float] = (5, 7.5, 10), seeds: int = 3
) -> list[dict[str, Any]]:
    """Handled rate by Erlang A and by simulation, the physical ceiling, the overtime to reach 70 %,
    and the agents needed for 80 % within 60 s with under 5 % abandoning, per load."""
    rota = documented_rota()
    seat_hours = sum(len(d) for d in rota.on_duty()) / 2 / 7
    rows = []
    for calls in calls_per_day:
        for minutes in aht_minutes:
            profile = default_profile(calls, minutes * 60)
            result = forecast(profile, rota, Targets(0.80, 60, 0.05), simulate_week=False)
            simulated = _mean_served(profile, rota, seeds)
            overtime_rota, overtime_hours = with_overtime(profile, rota, DEPARTMENT_HANDLED)
            required = [i.required for i in result.intervals]
            rows.append(
                {
                    "calls_per_day": calls,
                    "aht_minutes": minutes,
                    "handled_erlang_a": result.totals()["handled_rate"],
                    "handled_simulated": round(100 * simulated, 1),
                    "physical_ceiling": round(100 * physical_ceiling(calls, minutes * 60, seat_hours), 1),
                    "overtime_hours_per_week_for_70": overtime_hours,
                    "handled_simulated_with_that_overtime": round(100 * _mean_served(profile, overtime_rota, seeds), 1),
                    "required_agent_hours_per_week": sum(required) / 2,
                    "required_peak_agents": max(required),
                    "required_by_hour_monday": [max(required[2 * h : 2 * h + 2]) for h in range(24)],
                }
            )
    return rows


def _mean_served(profile: TrafficProfile, rota: WeekRota, seeds: int) -> float:
    week = profile.week(rota.monday, rota.holidays)
    weeks = simulated_weeks(profile, rota, week, Targets(threshold=60), range(1, seeds + 1))
    return sum(t.served_share for t in weeks) / len(weeks)


@dataclass(frozen=True)
class Levers:
    """The assumptions behind each lever (all adjustable)."""

    calls_per_day: float = 430
    aht_minutes: float = 7.5
    # Incidents: outages during office hours when calls surge; the announcement deflects a share.
    incident_days: tuple[int, ...] = (1, 3)  # Tuesday and Thursday…
    incident_hours: tuple[int, int] = (9, 13)  # …09:00–13:00
    incident_surge: float = 1.0  # calls during an incident: (1 + surge) × usual
    deflect_share: float = ASSUMED_DEFLECT_SHARE  # callers who hang up after the announcement told them…
    # Screen pop (caller's history, problem group) and the answer base: shorter handling.
    aht_reduction: float = ASSUMED_AHT_REDUCTION
    # Whether each of those two is this assumption or measured from the answer base's data
    # (callcenter/forecast/measured.py): "assumed" or "measured".
    deflect_share_source: str = "assumed"
    aht_reduction_source: str = "assumed"
    # Callbacks: callers waiting over `callback_after` s take one; dialled only 07:00–21:00.
    callback_share: float = 0.5
    callback_after: float = 60
    callback_hours: tuple[int, int] = (7, 21)
    # Shift times: every handover moved this many hours later (07/19 → 08/20).
    shift_hours_later: float = 1.0
    seeds: int = 5


def with_measured(a: Levers, measured: dict[str, dict[str, Any]], keep: Collection[str] = ()) -> Levers:
    """`a` with the levers of callcenter/reports/levers.py `measured_levers` (value and source), except
    those named in `keep` (a supervisor's own figure, given as an option)."""
    changes: dict[str, Any] = {}
    for name, lever in measured.items():
        if name not in keep:
            changes[name], changes[f"{name}_source"] = lever["value"], lever["source"]
    return replace(a, **changes)


def levers(assumptions: Levers = Levers()) -> list[dict[str, Any]]:
    """Served share ((answered + callbacks completed) / callers who wanted a person) for today and for
    each lever alone and all combined, at today's staff-hours (the same four people)."""
    a = assumptions
    surge = [1.0] * WEEK_INTERVALS
    for day in a.incident_days:
        for slot in range(a.incident_hours[0] * 2, a.incident_hours[1] * 2):
            surge[day * DAY_INTERVALS + slot] = 1 + a.incident_surge
    deflection = [a.deflect_share if s > 1 else 0.0 for s in surge]
    callbacks = CallbackOffer(a.callback_after, a.callback_share, *a.callback_hours)
    options: dict[str, dict[str, Any]] = {
        "announcement": {"deflection": deflection},
        "shorter handling": {"aht_factor": 1 - a.aht_reduction},
        "callbacks": {"callbacks": callbacks},
        "shift times": {"shift_hours_later": a.shift_hours_later},
    }
    cases = [("today", {})] + list(options.items())
    cases.append(("all combined", {k: v for opts in options.values() for k, v in opts.items()}))
    rows = []
    for name, opts in cases:
        rota = documented_rota(shift_hours_later=opts.get("shift_hours_later", 0.0))
        profile = default_profile(a.calls_per_day, a.aht_minutes * 60 * opts.get("aht_factor", 1.0))
        week = {b: [v * s for v, s in zip(arr, surge, strict=True)] for b, arr in profile.week(MONDAY).items()}
        totals = _lever_totals(profile, rota, week, a.seeds, opts)
        rows.append({"lever": name, "source": _source(name, a), **totals})
    return rows


def _source(name: str, a: Levers) -> str | None:
    """Whether the lever's figure is measured or assumed (None for today's situation)."""
    if name == "today":
        return None
    if name == "announcement":
        return a.deflect_share_source
    if name == "shorter handling":
        return a.aht_reduction_source
    if name == "all combined":
        both = a.deflect_share_source == a.aht_reduction_source == "measured"
        return "measured" if both else "assumed"
    return "assumed"


def _lever_totals(
    profile: TrafficProfile, rota: WeekRota, week: dict[int, list[float]], seeds: int, opts: dict[str, Any]
) -> dict[str, Any]:
    changes = {name: opts[name] for name in ("deflection", "callbacks") if name in opts}
    t = sum(
        simulated_weeks(profile, rota, week, Targets(threshold=60), range(1, seeds + 1), **changes), IntervalStats()
    )
    offered = t.offered or 1
    return {
        "served_share": round(100 * (t.answered + t.callbacks_completed) / offered, 1),
        "abandonment": round(100 * t.abandoned / offered, 1),
        "callbacks_completed_per_week": round(t.callbacks_completed / seeds),
        "deflected_per_week": round(t.deflected / seeds),
        "offered_per_week": round(t.offered / seeds),
    }
