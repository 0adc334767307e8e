"""A week's forecast for a rota (the published one or a draft): per half hour the agents scheduled,
the agents required for the target, the expected service level and abandonment, the gaps; and week
totals, from Erlang A (pooled branches, steady state per half hour) and from the simulation (skills,
shift edges, callers carried over from one half hour to the next).

The rota is read once into a `WeekRota` (plain data); a what-if is the same rota with shifts added or
removed, forecast the same way, so the difference is what the change does and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from callcenter.forecast.erlang import agents_needed, erlang_a_performance
from callcenter.forecast.profile import BRANCHES, INTERVAL_SECONDS, WEEK_INTERVALS, TrafficProfile, pooled
from callcenter.forecast.scenario import IntervalStats, Scenario, SimAgent
from callcenter.forecast.simulation import simulate
from callcenter.rota.service import LOCAL_TZ, RotaService, staffing
from models import Agent

DEPARTMENT_HANDLED_RATE = 0.70  # hotline.md: about 70 % of requests get handled today


@dataclass(frozen=True)
class Targets:
    """What "enough agents" means: `service_level` answered within `threshold` s, at most `max_abandonment`."""

    service_level: float = 0.80
    threshold: float = 60.0
    max_abandonment: float = 0.05


@dataclass(frozen=True)
class PlannedShift:
    """A shift as the forecast sees it (`shift_id` None: a draft shift not saved yet)."""

    agent_id: int
    starts_at: datetime
    ends_at: datetime
    shift_id: int | None = None


@dataclass(frozen=True)
class WeekRota:
    """The rota of the week starting `monday` (Vietnam time), as plain data."""

    monday: date
    shifts: tuple[PlannedShift, ...]
    absences: tuple[tuple[int, datetime, datetime], ...] = ()
    names: Mapping[int, str] = field(default_factory=dict)
    skills: Mapping[int, frozenset[int]] = field(default_factory=dict)  # agent id → branches
    holidays: frozenset[date] = frozenset()

    @property
    def start(self) -> datetime:
        return datetime.combine(self.monday, time(), LOCAL_TZ)

    def changed(self, add: Iterable[PlannedShift] = (), remove: Iterable[int] = ()) -> WeekRota:
        """The draft: shifts added, shifts (by id) removed."""
        gone = set(remove)
        kept = tuple(s for s in self.shifts if s.shift_id is None or s.shift_id not in gone)
        return replace(self, shifts=kept + tuple(add))

    def on_duty(self) -> list[frozenset[int]]:
        """Agents on duty for the whole of each of the week's 336 half hours."""
        end = self.start + timedelta(days=7)
        spans = [(s.agent_id, s.starts_at, s.ends_at) for s in self.shifts]
        return [slot.agent_ids for slot in staffing(self.start, end, spans, self.absences)]

    def sim_agents(self) -> list[SimAgent]:
        """The agents with their skills and on-duty spans in seconds from Monday 00:00 (absences cut out)."""
        origin = self.start
        result = []
        for agent_id in sorted({s.agent_id for s in self.shifts}):
            spans: list[tuple[float, float]] = []
            for shift in (s for s in self.shifts if s.agent_id == agent_id):
                pieces = [(shift.starts_at, shift.ends_at)]
                for who, away_from, away_to in self.absences:
                    if who == agent_id:
                        pieces = [p for a, b in pieces for p in _cut(a, b, away_from, away_to)]
                spans += [((a - origin).total_seconds(), (b - origin).total_seconds()) for a, b in pieces]
            spans = [(max(0.0, a), min(7 * 86400.0, b)) for a, b in spans if b > 0 and a < 7 * 86400]
            if spans:
                branches = self.skills.get(agent_id, frozenset({1, 2}))
                result.append(SimAgent(self.names.get(agent_id, str(agent_id)), branches, tuple(sorted(spans))))
        return result


def _cut(start: datetime, end: datetime, away_from: datetime, away_to: datetime) -> list[tuple[datetime, datetime]]:
    if away_to <= start or away_from >= end:
        return [(start, end)]
    return [(a, b) for a, b in ((start, away_from), (away_to, end)) if b > a]


def load_rota(rota: RotaService, monday: date) -> WeekRota:
    """The published rota of the week starting `monday`."""
    start = datetime.combine(monday, time(), LOCAL_TZ)
    end = start + timedelta(days=7)
    agents = list(rota.session.scalars(select(Agent)))
    return WeekRota(
        monday=monday,
        shifts=tuple(PlannedShift(s.agent_id, s.starts_at, s.ends_at, s.id) for s in rota.shifts_between(start, end)),
        absences=tuple((a.agent_id, a.starts_at, a.ends_at) for a in rota.absences_between(start, end)),
        names={a.id: a.display_name for a in agents},
        skills={a.id: frozenset(b for b in BRANCHES if f"branch_{b}" in (a.skills or [])) for a in agents},
        holidays=frozenset(h.day for h in rota.holidays_between(monday, monday + timedelta(days=6))),
    )


@dataclass(frozen=True)
class IntervalForecast:
    """One half hour: expected calls, agents on duty and required, Erlang A's expectations."""

    starts_at: datetime
    calls: float
    scheduled: int
    required: int
    service_level: float  # share of the interval's callers answered within the threshold
    abandonment: float
    answered: float  # share answered

    @property
    def gap(self) -> bool:
        return self.scheduled < self.required

    def as_json(self) -> dict[str, Any]:
        return {
            "starts_at": self.starts_at.isoformat(),
            "calls": round(self.calls, 2),
            "scheduled": self.scheduled,
            "required": self.required,
            "service_level": _pct(self.service_level),
            "abandonment": _pct(self.abandonment),
            "answered": _pct(self.answered),
            "gap": self.gap,
        }


@dataclass(frozen=True)
class WeekForecast:
    """The week: its half hours, totals by Erlang A and by simulation."""

    monday: date
    targets: Targets
    intervals: list[IntervalForecast]
    simulated: dict[str, Any] | None
    profile_source: str
    profile_facts: Mapping[str, Any] = field(default_factory=dict)

    def totals(self) -> dict[str, Any]:
        calls = sum(i.calls for i in self.intervals)
        answered = sum(i.calls * i.answered for i in self.intervals)
        return {
            "calls": round(calls, 1),
            "answered": round(answered, 1),
            "handled_rate": _pct(answered / calls) if calls else None,
            "service_level": _pct(sum(i.calls * i.service_level for i in self.intervals) / calls) if calls else None,
            "abandonment": _pct(sum(i.calls * i.abandonment for i in self.intervals) / calls) if calls else None,
            "scheduled_hours": sum(i.scheduled for i in self.intervals) / 2,
            "required_hours": sum(i.required for i in self.intervals) / 2,
            "gap_intervals": sum(i.gap for i in self.intervals),
            "department_handled_rate_today": _pct(DEPARTMENT_HANDLED_RATE),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "week": self.monday.isoformat(),
            "targets": {
                "service_level": _pct(self.targets.service_level),
                "threshold_seconds": self.targets.threshold,
                "max_abandonment": _pct(self.targets.max_abandonment),
            },
            "profile": self.profile_source,
            "profile_facts": dict(self.profile_facts),
            "totals": self.totals(),
            "simulated": self.simulated,
            "intervals": [i.as_json() for i in self.intervals],
        }


def _pct(share: float) -> float:
    return round(100 * share, 1)


def required_agents(calls: float, aht: float, patience: float, targets: Targets) -> int:
    """Agents needed in one half hour for `targets` (Erlang A); 0 without calls."""
    if calls <= 0:
        return 0
    return agents_needed(
        calls / INTERVAL_SECONDS,
        aht,
        threshold=targets.threshold,
        service_level=targets.service_level,
        max_abandonment=targets.max_abandonment,
        patience=patience,
    )


def forecast(
    profile: TrafficProfile,
    rota: WeekRota,
    targets: Targets = Targets(),
    *,
    simulate_week: bool = True,
    seed: int = 1,
) -> WeekForecast:
    """The forecast of `rota`'s week under `profile`."""
    week = profile.week(rota.monday, rota.holidays)
    duty = rota.on_duty()
    intervals = []
    for i in range(WEEK_INTERVALS):
        calls, aht, patience = pooled(week, profile, i)
        scheduled = len(duty[i])
        if calls > 0:
            perf = erlang_a_performance(scheduled, calls / INTERVAL_SECONDS, aht, patience, targets.threshold)
            shares = (perf.service_level, perf.abandonment, perf.answered)
        else:
            shares = (1.0, 0.0, 1.0)
        required = required_agents(calls, aht, patience, targets)
        start = rota.start + timedelta(seconds=i * INTERVAL_SECONDS)
        intervals.append(IntervalForecast(start, calls, scheduled, required, *shares))
    simulated = simulate_rota(profile, rota, week, targets, seed) if simulate_week else None
    return WeekForecast(rota.monday, targets, intervals, simulated, profile.source, profile.facts)


def scenario_for(
    profile: TrafficProfile, rota: WeekRota, week: Mapping[int, Sequence[float]], targets: Targets, seed: int = 1
) -> Scenario:
    """The simulation's scenario for the week: the profile's load, the rota's agents and skills."""
    return Scenario(
        arrivals={b: list(v) for b, v in week.items()},
        aht={b: t.aht for b, t in profile.branches.items()},
        patience={b: t.patience for b, t in profile.branches.items()},
        agents=rota.sim_agents(),
        threshold=targets.threshold,
        seed=seed,
    )


SEEDS = 3  # simulated weeks averaged: a what-if's difference is then the change's, not the dice's


def simulated_weeks(
    profile: TrafficProfile,
    rota: WeekRota,
    week: Mapping[int, Sequence[float]],
    targets: Targets,
    seeds: Iterable[int],
    **changes: Any,
) -> list[IntervalStats]:
    """The week's totals, one simulation per seed (with the scenario's fields in `changes` replaced)."""
    return [simulate(replace(scenario_for(profile, rota, week, targets, s), **changes)).totals() for s in seeds]


def simulate_rota(
    profile: TrafficProfile, rota: WeekRota, week: Mapping[int, Sequence[float]], targets: Targets, seed: int = 1
) -> dict[str, Any]:
    """Week totals from the simulation: `SEEDS` weeks (seeds `seed`…) added up."""
    seeds = range(seed, seed + SEEDS)
    totals = sum(simulated_weeks(profile, rota, week, targets, seeds), IntervalStats())
    return {
        "offered": round(totals.offered / SEEDS),
        "answered": round(totals.answered / SEEDS),
        "abandoned": round(totals.abandoned / SEEDS),
        "handled_rate": _pct(totals.served_share),
        "service_level": _pct(totals.service_level),
        "abandonment": _pct(totals.abandonment),
        "occupancy": _pct(totals.occupancy),
        "seeds": list(seeds),
    }


def difference(current: WeekForecast, draft: WeekForecast) -> dict[str, Any]:
    """What the draft changes, in the week totals (draft − current)."""
    before, after = current.totals(), draft.totals()
    change: dict[str, Any] = {}
    for key in ("handled_rate", "service_level", "abandonment", "scheduled_hours", "gap_intervals", "answered"):
        if before.get(key) is not None and after.get(key) is not None:
            change[key] = round(after[key] - before[key], 1)
    if current.simulated and draft.simulated:
        change["simulated_handled_rate"] = round(draft.simulated["handled_rate"] - current.simulated["handled_rate"], 1)
    return change
