"""E-mail in the simulation (issue 15): deferrable work that fills idle seat time.

The engine of `simulation.py` plays the calls; this one adds e-mails with the desk's blended rules:

- E-mails arrive per branch (non-homogeneous Poisson per 30-minute interval, like calls, from their own
  seeded random stream so the e-mail load does not reshuffle the calls' draws) and wait in one backlog per
  branch, oldest first (`MailWork.waiting_since`).
- An agent serves an e-mail only when no call or due callback for her branches is waiting: when she
  becomes ready the call queue is asked first; an idle agent takes an arriving e-mail at once.
- A call (or due callback) that finds no idle agent for its branch interrupts an agent answering an
  e-mail of that branch (the first such agent on duty, in rota order): the e-mail goes back to the front of
  its backlog with its original place and the time still needed (the draft is kept), and the agent takes
  the call. A resumed e-mail needs only its remaining time.
- E-mails never abandon. An e-mail's handle time is drawn like a call's talk (the scenario's `aht_cv`)
  with mean `handle_seconds`; no wrap-up is added (answering is the work).

Outputs (`MailStats`): e-mails received in the horizon, answered (by the interval they arrived in, also
after the horizon when a later shift answers them), answered within `target_seconds` of arrival, the
backlog at the horizon's end (received and not yet answered, including those in hand), the interruptions
and the agent time spent on e-mail.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any

from callcenter.forecast.scenario import INTERVAL, Scenario, SimulationResult, Trace
from callcenter.forecast.sim_state import AgentState, LineItem, handle_time_sampler
from callcenter.forecast.simulation import _Engine

MAIL_IN, MAIL_DONE, HORIZON_END = 8, 9, 10  # event kinds after the call engine's 0–7


@dataclass(frozen=True)
class MailLoad:
    """The e-mail side of a scenario."""

    arrivals: Mapping[int, Sequence[float]]  # branch -> expected e-mails per 30-min interval (the horizon)
    handle_seconds: float = 450.0  # mean agent time to read and answer one
    target_seconds: float = 8 * 3600.0  # first answer within (MAIL_RESPONSE_TARGET_HOURS)


@dataclass
class MailStats:
    received: int = 0
    answered: int = 0
    answered_within: int = 0
    backlog_at_end: int = 0
    interrupted: int = 0
    busy_seconds: float = 0.0

    @property
    def within_share(self) -> float:
        """Answered within the target / received (unanswered ones count against)."""
        return self.answered_within / self.received if self.received else 0.0


@dataclass
class BlendedResult:
    calls: SimulationResult
    mail: MailStats

    def handled_share(self) -> float:
        """(answered calls + completed callbacks + e-mails answered) / (offered calls + e-mails received)."""
        t = self.calls.totals()
        whole = t.offered + self.mail.received
        return (t.answered + t.callbacks_completed + self.mail.answered) / whole if whole else 0.0


class _MailJob:
    __slots__ = ("ident", "branch", "arrived", "remaining", "token", "started", "agent")

    def __init__(self, ident: int, branch: int, arrived: float, remaining: float) -> None:
        self.ident, self.branch, self.arrived, self.remaining = ident, branch, arrived, remaining
        self.token, self.started, self.agent = 0, 0.0, -1


class _BlendedEngine(_Engine):
    def __init__(
        self,
        scenario: Scenario,
        mail: MailLoad,
        arrival_times: Mapping[int, Sequence[float]] | None,
        mail_times: Mapping[int, Sequence[float]] | None,
        trace: Trace | None,
    ) -> None:
        super().__init__(scenario, arrival_times, trace)
        self.mail = mail
        self.mail_rng = random.Random(scenario.seed * 7919 + 17)
        self.mail_handle = handle_time_sampler(self.mail_rng, mail.handle_seconds, scenario.aht_cv)
        self.backlog: dict[int, list[tuple[float, int, _MailJob]]] = {}
        self.on_mail: dict[int, _MailJob] = {}  # agent index -> the e-mail in hand
        self.tokens = count(1)
        self.stats = MailStats()
        self.mail_rates = {b: [x / INTERVAL for x in p] for b, p in mail.arrivals.items()}
        self._push(self.n * INTERVAL, HORIZON_END, None)
        if mail_times is not None:
            for branch in sorted(mail_times):
                for t in sorted(mail_times[branch]):
                    self._push(t, MAIL_IN, (branch, False))
        else:
            for branch in sorted(self.mail_rates):
                self._next_mail(branch, 0.0)

    def _next_mail(self, branch: int, t: float) -> None:
        rates, i = self.mail_rates[branch], int(t // INTERVAL)
        while i < min(self.n, len(rates)):
            if rates[i] > 0:
                nxt = t + self.mail_rng.expovariate(rates[i])
                if nxt < (i + 1) * INTERVAL:
                    self._push(nxt, MAIL_IN, (branch, True))
                    return
            i += 1
            t = i * INTERVAL

    def _handlers(self) -> tuple[Callable[[float, Any], None], ...]:
        return (*super()._handlers(), self._on_mail_in, self._on_mail_done, self._on_horizon_end)

    # -- e-mails ------------------------------------------------------------------------------
    def _on_mail_in(self, t: float, spec: tuple[int, bool]) -> None:
        branch, poisson = spec
        if poisson:
            self._next_mail(branch, t)
        if t >= self.n * INTERVAL:
            return
        self.stats.received += 1
        job = _MailJob(next(self.idents), branch, t, self.mail_handle())
        agent = self._longest_idle(branch)
        if agent is not None:
            self._start_mail(t, agent, job)
        else:
            heapq.heappush(self.backlog.setdefault(branch, []), (job.arrived, job.ident, job))

    def _oldest_mail(self, agent: AgentState) -> _MailJob | None:
        best: list[tuple[float, int, _MailJob]] | None = None
        for branch in agent.branches:
            queue = self.backlog.get(branch)
            if queue and (best is None or queue[0] < best[0]):
                best = queue
        return heapq.heappop(best)[2] if best is not None else None

    def _start_mail(self, t: float, agent: AgentState, job: _MailJob) -> None:
        agent.idle = False
        agent.epoch += 1
        agent.busy = True
        job.token, job.started, job.agent = next(self.tokens), t, agent.index
        self.on_mail[agent.index] = job
        self._add_time(self.busy_s, t, t + job.remaining)
        self.stats.busy_seconds += job.remaining
        self._push(t + job.remaining, MAIL_DONE, (agent, job.token))

    def _on_mail_done(self, t: float, spec: tuple[AgentState, int]) -> None:
        agent, token = spec
        job = self.on_mail.get(agent.index)
        if job is None or job.token != token:
            return  # interrupted by a call: the e-mail went back to the backlog
        del self.on_mail[agent.index]
        self.stats.answered += 1
        if t - job.arrived <= self.mail.target_seconds:
            self.stats.answered_within += 1
        self._on_ready(t, agent)

    def _on_horizon_end(self, t: float, _obj: object) -> None:
        self.stats.backlog_at_end = sum(len(q) for q in self.backlog.values()) + len(self.on_mail)

    def _interrupt(self, t: float, branch: int) -> bool:
        """A call for `branch` found nobody idle: free an agent of that branch answering an e-mail."""
        for index, job in sorted(self.on_mail.items()):
            agent = self.agents[index]
            if branch not in agent.branches or not agent.on_duty:
                continue
            del self.on_mail[index]
            done = t - job.started
            self._add_time(self.busy_s, t, t + job.remaining - done, -1.0)  # the time no longer spent
            self.stats.busy_seconds -= job.remaining - done
            job.remaining -= done
            job.token = 0
            self.stats.interrupted += 1
            heapq.heappush(self.backlog.setdefault(job.branch, []), (job.arrived, job.ident, job))
            agent.busy = False
            agent.idle = True
            agent.epoch += 1
            for b in agent.branches:
                heapq.heappush(self.idle.setdefault(b, []), (t, agent.index, agent.epoch))
            return True
        return False

    # -- the call engine's hooks ----------------------------------------------------------------
    def _enqueue(self, t: float, item: LineItem) -> None:
        callable_now = not item.callback or self.cb.dials_at(t)
        if callable_now and self.on_mail and self._longest_idle(item.branch) is None:
            self._interrupt(t, item.branch)
        super()._enqueue(t, item)

    def _other_work(self, t: float, agent: AgentState) -> bool:
        """No call waits for her: the oldest e-mail she may take, if any."""
        job = self._oldest_mail(agent)
        if job is None:
            return False
        self._start_mail(t, agent, job)
        return True


def simulate_blended(
    scenario: Scenario,
    mail: MailLoad,
    arrival_times: Mapping[int, Sequence[float]] | None = None,
    mail_times: Mapping[int, Sequence[float]] | None = None,
    trace: Trace | None = None,
) -> BlendedResult:
    """Run calls and e-mails together once (seeded by `scenario.seed`); `mail_times` (branch -> seconds)
    replaces the e-mails' Poisson arrivals, as `arrival_times` does the calls' (tests, worked examples)."""
    engine = _BlendedEngine(scenario, mail, arrival_times, mail_times, trace)
    calls = engine.run()
    return BlendedResult(calls, engine.stats)
