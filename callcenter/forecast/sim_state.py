"""The simulation engine's run-time records (a caller in line, an agent on the rota) and the two
pure helpers it draws on: merging an agent's shifts and sampling handle times."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from callcenter.forecast.scenario import SimAgent

WAITING, RINGING, AWAY, DONE = range(4)  # item states: in the queue, ringing an agent, not in line, settled


class LineItem:
    """A caller in line, later perhaps their callback (the same place in the one order)."""

    __slots__ = (
        "ident",
        "branch",
        "entered",
        "interval",
        "deadline",
        "by_callback",
        "state",
        "version",
        "callback",
        "attempts",
        "wants_callback",
    )

    def __init__(self, ident: int, branch: int, entered: float, interval: int) -> None:
        self.ident = ident
        self.branch = branch
        self.entered = entered  # the place in line, kept for good
        self.interval = interval
        self.deadline = math.inf  # when the caller hangs up if not answered (inf: never, or takes a callback)
        self.by_callback = False  # the caller's LEAVE event is taking the callback, not hanging up
        self.state = AWAY
        self.version = 0  # which queue entry is the live one
        self.callback = False
        self.attempts = 0
        self.wants_callback = False  # the callback offer came while ringing an agent: take it on return


class AgentState:
    """An agent's state during a run."""

    __slots__ = ("index", "name", "branches", "on_duty", "busy", "idle", "epoch")

    def __init__(self, index: int, agent: SimAgent) -> None:
        self.index = index
        self.name = agent.name
        self.branches = tuple(sorted(agent.branches))
        self.on_duty = False
        self.busy = False  # talking, wrapping up, ringing or on a break: a READY event is pending
        self.idle = False
        self.epoch = 0  # which idle-heap entries are live


def merged_shifts(shifts: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping or touching shifts as one stretch on duty each, in order."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(s for s in shifts if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def handle_time_sampler(rng: random.Random, aht: float, cv: float) -> Callable[[], float]:
    """Exponential (cv 1), constant (cv 0) or lognormal talk times with mean `aht`."""
    if aht <= 0 or cv <= 0:
        return lambda: max(aht, 0.0)
    if cv == 1.0:
        rate = 1.0 / aht
        return lambda: rng.expovariate(rate)
    sigma = math.sqrt(math.log1p(cv * cv))
    mu = math.log(aht) - sigma * sigma / 2
    return lambda: rng.lognormvariate(mu, sigma)
