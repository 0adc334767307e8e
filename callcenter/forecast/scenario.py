"""What the hotline simulation takes and gives: the scenario (load, handling, staff, the callback offer)
and the per-interval statistics of a run, with the checks a scenario must pass before it runs.

The engine that plays a scenario out is `simulation.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

INTERVAL = 1800.0  # seconds in a statistics interval
HOUR = 3600.0
DAY = 86400.0


# -- input ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SimAgent:
    """One person on the rota: the branches they take and when they are on duty."""

    name: str
    branches: frozenset[int]  # skills: 1, 2
    shifts: tuple[tuple[float, float], ...]  # on-duty [start, end) seconds from scenario start


@dataclass(frozen=True)
class CallbackOffer:
    """The queue's "press 1 to be called back" option and how callbacks are dialled."""

    after_seconds: float = 60  # offered once a caller has waited this long
    take_share: float = 0.0  # share of callers still waiting then who take it (0 = lever off)
    first_hour: int = 7  # callbacks are dialled only between these local hours
    last_hour: int = 21
    reach_share: float = 0.8  # share of callback attempts that reach the caller
    max_attempts: int = 3
    retry_seconds: float = 600
    attempt_seconds: float = 30.0  # what an attempt that does not reach the caller costs the agent

    def dials_at(self, t: float) -> bool:
        """True when callers may be dialled at `t` (seconds from the scenario start, local midnight)."""
        return self.first_hour <= (t // HOUR) % 24 < self.last_hour

    def next_dial_time(self, t: float) -> float:
        """`t` itself within the dialling hours, otherwise the next `first_hour`."""
        if self.dials_at(t):
            return t
        opening = t - t % DAY + self.first_hour * HOUR
        return opening if t < opening else opening + DAY


@dataclass(frozen=True)
class Scenario:
    """Load, handling and staff for one simulated stretch of time (a whole number of intervals)."""

    arrivals: Mapping[int, Sequence[float]]  # branch -> expected calls per 30-min interval (len = horizon)
    aht: Mapping[int, float]  # branch -> mean handle (talk) seconds
    patience: Mapping[int, float]  # branch -> mean patience seconds (exponential); math.inf = never abandons
    agents: Sequence[SimAgent]
    wrapup_seconds: float = 0.0  # after every handled call, before the next offer
    aht_cv: float = 1.0  # 1.0 → exponential handle times; 0 → constant; otherwise lognormal with this CV
    ring_no_answer: float = 0.0  # probability an offer rings out (agent doesn't pick up)
    ring_seconds: float = 20.0  # how long an offer rings (answered offers: this is skipped, 0)
    missed_break_seconds: float = 120.0  # agent's break after a missed ring; caller keeps their place
    callbacks: CallbackOffer = CallbackOffer()
    deflection: Sequence[float] | None = None  # per interval, share of arrivals who hang up at an announcement
    threshold: float = 20.0  # service-level threshold seconds
    seed: int = 1

    @property
    def horizon_intervals(self) -> int:
        """Number of 30-minute intervals simulated (the length of the arrival profiles)."""
        return max((len(profile) for profile in self.arrivals.values()), default=0)


# -- output --------------------------------------------------------------------------------------
@dataclass
class IntervalStats:
    """Counts for one 30-minute interval (or a sum of intervals), and the usual ratios over them."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_within: int = 0
    deflected: int = 0
    callbacks_requested: int = 0
    callbacks_completed: int = 0
    callbacks_failed: int = 0
    scheduled_agents: float = 0.0  # mean agents on duty in the interval (a sum of intervals: agent-intervals)
    busy_seconds: float = 0.0  # agent time talking, wrapping up, dialling, ringing in the interval
    wait_seconds_answered: float = 0.0

    def __add__(self, other: IntervalStats) -> IntervalStats:
        return IntervalStats(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def served_share(self) -> float:
        """(answered + callbacks completed) / offered: callers who talked to an agent."""
        return _ratio(self.answered + self.callbacks_completed, self.offered)

    @property
    def answered_share(self) -> float:
        """Answered live / offered (Erlang A's P(served))."""
        return _ratio(self.answered, self.offered)

    @property
    def service_level(self) -> float:
        """Answered within the threshold / offered (abandons count against, Cisco's second variant)."""
        return _ratio(self.answered_within, self.offered)

    @property
    def abandonment(self) -> float:
        """Abandoned / offered (callback requests are not abandons)."""
        return _ratio(self.abandoned, self.offered)

    @property
    def asa(self) -> float:
        """Average speed of answer: queue wait of answered calls / answered calls, seconds."""
        return _ratio(self.wait_seconds_answered, self.answered)

    @property
    def occupancy(self) -> float:
        """Busy agent time / on-duty agent time."""
        return _ratio(self.busy_seconds, self.scheduled_agents * INTERVAL)


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


@dataclass
class SimulationResult:
    """Per-interval statistics of one run."""

    intervals: list[IntervalStats]

    def totals(self, start: int = 0, stop: int | None = None) -> IntervalStats:
        """Sum over intervals [start, stop) (default: the whole horizon); `scheduled_agents` is then in
        agent-intervals, so `occupancy` stays busy / on-duty time."""
        total = IntervalStats()
        for stats in self.intervals[start:stop]:
            total = total + stats
        return total


Trace = list[tuple[float, str, int, int, str]]  # (time, event, caller id, branch, agent name or "")


def validate(scenario: Scenario, arrival_times: Mapping[int, Sequence[float]] | None) -> None:
    """Raise ValueError when the scenario (and given arrival times) cannot be simulated as they are."""
    n = scenario.horizon_intervals
    for branch, profile in scenario.arrivals.items():
        if len(profile) != n:
            raise ValueError(f"branch {branch}: {len(profile)} intervals, expected {n}")
        if branch not in scenario.aht or branch not in scenario.patience:
            raise ValueError(f"branch {branch}: aht and patience are needed")
    unknown = set(arrival_times or {}) - set(scenario.arrivals)
    if unknown:
        raise ValueError(f"arrival times for branches without a profile: {sorted(unknown)}")
    if scenario.deflection is not None and len(scenario.deflection) != n:
        raise ValueError(f"deflection: {len(scenario.deflection)} intervals, expected {n}")
    cb = scenario.callbacks
    if cb.take_share > 0 and not 0 <= cb.first_hour < cb.last_hour <= 24:
        raise ValueError("callback hours: need 0 <= first_hour < last_hour <= 24")
    if cb.take_share > 0 and cb.max_attempts < 1:
        raise ValueError("callbacks need max_attempts >= 1")
