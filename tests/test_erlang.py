"""Erlang B / C / A staffing formulas (callcenter.forecast.erlang): published figures, hand-worked small
cases, stability at the edges, and Erlang A against a seeded Monte-Carlo of the same M/M/N+M queue.

Units are seconds and calls per second throughout; A = λ·AHT erlangs.
"""

from __future__ import annotations

import heapq
import math
import random
import statistics
from fractions import Fraction

import pytest

from callcenter.forecast.erlang import (
    Performance,
    agents_needed,
    erlang_a_performance,
    erlang_b,
    erlang_c,
    erlang_c_performance,
    required_agents_table,
)

# The classic call-centre example: 100 calls per half hour, AHT 180 s → λ = 100/1800 /s, A = 10 erlangs.
CLASSIC_RATE = 100 / 1800
CLASSIC_AHT = 180.0


def finite_shares(perf: Performance) -> bool:
    shares = (perf.wait_probability, perf.service_level, perf.abandonment, perf.occupancy, perf.answered)
    return all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in shares) and not math.isnan(perf.asa_seconds)


# -- Erlang B -----------------------------------------------------------------------------------
def test_erlang_b_published_trunk_group_of_15_lines_at_1_percent() -> None:
    # Published: Westbay/erlang.com calculator manual, "How much traffic?"
    # (https://erlang.com/calculatormanual/howmuchtrafficcanatrunkgrouphandle.htm): 15 lines at 1 % blocking
    # can be offered 8.108 erlangs. 8.108 is rounded to 3 decimals, so B(15, ·) crosses 0.01 inside
    # [8.1075, 8.1085], and B(15, 8.108) is 0.01 to within the slope × 0.0005 ≈ 4e-6.
    assert erlang_b(15, 8.108) == pytest.approx(0.01, abs=1e-5)
    assert erlang_b(15, 8.1075) < 0.01 < erlang_b(15, 8.1085)


def test_erlang_b_published_30_lines_25_erlangs() -> None:
    # Published: Wolfram, "Compute Loss Probabilities for a Queue" (Mathematica 9, Enhanced Core Algorithms,
    # http://wolfram.com/mathematica/new-in-9/enhanced-core-algorithms/compute-loss-probabilities-for-a-queue.html):
    # "if there are 30 call lines and the traffic is 25 Erlangs, then the blocking ... is approximately 0.05".
    assert round(erlang_b(30, 25.0), 2) == 0.05
    # Table value (the Erlang B table figure B(10 lines, 5 erlangs) = 0.018385, as quoted in the brief), and
    # hand-worked from the definition B = (A^N/N!) / Σ_{k≤N} A^k/k! in exact fractions.
    exact = Fraction(5**10, math.factorial(10)) / sum(Fraction(5**k, math.factorial(k)) for k in range(11))
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=5e-7)
    assert erlang_b(10, 5.0) == pytest.approx(float(exact), rel=1e-13)


def test_erlang_b_hand_worked_small_cases() -> None:
    # N = 1: B = A / (1 + A). N = 2, A = 1: B = (1/2) / (1 + 1 + 1/2) = 1/5. N = 0: every call is blocked.
    assert erlang_b(1, 3.0) == pytest.approx(3 / 4, rel=1e-15)
    assert erlang_b(2, 1.0) == pytest.approx(1 / 5, rel=1e-15)
    assert erlang_b(0, 2.0) == 1.0
    assert erlang_b(5, 0.0) == 0.0


# -- Erlang C -----------------------------------------------------------------------------------
# Published: the R package ErlangC 0.1.0 README (CRAN, https://CRAN.R-project.org/package=ErlangC, README at
# https://stat.ethz.ch/CRAN/web/packages/ErlangC/readme/README.html; github Damonsoul/ErlangC), calculate_agents(
# 100 calls / 30 min, AHT 180 s, target 20 s) prints per N: wait_probability, service_level, ASA, occupancy.
# (The same example is the widely quoted Call Centre Helper "Erlang C formula" worked example: 14 agents.)
PUBLISHED_CLASSIC = [
    # N, P_wait, SL(20 s), ASA s, occupancy
    (11, 0.6821182, 0.3896138, 122.78127684408, 0.9090909),
    (12, 0.4493882, 0.640158, 40.4449401868444, 0.8333333),
    (13, 0.2852705, 0.7955948, 17.1162271821896, 0.7692308),
    (14, 0.1741319, 0.88835, 7.83593701177724, 0.7142857),
]


@pytest.mark.parametrize(("agents", "p_wait", "service_level", "asa", "occupancy"), PUBLISHED_CLASSIC)
def test_erlang_c_published_classic_example(
    agents: int, p_wait: float, service_level: float, asa: float, occupancy: float
) -> None:
    perf = erlang_c_performance(agents, CLASSIC_RATE, CLASSIC_AHT, 20)
    assert perf.load_erlangs == pytest.approx(10.0)
    # The README prints 7 significant digits: half a unit of the last digit is 5e-8.
    assert perf.wait_probability == pytest.approx(p_wait, abs=5e-8)
    assert perf.service_level == pytest.approx(service_level, abs=5e-8)
    assert perf.asa_seconds == pytest.approx(asa, rel=1e-12)
    assert perf.occupancy == pytest.approx(occupancy, abs=5e-8)
    assert (perf.abandonment, perf.answered, perf.stable) == (0.0, 1.0, True)
    assert erlang_c(agents, 10.0) == pytest.approx(perf.wait_probability, rel=1e-15)


def test_erlang_c_one_agent_is_mm1() -> None:
    # Hand-worked: M/M/1 has P_wait = ρ, P(Wq > t) = ρ·e^{−(μ−λ)t} and E[Wq] = ρ/(μ − λ).
    # λ = 1/240, AHT = 180 → ρ = 0.75, μ − λ = 1/720: SL(20) = 1 − 0.75·e^{−20/720}, ASA = 0.75·720 = 540 s.
    perf = erlang_c_performance(1, 1 / 240, 180, 20)
    assert perf.wait_probability == pytest.approx(0.75, rel=1e-14)
    assert perf.service_level == pytest.approx(1 - 0.75 * math.exp(-20 / 720), rel=1e-14)
    assert perf.asa_seconds == pytest.approx(540.0, rel=1e-13)
    assert perf.occupancy == pytest.approx(0.75)


def test_erlang_c_two_agents_exact_fractions() -> None:
    # Hand-worked, N = 2, A = 1 (λ = 1/180, AHT 180):
    #   P_wait = [A^N/N! · N/(N−A)] / [Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)] = (1/2·2) / (1 + 1 + 1) = 1/3,
    #   via Erlang B: B = 1/5, N·B/(N − A(1 − B)) = (2/5)/(2 − 4/5) = 1/3.
    #   SL(30) = 1 − (1/3)·e^{−(2−1)·30/180} = 1 − e^{−1/6}/3, ASA = (1/3)·180/(2 − 1) = 60 s, occupancy 1/2.
    n, a = 2, Fraction(1)
    p_wait = (a**n / math.factorial(n) * n / (n - a)) / (
        sum(a**k / math.factorial(k) for k in range(n)) + a**n / math.factorial(n) * n / (n - a)
    )
    assert p_wait == Fraction(1, 3)
    perf = erlang_c_performance(2, 1 / 180, 180, 30)
    assert perf.wait_probability == pytest.approx(1 / 3, rel=1e-15)
    assert perf.service_level == pytest.approx(1 - math.exp(-1 / 6) / 3, rel=1e-15)
    assert perf.asa_seconds == pytest.approx(60.0, rel=1e-14)
    assert perf.occupancy == pytest.approx(0.5)


def test_erlang_c_large_center_is_finite() -> None:
    # N = 500 at A = 480 (96 % occupancy): A^N/N! would overflow; the recursion does not.
    perf = erlang_c_performance(500, 480 / 180, 180, 20)
    assert finite_shares(perf) and perf.stable
    assert 0.0 < perf.wait_probability < 1.0 and 0.0 < perf.service_level < 1.0
    assert 0.0 < perf.asa_seconds < 180
    assert perf.occupancy == pytest.approx(0.96)


@pytest.mark.parametrize(("agents", "load"), [(5, 5.0), (5, 6.0), (10, 30.0), (0, 1.0)])
def test_erlang_c_unstable_queue(agents: int, load: float) -> None:
    # A ≥ N: the queue grows without bound. No exception, no NaN: everyone waits, nobody within T.
    perf = erlang_c_performance(agents, load / 180, 180, 20)
    assert perf.stable is False
    assert perf.wait_probability == 1.0 and perf.service_level == 0.0
    assert perf.asa_seconds == math.inf
    assert not any(math.isnan(v) for v in (perf.wait_probability, perf.service_level, perf.occupancy))
    assert erlang_c(agents, load) == 1.0


def test_no_calls_means_nobody_waits() -> None:
    for perf in (erlang_c_performance(3, 0.0, 180, 20), erlang_a_performance(3, 0.0, 180, 60, 20)):
        assert (perf.wait_probability, perf.service_level, perf.abandonment, perf.occupancy) == (0.0, 1.0, 0.0, 0.0)
        assert perf.asa_seconds == 0.0 and perf.stable


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang_b(-1, 1.0),
        lambda: erlang_b(2, -1.0),
        lambda: erlang_c(True, 1.0),  # type: ignore[arg-type]
        lambda: erlang_c_performance(2, -0.1, 180, 20),
        lambda: erlang_c_performance(2, 0.1, 0.0, 20),
        lambda: erlang_a_performance(2, 0.1, 180, 0.0, 20),
        lambda: erlang_a_performance(2, 0.1, 180, math.nan, 20),
        lambda: agents_needed(0.1, 180, service_level=1.5),
    ],
)
def test_invalid_inputs_are_refused(call) -> None:
    with pytest.raises(ValueError):
        call()


# -- Erlang A -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("agents", "load"), [(1, 0.5), (3, 2.5), (14, 10.0), (12, 10.0), (200, 190.0), (5, 6.0)])
def test_erlang_a_with_infinite_patience_is_erlang_c(agents: int, load: float) -> None:
    c = erlang_c_performance(agents, load / 180, 180, 20)
    a = erlang_a_performance(agents, load / 180, 180, math.inf, 20)
    for field in ("wait_probability", "service_level", "abandonment", "occupancy", "answered"):
        assert getattr(a, field) == pytest.approx(getattr(c, field), abs=1e-9)
    assert a.stable == c.stable


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    # Not the math.inf shortcut: the queue sum itself, with θ = 1e-7 /s, is Erlang C to O(θ·wait) ≈ 1e-5.
    c = erlang_c_performance(14, CLASSIC_RATE, CLASSIC_AHT, 20)
    a = erlang_a_performance(14, CLASSIC_RATE, CLASSIC_AHT, 1e7, 20)
    assert a.wait_probability == pytest.approx(c.wait_probability, abs=1e-5)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-5)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-4)
    assert 0.0 < a.abandonment < 1e-5


def test_erlang_a_tends_to_erlang_b_as_patience_vanishes() -> None:
    # Callers who hang up the instant they would queue are Erlang B's blocked calls: P_ab → B(N, A).
    a = erlang_a_performance(5, 4 / 180, 180, 1e-6, 20)
    assert a.abandonment == pytest.approx(erlang_b(5, 4.0), abs=1e-6)
    assert a.wait_probability == pytest.approx(erlang_b(5, 4.0), abs=1e-6)


@pytest.mark.parametrize("rho", [1.0, 0.5, 2.0])
def test_erlang_a_single_agent_patience_equal_to_aht(rho: float) -> None:
    # Hand-worked M/M/1+M with θ = μ (mean patience = AHT = 100 s), λ = ρ·μ.
    # Death rate in state k ≥ 1 is μ + (k − 1)θ = k·μ, the M/M/∞ chain: π_k = e^{−ρ} ρ^k / k!.
    #   P_wait = P(k ≥ 1) = 1 − e^{−ρ}.
    #   Abandonments per second = θ·E[(k − 1)^+] = μ(ρ − 1 + e^{−ρ}), so P_ab = (ρ − 1 + e^{−ρ}) / ρ
    #   (ρ = 1: P_wait = 1 − 1/e ≈ 0.632121, P_ab = 1/e ≈ 0.367879).
    #   Service level: an arrival that finds k = j + 1 (j waiting) moves up at rates (i + 1)μ and leaves at
    #   rate μ, so step i lasts Exp((i + 2)μ), i = 0..j, and it is served with probability Π (i+1)/(i+2) =
    #   1/(k + 1). Σ_{m=2..k+1} Exp(mμ) is the second largest of k + 1 iid Exp(μ) (Rényi), so with
    #   F = 1 − e^{−μT}: P(served by T | k) = [F^{k+1} + (k + 1)F^k(1 − F)] / (k + 1). Summing against π:
    #   SL = e^{−ρ}·[1 + (e^{ρF} − 1 − ρF)/ρ + (1 − F)(e^{ρF} − 1)].
    aht = patience = 100.0
    threshold = 20.0
    f = 1 - math.exp(-threshold / aht)
    perf = erlang_a_performance(1, rho / aht, aht, patience, threshold)
    assert perf.wait_probability == pytest.approx(1 - math.exp(-rho), abs=1e-11)
    assert perf.abandonment == pytest.approx((rho - 1 + math.exp(-rho)) / rho, abs=1e-11)
    expected_sl = math.exp(-rho) * (1 + (math.exp(rho * f) - 1 - rho * f) / rho + (1 - f) * (math.exp(rho * f) - 1))
    assert perf.service_level == pytest.approx(expected_sl, abs=1e-11)
    # The server is busy exactly when k ≥ 1, so occupancy (carried load) is also 1 − e^{−ρ}.
    assert perf.occupancy == pytest.approx(1 - math.exp(-rho), abs=1e-11)
    assert perf.answered == pytest.approx(1 - perf.abandonment)


def test_erlang_a_large_center_is_finite() -> None:
    # N = 200, A = 190 and heavy overload with long patience (weights beyond 1e300 before rescaling).
    for perf in (
        erlang_a_performance(200, 190 / 180, 180, 120, 20),
        erlang_a_performance(200, 300 / 180, 180, 3600, 20),
        erlang_a_performance(500, 480 / 180, 180, 60, 20),
    ):
        assert finite_shares(perf) and math.isfinite(perf.asa_seconds) and perf.stable
        assert 0.0 < perf.wait_probability <= 1.0 and 0.0 < perf.abandonment < 1.0
        assert perf.service_level <= perf.answered == pytest.approx(1 - perf.abandonment)
    overloaded = erlang_a_performance(200, 300 / 180, 180, 3600, 20)
    # Carried load cannot exceed N: at least 1 − N/A = 1/3 of callers must abandon.
    assert overloaded.abandonment == pytest.approx(1 / 3, abs=1e-6)


def test_erlang_a_without_agents_everyone_abandons() -> None:
    perf = erlang_a_performance(0, 1 / 60, 180, 60, 20)
    assert (perf.wait_probability, perf.abandonment, perf.answered, perf.service_level) == (1.0, 1.0, 0.0, 0.0)


def test_erlang_a_more_agents_is_better() -> None:
    perfs = [erlang_a_performance(n, CLASSIC_RATE, CLASSIC_AHT, 120, 20) for n in range(1, 25)]
    for fewer, more in zip(perfs, perfs[1:], strict=False):
        assert more.abandonment < fewer.abandonment
        assert more.wait_probability < fewer.wait_probability
        assert more.service_level > fewer.service_level


def test_erlang_a_longer_patience_means_fewer_abandon_but_more_wait() -> None:
    # With longer patience fewer callers give up before an agent is free (P_ab falls), but those who stay
    # keep the queue longer, so more arrivals find every agent busy (P_wait rises).
    perfs = [erlang_a_performance(10, CLASSIC_RATE, CLASSIC_AHT, p, 20) for p in (10, 30, 60, 120, 300, 900, 3600)]
    for shorter, longer in zip(perfs, perfs[1:], strict=False):
        assert longer.abandonment < shorter.abandonment
        assert longer.wait_probability > shorter.wait_probability


def simulate_mmn_m(
    agents: int, arrival_rate: float, aht: float, patience: float, threshold: float, callers: int, seed: int
) -> list[tuple[float, float, float, float]]:
    """FCFS M/M/N+M, caller by caller: each arrival's offered wait is the time until the earliest of the N
    servers is free (served callers only occupy servers); it is served if that wait ≤ its patience.
    Returns 20 batch means of (waited > 0, abandoned, answered within threshold, ASA of the batch)."""
    rng = random.Random(seed)
    free_at = [0.0] * agents  # heap of the times each server becomes free
    now = 0.0
    warm_up, batches = 2_000, 20
    per_batch = callers // batches
    rows: list[tuple[float, float, float, float]] = []
    waited = abandoned = within = answered = 0
    wait_of_answered = 0.0
    for i in range(warm_up + per_batch * batches):
        now += rng.expovariate(arrival_rate)
        give_up_after = rng.expovariate(1 / patience)
        talk = rng.expovariate(1 / aht)
        start = max(now, free_at[0])
        wait = start - now
        if wait <= give_up_after:
            heapq.heapreplace(free_at, start + talk)
        if i < warm_up:
            continue
        waited += wait > 0
        if wait <= give_up_after:
            answered += 1
            wait_of_answered += wait
            within += wait <= threshold
        else:
            abandoned += 1
        if (i - warm_up + 1) % per_batch == 0:
            rows.append((waited / per_batch, abandoned / per_batch, within / per_batch, wait_of_answered / answered))
            waited = abandoned = within = answered = 0
            wait_of_answered = 0.0
    return rows


@pytest.mark.parametrize(
    ("agents", "arrival_rate", "aht", "patience", "seed"),
    [
        (3, 1 / 60, 150.0, 120.0, 20240601),  # the brief's case: A = 2.5 on 3 agents
        (2, 1 / 60, 180.0, 60.0, 7),  # overloaded: A = 3 on 2 agents, the queue lives on abandonment
    ],
)
def test_erlang_a_matches_monte_carlo(agents: int, arrival_rate: float, aht: float, patience: float, seed: int) -> None:
    # 200 000 simulated callers (after 2 000 warm-up) in 20 batches of 10 000. Successive callers are
    # correlated, so the standard error is taken from the batch means (sd of the 20 batch figures / √20,
    # about 0.002–0.003 here, ~2× the binomial √(p(1−p)/n)); each exact figure must lie within 4 standard
    # errors (two-sided t with 19 df: a miss by chance has probability < 0.1 %; the seed is fixed).
    threshold = 20.0
    exact = erlang_a_performance(agents, arrival_rate, aht, patience, threshold)
    rows = simulate_mmn_m(agents, arrival_rate, aht, patience, threshold, 200_000, seed)
    for column, value in enumerate((exact.wait_probability, exact.abandonment, exact.service_level, exact.asa_seconds)):
        batch = [row[column] for row in rows]
        standard_error = statistics.stdev(batch) / math.sqrt(len(batch))
        assert abs(statistics.mean(batch) - value) < 4 * standard_error, (column, statistics.mean(batch), value)


# -- staffing -----------------------------------------------------------------------------------
def test_agents_needed_published_classic_example() -> None:
    # Published (ErlangC README above): 80 % within 20 s needs 14 agents; 13 give 79.56 %.
    assert agents_needed(CLASSIC_RATE, CLASSIC_AHT, threshold=20, service_level=0.8) == 14
    # Erlang C with no target: the smallest stable N (A = 10 → 11).
    assert agents_needed(CLASSIC_RATE, CLASSIC_AHT) == 11


@pytest.mark.parametrize(
    "targets",
    [
        {"service_level": 0.8},
        {"max_abandonment": 0.05},
        {"service_level": 0.8, "max_abandonment": 0.02},
        {"service_level": 0.95, "threshold": 10},
        {"max_abandonment": 0.3},  # below A: abandonment lets N < A carry the rest
    ],
)
def test_agents_needed_erlang_a_is_the_first_staffing_that_meets(targets: dict) -> None:
    # Hand-checked the way a planner would: N meets every target and N − 1 misses one.
    n = agents_needed(CLASSIC_RATE, CLASSIC_AHT, patience=120, **targets)
    threshold = targets.get("threshold", 20)

    def meets(agents: int) -> bool:
        perf = erlang_a_performance(agents, CLASSIC_RATE, CLASSIC_AHT, 120, threshold)
        return perf.service_level >= targets.get("service_level", 0) and perf.abandonment <= targets.get(
            "max_abandonment", 1
        )

    assert meets(n) and not meets(n - 1)


def test_agents_needed_erlang_a_classic_figures() -> None:
    # A = 10, patience 120 s: SL(20 s) is 74.2 % with 11 agents and 82.6 % with 12 (printed by
    # erlang_a_performance); abandonment is 6.2 % with 12 and 3.8 % with 13. Erlang A needs fewer agents than
    # Erlang C's 14 for the same 80/20 because callers who hang up shorten the queue.
    assert agents_needed(CLASSIC_RATE, CLASSIC_AHT, service_level=0.8, patience=120) == 12
    assert agents_needed(CLASSIC_RATE, CLASSIC_AHT, max_abandonment=0.05, patience=120) == 13
    assert agents_needed(CLASSIC_RATE, CLASSIC_AHT, service_level=0.8, patience=math.inf) == 14


def test_agents_needed_edges() -> None:
    assert agents_needed(0.0, 180, service_level=0.8) == 0
    assert agents_needed(0.0, 180, service_level=0.8, patience=60) == 0
    # Unreachable within max_agents: a ValueError saying what was asked.
    with pytest.raises(ValueError, match="max_agents=5"):
        agents_needed(CLASSIC_RATE, CLASSIC_AHT, service_level=0.8, max_agents=5)
    with pytest.raises(ValueError, match="max_agents=8"):
        agents_needed(CLASSIC_RATE, CLASSIC_AHT, max_abandonment=0.01, patience=120, max_agents=8)
    # Erlang A has no stability condition, so it needs a target.
    with pytest.raises(ValueError, match="service_level and/or max_abandonment"):
        agents_needed(CLASSIC_RATE, CLASSIC_AHT, patience=120)


def test_required_agents_table_for_a_week_of_half_hours() -> None:
    intervals: list[tuple[float, float, float | None]] = [
        (0.0, 180.0, 120.0),
        (CLASSIC_RATE, CLASSIC_AHT, None),
        (CLASSIC_RATE, CLASSIC_AHT, 120.0),
        (2 * CLASSIC_RATE, CLASSIC_AHT, 120.0),
    ] * 84  # 336 half-hours
    table = required_agents_table(intervals, service_level=0.8, threshold=20)
    assert len(table) == 336
    assert table[:4] == [0, 14, 12, agents_needed(2 * CLASSIC_RATE, CLASSIC_AHT, service_level=0.8, patience=120)]
    assert table == table[:4] * 84
