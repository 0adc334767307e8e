"""Erlang B, Erlang C and Erlang A (M/M/N+M): how many agents an interval needs, and how it performs.

Units: seconds and calls per second. λ = arrival rate, AHT = mean handle time (talk + wrap-up),
μ = 1/AHT, A = λ·AHT the offered load in erlangs, N agents, T the service-level threshold (seconds),
θ = 1/patience for Erlang A (patience exponential with mean `patience` seconds).

Erlang C (M/M/N, callers wait for ever; callcenter.md "Staffing mathematics"):
    B_0 = 1, B_k = A·B_{k−1} / (k + A·B_{k−1})           (Erlang B, the stable recursion)
    P_wait = N·B_N / (N − A·(1 − B_N))                    (= Erlang C, for A < N; 1 when A ≥ N)
    SL(T) = 1 − P_wait·exp(−(N − A)·T / AHT)
    ASA = P_wait·AHT / (N − A)        (mean wait of all callers = of answered ones: nobody abandons)
    occupancy = A / N
When A ≥ N the queue grows without bound: `stable` is False, P_wait 1, SL 0, ASA inf, occupancy 1.

Erlang A (M/M/N+M, Palm 1946; Mandelbaum & Zeltyn, "The Palm/Erlang-A Queue, with Applications to
Call Centers", 2005): the number in system is a birth–death chain, birth rate λ, death rate
min(k, N)·μ + max(k − N, 0)·θ in state k. Its stationary distribution, relative to state N:
    π_k ∝ A^k/k! for k ≤ N (the Erlang B shape), so Σ_{k≤N} π_k / π_N = 1/B_N, and
    w_j = π_{N+j} / π_N = Π_{i=1..j} λ / (N·μ + i·θ)   for j ≥ 0 callers waiting,
so with W = Σ_j w_j:  P_wait = W / ((1 − B_N)/B_N + W)  (PASTA: an arrival sees π).
The sum is exact up to the tail: it stops once the remaining weights are provably < 1e-12 of W (past the
peak the ratios fall, so the tail is ≤ w_j·r/(1 − r) with r the next ratio); weights are rescaled as
they grow, so N = 200, A = 190 or heavy overload cannot overflow.

A caller who arrives with j callers waiting ahead (FCFS) moves up one place at rate N·μ + i·θ while i are
ahead (a service completion or an abandonment ahead) and leaves at rate θ (own patience). Those are
competing exponentials, so each of the j + 1 steps lasts Exp(b_i), b_i = N·μ + (i + 1)·θ, whatever
happens at its end, and
    P(served | j)            = Π_{i=0..j} (N·μ + i·θ)/b_i = N·μ / (N·μ + (j + 1)·θ)   (telescoping)
    P(abandon | j)           = (j + 1)·θ / (N·μ + (j + 1)·θ)
    E[wait | served, j]      = Σ_{i=0..j} 1/b_i
    P(served within T | j)   = P(served | j) · P(Exp(b_0) + … + Exp(b_j) ≤ T).
The rates b_i = θ·(x + 1 + i) (x = N·μ/θ) are evenly spaced, and that sum is −ln(U)/θ with
U ~ Beta(x + 1, j + 1) (its Laplace transform is Π (x+1+i)/(s/θ + x+1+i) = B(s/θ + x + 1, j + 1)/B(x + 1, j + 1)).
Hence P(sum ≤ T) = P(U ≥ e^{−θT}) = I_z(j + 1, x + 1) with z = 1 − e^{−θT}, and I_z(j + 1, x + 1) =
P(K ≥ j + 1) for K negative-binomial (r = x + 1, success probability z): pmf q_0 = e^{−(N·μ + θ)·T},
q_{a+1} = q_a · z · (a + x + 1)/(a + 1). All terms are positive; the only subtraction is 1 − CDF, whose
error stays ~1e-16 per term. This is an exact sum, not an approximation, and it is checked against a
seeded Monte-Carlo of the same queue in tests/test_erlang.py.
    service_level = (1 − P_wait) + P_wait · Σ_j w_j P(served within T | j) / W   (of ALL offered callers;
                    abandoners count against, immediately answered callers are within T)
    abandonment   = P_wait · Σ_j w_j P(abandon | j) / W
    asa_seconds   = P_wait · Σ_j w_j P(served | j) E[wait | served, j] / W / (1 − abandonment)
                    (mean wait of ANSWERED callers; the mean wait of all callers is abandonment/θ)
    occupancy     = λ·(1 − abandonment)·AHT / N   (carried load / N); `stable` is always True.
patience = math.inf is Erlang C exactly (the function returns erlang_c_performance).

Pure Python (math only): no numpy or scipy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

TAIL_TOLERANCE = 1e-12  # the Erlang A queue sum stops when the rest is below this share of it
MAX_QUEUE_TERMS = 1_000_000  # refuse (ValueError) rather than loop for ever on absurd patience × overload
_RESCALE = 1e200  # Erlang A weights are divided by this whenever one exceeds it
_LOG_RESCALE = math.log(_RESCALE)
_LOG_TINY = -700.0  # below this, exp() underflows: switch the negative-binomial pmf to log space


@dataclass(frozen=True)
class Performance:
    """How an interval performs with `agents` agents (shares are of all offered callers)."""

    agents: int
    load_erlangs: float  # A = λ·AHT
    wait_probability: float  # P(an arriving caller waits > 0)
    service_level: float  # share of ALL offered callers answered within the threshold T
    asa_seconds: float  # mean wait of answered callers (Erlang C: every caller is answered)
    abandonment: float  # share of offered callers who abandon (0 for Erlang C)
    occupancy: float  # carried load / N
    answered: float  # share of offered callers answered (1 − abandonment)
    stable: bool  # Erlang C: A < N; Erlang A: always True


# -- validation ---------------------------------------------------------------------------------
def _check_agents(agents: int) -> None:
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 0:
        raise ValueError(f"agents must be a whole number >= 0, got {agents!r}")


def _check_nonnegative(name: str, value: float, *, allow_inf: bool = False) -> None:
    if math.isnan(value) or value < 0 or (math.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be a {'' if allow_inf else 'finite '}number >= 0, got {value!r}")


def _check_positive(name: str, value: float, *, allow_inf: bool = False) -> None:
    if math.isnan(value) or value <= 0 or (math.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be a {'' if allow_inf else 'finite '}number > 0, got {value!r}")


def _check_share(name: str, value: float | None) -> None:
    if value is not None and not 0 <= value <= 1:
        raise ValueError(f"{name} is a share between 0 and 1, got {value!r}")


# -- Erlang B and C -----------------------------------------------------------------------------
def _extend_erlang_b(table: list[float], load: float, agents: int) -> None:
    """Append B_k for k = len(table) .. agents to `table` (which starts as [1.0] = B_0).

    B_k = A·B_{k−1} / (k + A·B_{k−1}): every step is a ratio of positive numbers, so no overflow
    or cancellation for any N (A^N/N! is never formed)."""
    b = table[-1]
    for k in range(len(table), agents + 1):
        b = load * b / (k + load * b)
        table.append(b)


def erlang_b(agents: int, load: float) -> float:
    """Erlang B blocking probability B(N, A) = (A^N/N!) / Σ_{k=0..N} A^k/k!, by the recursion
    B_0 = 1, B_k = A·B_{k−1} / (k + A·B_{k−1})."""
    _check_agents(agents)
    _check_nonnegative("load", load)
    table = [1.0]
    _extend_erlang_b(table, load, agents)
    return table[agents]


def _erlang_c_from_b(agents: int, load: float, b: float) -> float:
    """P_wait = N·B_N / (N − A·(1 − B_N)) for A < N, else 1."""
    if load >= agents:
        return 1.0
    return agents * b / (agents - load * (1.0 - b))


def erlang_c(agents: int, load: float) -> float:
    """Erlang C: probability an arriving caller waits, C(N, A) = N·B(N, A) / (N − A·(1 − B(N, A)));
    1.0 when A >= N (the queue is unstable and everyone waits)."""
    return _erlang_c_from_b(agents, load, erlang_b(agents, load))


def _idle_performance(agents: int) -> Performance:
    """No calls: nobody waits, nobody abandons."""
    return Performance(agents, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, True)


def _erlang_c_performance(agents: int, arrival_rate: float, aht: float, threshold: float, b: float) -> Performance:
    load = arrival_rate * aht
    if arrival_rate == 0:
        return _idle_performance(agents)
    if load >= agents:
        occupancy = 1.0 if agents else 0.0
        return Performance(agents, load, 1.0, 0.0, math.inf, 0.0, occupancy, 1.0, False)
    p_wait = _erlang_c_from_b(agents, load, b)
    slack = agents - load
    service_level = 1.0 - p_wait * math.exp(-slack * threshold / aht)
    asa = p_wait * aht / slack
    return Performance(agents, load, p_wait, service_level, asa, 0.0, load / agents, 1.0, True)


def erlang_c_performance(agents: int, arrival_rate: float, aht: float, threshold: float) -> Performance:
    """Erlang C (M/M/N) figures: P_wait = C(N, A), SL = 1 − P_wait·e^{−(N−A)·T/AHT},
    ASA = P_wait·AHT/(N − A) (mean wait of all callers, all of whom are answered), occupancy = A/N.
    When A >= N: stable False, P_wait 1, SL 0, ASA inf, occupancy 1 (no exception, no NaN)."""
    _check_agents(agents)
    _check_nonnegative("arrival_rate", arrival_rate)
    _check_positive("aht", aht)
    _check_nonnegative("threshold", threshold, allow_inf=True)
    table = [1.0]
    _extend_erlang_b(table, arrival_rate * aht, agents)
    return _erlang_c_performance(agents, arrival_rate, aht, threshold, table[agents])


# -- Erlang A -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _QueueSums:
    """Σ_j w_j·(1, P(abandon|j), P(served within T|j), P(served|j)·E[wait|served, j]) = e^{log_scale}·(...)."""

    weight: float
    abandon: float
    within: float
    wait: float
    log_scale: float


def _queue_sums(agents: int, arrival_rate: float, aht: float, patience: float, threshold: float) -> _QueueSums:
    """The sums over j = callers waiting ahead of an arrival (see the module docstring), w_0 = 1,
    w_j = w_{j−1}·λ/(N·μ + j·θ), truncated once the remaining weight is < TAIL_TOLERANCE of the sum."""
    lam, theta = arrival_rate, 1.0 / patience
    nmu = agents / aht
    x = nmu / theta
    # P(served by T | served, j) = P(K >= j + 1), K negative-binomial(x + 1, z): K ≡ 0 when T = 0, K ≡ ∞ when T = ∞.
    z = 1.0 if math.isinf(threshold) else -math.expm1(-theta * threshold)
    fixed_tail = 1.0 if z == 1.0 else 0.0 if z == 0.0 else None
    finite_t = fixed_tail is None
    log_z = math.log(z) if finite_t else 0.0
    log_q = -(nmu + theta) * threshold if finite_t else 0.0
    in_logs = log_q < _LOG_TINY
    q = math.exp(log_q)
    cdf = 0.0
    tail = fixed_tail or 0.0
    w = 1.0
    weight = abandon = within = wait = 0.0
    log_scale = 0.0
    mean_wait_served = 0.0  # Σ_{i=0..j} 1/b_i
    j = 0
    while True:
        exit_rate = nmu + (j + 1) * theta  # b_j
        served = nmu / exit_rate
        mean_wait_served += 1.0 / exit_rate
        if finite_t:
            cdf += q
            tail = max(0.0, 1.0 - cdf)
        weight += w
        abandon += w * (1.0 - served)
        within += w * served * tail
        wait += w * served * mean_wait_served
        ratio = lam / exit_rate  # w_{j+1} / w_j
        if ratio < 1.0 and w * ratio / (1.0 - ratio) < TAIL_TOLERANCE * weight:
            return _QueueSums(weight, abandon, within, wait, log_scale)
        j += 1
        if j > MAX_QUEUE_TERMS:
            raise ValueError(
                f"Erlang A: patience {patience:g} s with {agents} agents for {lam * aht:g} erlangs needs more than "
                f"{MAX_QUEUE_TERMS} queue states; use a realistic mean patience"
            )
        w *= ratio
        if w > _RESCALE:
            w, weight, abandon, within, wait = (v / _RESCALE for v in (w, weight, abandon, within, wait))
            log_scale += _LOG_RESCALE
        if finite_t:  # q_j = q_{j−1}·z·(j − 1 + x + 1)/j
            if in_logs:
                log_q += log_z + math.log((j + x) / j)
                q = math.exp(log_q)
                in_logs = log_q < _LOG_TINY
            else:
                q *= z * (j + x) / j


def _wait_probability(b: float, sums: _QueueSums) -> float:
    """P_wait = W / ((1 − B)/B + W), W = weight·e^{log_scale}, evaluated as 1/(1 + e^{r}) in logs."""
    if b <= 0.0:
        return 0.0  # B underflowed: the queue is unreachable in floating point
    if b >= 1.0:
        return 1.0
    r = math.log1p(-b) - math.log(b) - sums.log_scale - math.log(sums.weight)
    if r > 700:
        return math.exp(-r)
    return 1.0 / (1.0 + math.exp(r))


def _erlang_a_performance(
    agents: int, arrival_rate: float, aht: float, patience: float, threshold: float, b: float
) -> Performance:
    if math.isinf(patience):
        return _erlang_c_performance(agents, arrival_rate, aht, threshold, b)
    if arrival_rate == 0:
        return _idle_performance(agents)
    load = arrival_rate * aht
    if agents == 0:
        return Performance(0, load, 1.0, 0.0, math.inf, 1.0, 0.0, 0.0, True)
    sums = _queue_sums(agents, arrival_rate, aht, patience, threshold)
    p_wait = _wait_probability(b, sums)
    abandonment = min(1.0, p_wait * sums.abandon / sums.weight)
    answered = 1.0 - abandonment
    service_level = min(answered, max(0.0, 1.0 - p_wait + p_wait * sums.within / sums.weight))
    asa = p_wait * (sums.wait / sums.weight) / answered if answered > 0 else math.inf
    occupancy = min(1.0, load * answered / agents)
    return Performance(agents, load, p_wait, service_level, asa, abandonment, occupancy, answered, True)


def erlang_a_performance(
    agents: int, arrival_rate: float, aht: float, patience: float, threshold: float
) -> Performance:
    """Erlang A (M/M/N+M, exponential patience with mean `patience` s) figures from the birth–death chain's
    stationary distribution (module docstring: exact sums, queue tail cut below 1e-12).
    service_level is of all offered callers (abandoners count against), asa_seconds is the mean wait of
    answered callers, occupancy = λ·(1 − P_abandon)·AHT/N, stable always True.
    patience = math.inf gives erlang_c_performance (where stable may be False)."""
    _check_agents(agents)
    _check_nonnegative("arrival_rate", arrival_rate)
    _check_positive("aht", aht)
    _check_positive("patience", patience, allow_inf=True)
    _check_nonnegative("threshold", threshold, allow_inf=True)
    table = [1.0]
    _extend_erlang_b(table, arrival_rate * aht, agents)
    return _erlang_a_performance(agents, arrival_rate, aht, patience, threshold, table[agents])


# -- staffing -----------------------------------------------------------------------------------
def agents_needed(
    arrival_rate: float,
    aht: float,
    *,
    threshold: float = 20,
    service_level: float | None = None,
    max_abandonment: float | None = None,
    patience: float | None = None,
    max_agents: int = 1000,
) -> int:
    """The smallest N meeting every given target: service_level (share of all offered callers answered
    within `threshold` s, ≥) and max_abandonment (share of offered callers abandoning, ≤).

    Erlang A when `patience` is given (finite), else Erlang C, where N must also exceed A (a stable queue)
    and max_abandonment is met by any stable N (Erlang C has no abandonment). Erlang A has no stability
    condition, so it needs at least one target (ValueError otherwise). 0 when arrival_rate is 0.
    Raises ValueError when no N up to `max_agents` meets the targets.

    Both figures improve as N grows, so the search starts near the answer (A + √A, never below the bound
    N ≥ A·max(service_level, 1 − max_abandonment) that holds because at most N calls are carried) and
    steps down while N − 1 still meets the targets, or up until N does; Erlang B is extended one step per N.
    """
    _check_nonnegative("arrival_rate", arrival_rate)
    _check_positive("aht", aht)
    _check_nonnegative("threshold", threshold, allow_inf=True)
    _check_share("service_level", service_level)
    _check_share("max_abandonment", max_abandonment)
    if patience is not None:
        _check_positive("patience", patience, allow_inf=True)
    _check_agents(max_agents)
    if arrival_rate == 0:
        return 0
    load = arrival_rate * aht
    erlang_a = patience is not None and not math.isinf(patience)
    if erlang_a and service_level is None and max_abandonment is None:
        raise ValueError("agents_needed with a patience (Erlang A) needs service_level and/or max_abandonment")

    mean_patience = patience if patience is not None else math.inf  # inf: Erlang C
    table = [1.0]

    def meets(agents: int) -> bool:
        _extend_erlang_b(table, load, agents)
        perf = _erlang_a_performance(agents, arrival_rate, aht, mean_patience, threshold, table[agents])
        return (
            perf.stable
            and (service_level is None or perf.service_level >= service_level)
            and (max_abandonment is None or perf.abandonment <= max_abandonment)
        )

    if erlang_a:
        carried_share = max(service_level or 0.0, 1.0 - max_abandonment if max_abandonment is not None else 0.0)
        lowest = max(0, math.floor(load * carried_share))
    else:
        lowest = math.floor(load) + 1
    if lowest > max_agents:
        raise ValueError(_unreachable(load, max_agents, service_level, max_abandonment, threshold))
    agents = min(max_agents, max(lowest, math.ceil(load + math.sqrt(load))))
    if meets(agents):
        while agents > lowest and meets(agents - 1):
            agents -= 1
        return agents
    while agents < max_agents:
        agents += 1
        if meets(agents):
            return agents
    raise ValueError(_unreachable(load, max_agents, service_level, max_abandonment, threshold))


def _unreachable(
    load: float, max_agents: int, service_level: float | None, max_abandonment: float | None, threshold: float
) -> str:
    targets = []
    if service_level is not None:
        targets.append(f"service level {service_level:.1%} within {threshold:g} s")
    if max_abandonment is not None:
        targets.append(f"abandonment at most {max_abandonment:.1%}")
    wanted = " and ".join(targets) or "a stable queue"
    return f"no staffing up to max_agents={max_agents} reaches {wanted} at {load:.2f} erlangs"


def required_agents_table(
    intervals: Sequence[tuple[float, float, float | None]],
    *,
    threshold: float = 20,
    service_level: float | None = None,
    max_abandonment: float | None = None,
    max_agents: int = 1000,
) -> list[int]:
    """agents_needed for each interval of (arrival_rate, aht, patience); patience None = Erlang C.
    The targets are agents_needed's keywords and apply to every interval (e.g. the 336 half-hours of a week)."""
    return [
        agents_needed(
            arrival_rate,
            aht,
            threshold=threshold,
            service_level=service_level,
            max_abandonment=max_abandonment,
            patience=patience,
            max_agents=max_agents,
        )
        for arrival_rate, aht, patience in intervals
    ]
