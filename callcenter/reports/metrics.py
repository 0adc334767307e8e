"""Call-center figures from the recorded calls, with the formulas stated (see README, "Reports").

Pure functions over `CallFact`s (one per call, read from the call's record, which the event timeline
builds): no database, no clock, so each rule is unit-tested with hand-worked numbers.

Definitions:
- offered: the call reached a queue (ENTERQUEUE). IVR abandons are counted apart (never offered).
- answered: put through to an agent. abandoned: hung up while waiting in the queue. short abandon:
  abandoned within `short_seconds` (default 5 s). Callbacks and voicemails are not abandons.
- abandonment rate = abandoned / offered (Amazon Connect; callbacks are not abandoned).
- handled = answered + callbacks completed; handled rate = handled / offered (the department's ~70 %).
- ASA = total wait of answered calls / answered. Longest wait = the longest wait of any offered call.
- AHT = (talk + after-call work) / answered calls that ended; talk runs from the answer to the end of
  the call, after-call work from the end of the call to the agent's wrap-up (hold is not recorded).
- service level within T seconds, selectable (callcenter.md):
    asterisk      answered within T / answered
    asterisk_sl2  (answered within T + abandoned within T) / (answered + abandoned)
    cisco_ignore  answered within T / (offered - abandoned within T)
    cisco_against answered within T / offered                     ← the default: every caller counts
    cisco_favour  (answered within T + abandoned within T) / offered
    genesys       answered within T / (answered + abandoned - short abandons)
A call belongs to the day and hour (Vietnam time) it entered the queue, or started for an IVR abandon,
so a call that crosses midnight counts on the day it was offered.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from callcenter.rota.service import LOCAL_TZ

FORMULAS = ("asterisk", "asterisk_sl2", "cisco_ignore", "cisco_against", "cisco_favour", "genesys")
DEFAULT_FORMULA = "cisco_against"
WAIT_BUCKETS = (5, 10, 20, 30, 60, 120, 300, 600)  # time-to-abandon distribution, upper bounds in seconds
# Their labels, and one for the waits above the last bound (the reports' SQL counts the same buckets).
WAIT_BUCKET_LABELS = (*(f"<={b}s" for b in WAIT_BUCKETS), f">{WAIT_BUCKETS[-1]}s")


@dataclass(frozen=True)
class CallFact:
    """What the reports need of one call."""

    started_at: datetime
    outcome: str | None
    branch: int | None = None
    problem_group: str | None = None
    queue_entered_at: datetime | None = None
    wait_seconds: int | None = None
    callback_completed: bool = False
    talk_seconds: float | None = None  # answered and ended: whole seconds from the answer to the end
    wrapup_seconds: int | None = None

    @property
    def offered(self) -> bool:
        return self.queue_entered_at is not None

    @property
    def at(self) -> datetime:
        """When the call counts: its queue entry (offered), else its start."""
        return self.queue_entered_at or self.started_at


@dataclass
class Totals:
    """The figures of one group of calls."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    ivr_abandoned: int = 0
    callbacks_requested: int = 0
    callbacks_completed: int = 0
    voicemails: int = 0
    answered_within: int = 0
    abandoned_within: int = 0
    answered_wait_total: int = 0
    longest_wait: int = 0
    talked: int = 0
    wrapup_total: int = 0
    talk_total: float = 0.0
    abandon_waits: dict[str, int] = field(default_factory=dict)

    # The whole-number counters (the SQL aggregate in reports.py sums the same ones).
    COUNTERS = (
        "offered",
        "answered",
        "abandoned",
        "short_abandoned",
        "ivr_abandoned",
        "callbacks_requested",
        "callbacks_completed",
        "voicemails",
        "answered_within",
        "abandoned_within",
        "answered_wait_total",
        "talked",
        "wrapup_total",
    )

    def merge(self, other: Totals) -> None:
        """Add another group's figures to these."""
        for name in self.COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.talk_total += other.talk_total
        self.longest_wait = max(self.longest_wait, other.longest_wait)
        for bucket, count in other.abandon_waits.items():
            self.abandon_waits[bucket] = self.abandon_waits.get(bucket, 0) + count

    def add(self, fact: CallFact, threshold: int, short_seconds: int) -> None:
        """Count one call."""
        wait = max(0, fact.wait_seconds or 0)
        if fact.outcome == "ivr_abandoned" and not fact.offered:
            self.ivr_abandoned += 1
            return
        if not fact.offered:
            return
        self.offered += 1
        self.longest_wait = max(self.longest_wait, wait)
        if fact.outcome == "answered":
            self.answered += 1
            self.answered_wait_total += wait
            self.answered_within += wait <= threshold
            self.wrapup_total += fact.wrapup_seconds or 0
            if fact.talk_seconds is not None:
                self.talked += 1
                self.talk_total += fact.talk_seconds
        elif fact.outcome == "queue_abandoned":
            self.abandoned += 1
            self.short_abandoned += wait < short_seconds
            self.abandoned_within += wait <= threshold
            bucket = WAIT_BUCKET_LABELS[bisect_left(WAIT_BUCKETS, wait)]  # the first bound >= wait
            self.abandon_waits[bucket] = self.abandon_waits.get(bucket, 0) + 1
        elif fact.outcome == "callback_requested":
            self.callbacks_requested += 1
            self.callbacks_completed += fact.callback_completed
        elif fact.outcome == "voicemail":
            self.voicemails += 1

    # -- rates -----------------------------------------------------------------------------
    def service_level(self, formula: str = DEFAULT_FORMULA) -> float | None:
        """The share answered within the threshold, by `formula`; None when it divides by zero."""
        within, ab_within = self.answered_within, self.abandoned_within
        numerator, denominator = {
            "asterisk": (within, self.answered),
            "asterisk_sl2": (within + ab_within, self.answered + self.abandoned),
            "cisco_ignore": (within, self.offered - ab_within),
            "cisco_against": (within, self.offered),
            "cisco_favour": (within + ab_within, self.offered),
            "genesys": (within, self.answered + self.abandoned - self.short_abandoned),
        }[formula]
        return _ratio(numerator, denominator)

    def as_json(self, formula: str = DEFAULT_FORMULA) -> dict[str, Any]:
        """Counts and rates (rates in percent, one decimal; None when there were no calls)."""
        handled = self.answered + self.callbacks_completed
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "short_abandoned": self.short_abandoned,
            "ivr_abandoned": self.ivr_abandoned,
            "callbacks_requested": self.callbacks_requested,
            "callbacks_completed": self.callbacks_completed,
            "voicemails": self.voicemails,
            "abandonment_rate": _pct(self.abandoned, self.offered),
            "service_level": _round(self.service_level(formula)),
            "asa_seconds": round(self.answered_wait_total / self.answered, 1) if self.answered else None,
            "aht_seconds": round((self.talk_total + self.wrapup_total) / self.talked, 1) if self.talked else None,
            "handled": handled,
            "handled_rate": _pct(handled, self.offered),
            "longest_wait_seconds": self.longest_wait,
            "time_to_abandon": dict(self.abandon_waits),
        }


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _pct(numerator: int, denominator: int) -> float | None:
    return _round(_ratio(numerator, denominator))


def _round(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


# -- grouping --------------------------------------------------------------------------------------
def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


# Keys of a moment (Vietnam time) for the groupings by time.
TIME_KEYS: dict[str, Callable[[datetime], Any]] = {
    "day": lambda t: t.date().isoformat(),
    "hour": lambda t: t.hour,
    "weekday_hour": lambda t: (t.weekday(), t.hour),
}
GROUPINGS: dict[str, Callable[[CallFact], Any]] = {
    "day": lambda f: TIME_KEYS["day"](local(f.at)),
    "hour": lambda f: TIME_KEYS["hour"](local(f.at)),
    "weekday_hour": lambda f: TIME_KEYS["weekday_hour"](local(f.at)),
    "branch": lambda f: f.branch,
    "group": lambda f: f.problem_group,
}


def totals(facts: Iterable[CallFact], threshold: int = 20, short_seconds: int = 5) -> Totals:
    """All calls together."""
    result = Totals()
    for fact in facts:
        result.add(fact, threshold, short_seconds)
    return result


def grouped(
    facts: Iterable[CallFact], by: str, threshold: int = 20, short_seconds: int = 5, keys: Iterable[Any] = ()
) -> dict[Any, Totals]:
    """Totals per key of `by` (day, hour, weekday_hour, branch, group); `keys` are always present
    (days with no calls show zeros, not a hole)."""
    key_of = GROUPINGS[by]
    result: dict[Any, Totals] = {key: Totals() for key in keys}
    for fact in facts:
        result.setdefault(key_of(fact), Totals()).add(fact, threshold, short_seconds)
    return result
