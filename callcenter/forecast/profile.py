"""The traffic profile: how many callers to expect per half hour of the week, per branch, how long
they take to handle and how long they wait before hanging up — learned from the recorded calls, or
the documented default when the history is too short.

Learned from the last `weeks` complete weeks before the forecast week:
- arrivals: offered calls (they reached a queue) per branch and half hour of the week (Vietnam time),
  averaged over the days of that weekday since the first recorded call that were not holidays;
  holidays get their own day profile (the average holiday), or Sunday's when none was recorded;
- AHT: mean talk + after-call work of the answered calls that ended (callcenter/metrics.py);
- patience: the exponential patience's maximum-likelihood mean with censoring — total time offered
  callers waited (answered ones were still willing) / callers who abandoned (Mandelbaum & Zeltyn).
Default (hotline.md): 430 contacts a day, 7.5 minutes each (the documented 400–450 and 5–10 min),
10 % in branch 1, office hours busiest, patience 3 minutes (an assumption, adjustable).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.rota.service import LOCAL_TZ
from models import Call, CallOutcome
from models.call import COUNTED_AT

INTERVAL_SECONDS = 1800
DAY_INTERVALS = 48
WEEK_INTERVALS = 7 * DAY_INTERVALS  # 336
BRANCHES = (1, 2)

# Share of a day's calls per Vietnam hour (office hours busiest, nights quiet); sums to 1.
HOUR_SHARE = (0.006, 0.004, 0.003, 0.003, 0.004, 0.008, 0.018, 0.040, 0.085, 0.095, 0.092, 0.080,
              0.050, 0.072, 0.088, 0.090, 0.082, 0.060, 0.040, 0.028, 0.020, 0.014, 0.010, 0.008)  # fmt: skip
# Weekday weights (Monday first): businesses declare on working days; a week sums to 7 days' worth.
WEEKDAY_WEIGHT = (1.2, 1.2, 1.2, 1.2, 1.15, 0.6, 0.45)
DEFAULT_CALLS_PER_DAY = 430.0
DEFAULT_AHT_SECONDS = 450.0
DEFAULT_PATIENCE_SECONDS = 180.0
DEFAULT_BRANCH_1_SHARE = 0.10
MIN_HISTORY_CALLS = 500  # fewer offered calls than this: the default profile
MIN_HISTORY_DAYS = 14  # …or a shorter history (each weekday seen at least twice)
MIN_SAMPLES = 30  # fewer answered (or abandoned) calls in a branch: that branch's default AHT (patience)


@dataclass(frozen=True)
class BranchTraffic:
    """One branch: expected calls per half hour of a week (Monday 00:00 first), AHT, patience."""

    arrivals: tuple[float, ...]
    aht: float
    patience: float
    holiday: tuple[float, ...] = ()  # a holiday's 48 half hours (empty: Sunday's)

    def day(self, weekday: int, holiday: bool = False) -> tuple[float, ...]:
        """The 48 half hours of a day."""
        if holiday and self.holiday:
            return self.holiday
        if holiday:
            weekday = 6
        return self.arrivals[weekday * DAY_INTERVALS : (weekday + 1) * DAY_INTERVALS]


@dataclass(frozen=True)
class TrafficProfile:
    """Per branch traffic, and where it came from (shown to the supervisor)."""

    branches: Mapping[int, BranchTraffic]
    source: str
    history_calls: int = 0
    notes: tuple[str, ...] = field(default=())
    # The same as `source` in numbers, for the page to word in its own language (issue 14).
    facts: Mapping[str, Any] = field(default_factory=dict)

    def week(self, monday: date, holidays: Iterable[date] = ()) -> dict[int, list[float]]:
        """Expected calls per half hour of the week starting `monday`, per branch (holidays applied)."""
        off = set(holidays)
        return {
            branch: [value for d in range(7) for value in traffic.day(d, holiday=(monday + timedelta(days=d)) in off)]
            for branch, traffic in self.branches.items()
        }

    def calls_per_day(self) -> float:
        return sum(sum(t.arrivals) for t in self.branches.values()) / 7


def default_shape() -> list[float]:
    """A week's share of calls per half hour (sums to 7: one per day on average)."""
    weights = [w * 7 / sum(WEEKDAY_WEIGHT) for w in WEEKDAY_WEIGHT]
    return [weights[d] * HOUR_SHARE[i // 2] / 2 for d in range(7) for i in range(DAY_INTERVALS)]


def default_profile(
    calls_per_day: float = DEFAULT_CALLS_PER_DAY,
    aht: float = DEFAULT_AHT_SECONDS,
    patience: float = DEFAULT_PATIENCE_SECONDS,
    branch_1_share: float = DEFAULT_BRANCH_1_SHARE,
    reason: str = "",
) -> TrafficProfile:
    """The documented situation: `calls_per_day` contacts at `aht` seconds each."""
    shape = default_shape()
    shares = {1: branch_1_share, 2: 1 - branch_1_share}
    return TrafficProfile(
        branches={
            b: BranchTraffic(tuple(calls_per_day * shares[b] * s for s in shape), aht, patience) for b in BRANCHES
        },
        source=f"default: {calls_per_day:.0f} calls a day at {aht / 60:.1f} min, patience {patience / 60:.1f} min"
        + (f" ({reason})" if reason else ""),
        facts={
            "kind": "default",
            "calls_per_day": round(calls_per_day),
            "aht_minutes": round(aht / 60, 1),
            "patience_minutes": round(patience / 60, 1),
        },
    )


@dataclass
class _Tally:
    arrivals: list[float] = field(default_factory=lambda: [0.0] * WEEK_INTERVALS)
    holiday: list[float] = field(default_factory=lambda: [0.0] * DAY_INTERVALS)
    handle_total: float = 0.0
    handled: int = 0
    waited_total: float = 0.0
    abandoned: int = 0


def learn(
    session: Session, monday: date, holidays: Iterable[date] = (), weeks: int = 8, default: TrafficProfile | None = None
) -> TrafficProfile:
    """The profile from the `weeks` weeks before `monday` (the default when there are too few calls)."""
    default = default or default_profile()
    first = monday - timedelta(weeks=weeks)
    start, end = (datetime.combine(d, time(), LOCAL_TZ) for d in (first, monday))
    off = {d for d in holidays if first <= d < monday}
    query = select(
        COUNTED_AT,
        Call.branch,
        Call.outcome,
        Call.queue_wait_seconds,
        Call.answered_at,
        Call.ended_at,
        Call.wrapup_seconds,
    ).where(Call.queue_entered_at.is_not(None), COUNTED_AT >= start, COUNTED_AT < end, Call.outcome.is_not(None))
    tallies = {b: _Tally() for b in BRANCHES}
    count = 0
    first_seen: date | None = None  # weekdays are averaged over the days since the first recorded call
    for at, branch, outcome, wait, answered, ended, wrapup in session.execute(query):
        tally = tallies.get(branch if branch in tallies else 1)  # an unknown branch is treated as confidential
        assert tally is not None
        count += 1
        moment = at.astimezone(LOCAL_TZ)
        first_seen = min(first_seen or moment.date(), moment.date())
        slot = moment.hour * 2 + moment.minute // 30
        if moment.date() in off:
            tally.holiday[slot] += 1
        else:
            tally.arrivals[moment.weekday() * DAY_INTERVALS + slot] += 1
        tally.waited_total += max(0, wait or 0)
        if outcome == CallOutcome.QUEUE_ABANDONED:
            tally.abandoned += 1
        if outcome == CallOutcome.ANSWERED and answered is not None and ended is not None:
            tally.handled += 1
            tally.handle_total += (ended - answered).total_seconds() + (wrapup or 0)
    observed = (monday - first_seen).days if first_seen else 0
    if count < MIN_HISTORY_CALLS or observed < MIN_HISTORY_DAYS:
        return replace(
            default,
            source=default.source + f" — only {count} calls over {observed} days recorded in the {weeks} weeks before",
            facts={**default.facts, "history_calls": count, "history_days": observed, "weeks": weeks},
        )
    days_per_weekday = [0] * 7
    day = first_seen
    while day < monday:
        if day not in off:
            days_per_weekday[day.weekday()] += 1
        day += timedelta(days=1)
    branches = {}
    notes = []
    for branch, tally in tallies.items():
        fallback = default.branches[branch]
        arrivals = tuple(
            tally.arrivals[i] / max(1, days_per_weekday[i // DAY_INTERVALS]) for i in range(WEEK_INTERVALS)
        )
        holiday = tuple(v / len(off) for v in tally.holiday) if off else ()
        aht = tally.handle_total / tally.handled if tally.handled >= MIN_SAMPLES else fallback.aht
        patience = tally.waited_total / tally.abandoned if tally.abandoned >= MIN_SAMPLES else fallback.patience
        if tally.handled < MIN_SAMPLES:
            notes.append(f"branch {branch}: too few answered calls, default AHT {fallback.aht / 60:.1f} min")
        if tally.abandoned < MIN_SAMPLES:
            notes.append(f"branch {branch}: too few abandons, default patience {fallback.patience / 60:.1f} min")
        branches[branch] = BranchTraffic(arrivals, aht, patience, holiday)
    profile = TrafficProfile(
        branches,
        f"history: {count} offered calls in the {weeks} weeks before",
        count,
        tuple(notes),
        {"kind": "history", "history_calls": count, "weeks": weeks},
    )
    return profile


def pooled(week: Mapping[int, Sequence[float]], profile: TrafficProfile, interval: int) -> tuple[float, float, float]:
    """(calls, AHT, patience) of one half hour of `week` (profile.week) with the branches pooled
    (calls-weighted means of the branches' AHT and patience)."""
    calls = sum(week[b][interval] for b in week)
    first = profile.branches[min(profile.branches)]
    if calls <= 0:
        return 0.0, first.aht, first.patience
    aht = sum(week[b][interval] * profile.branches[b].aht for b in week) / calls
    patience = sum(week[b][interval] * profile.branches[b].patience for b in week) / calls
    return calls, aht, patience
