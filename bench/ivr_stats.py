"""The ivr_load benchmark's statistics: latency percentiles, errors and per-step figures of a load run,
and the verdict against the issue's goals (IVR/bare throughput, IVR open-loop p99)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from bench.loadgen import LoadRun, Sample

THROUGHPUT_GOAL = 0.50  # IVR requests/s as a share of the bare endpoint's
P99_GOAL_MS = 25.0  # IVR open-loop p99
PERCENTILES = (50, 90, 99)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_stats(values_s: list[float]) -> dict[str, float]:
    """p50/p90/p99/max/mean in milliseconds."""
    ms = sorted(v * 1000 for v in values_s)
    stats = {f"p{p}": round(percentile(ms, p), 2) for p in PERCENTILES}
    stats["max"] = round(ms[-1], 2) if ms else math.nan
    stats["mean"] = round(sum(ms) / len(ms), 2) if ms else math.nan
    return stats


def error_summary(samples: list[Sample]) -> dict[str, Any]:
    """How many requests failed, and the commonest reasons."""
    reasons = Counter(f"{s.label}: {s.error}" for s in samples if s.error)
    return {"errors": sum(reasons.values()), "error_kinds": dict(reasons.most_common(5))}


def by_step(samples: list[Sample], latency: Any) -> dict[str, dict[str, Any]]:
    """Request count and latency per webhook (step label)."""
    labels = sorted({s.label for s in samples})
    return {
        label: {
            "requests": sum(1 for s in samples if s.label == label),
            **latency_stats([latency(s) for s in samples if s.label == label]),
        }
        for label in labels
    }


def summarize_closed(run: LoadRun) -> dict[str, Any]:
    """Closed loop: requests answered inside the window; latency from the actual send."""
    start, end = run.window
    samples = [s for s in run.samples if start <= s.done <= end]
    errors = error_summary(samples)
    ok = len(samples) - errors["errors"]
    per_s = len(samples) / run.plan.duration
    return {
        "clients": run.plan.processes,
        "duration_s": run.plan.duration,
        "requests": len(samples),
        **errors,
        "requests_per_s": round(per_s, 1),
        "ok_requests_per_s": round(ok / run.plan.duration, 1),
        "server_cpu_ms_per_request": server_cpu_ms(run.cpu_cores, per_s),
        "latency_ms": latency_stats([s.done - s.sent for s in samples]),
        "by_step": by_step(samples, lambda s: s.done - s.sent),
        "cpu_cores": run.cpu_cores,
    }


def server_cpu_ms(cores: dict[str, float], per_s: float) -> float:
    """CPU milliseconds the server side (gunicorn, and PostgreSQL if used) spent per request."""
    return round(1000 * (cores["server"] + cores.get("postgres", 0.0)) / per_s, 2) if per_s else math.nan


def summarize_open(run: LoadRun) -> dict[str, Any]:
    """Open loop: requests scheduled inside the window; latency from the scheduled send time."""
    start, end = run.window
    samples = [s for s in run.samples if start <= s.due < end]
    expected = round(run.plan.rate * run.plan.duration)
    return {
        "offered_per_s": run.plan.rate,
        "duration_s": run.plan.duration,
        "scheduled": expected,
        "requests": len(samples),
        **error_summary(samples),
        "server_cpu_ms_per_request": server_cpu_ms(run.cpu_cores, run.plan.rate),
        "latency_ms": latency_stats([s.done - s.due for s in samples]),
        "send_lag_ms": latency_stats([s.sent - s.due for s in samples]),
        "by_step": by_step(samples, lambda s: s.done - s.due),
        "cpu_cores": run.cpu_cores,
        "sender_processes": run.plan.processes,
        "sender_threads": run.plan.threads,
    }


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def verdict(results: dict[str, Any]) -> dict[str, Any]:
    """Ratios IVR/bare and whether the issue's goals are met."""
    ivr, bare = results["ivr"], results["bare"]
    throughput = _ratio(ivr["closed_loop"]["ok_requests_per_s"], bare["closed_loop"]["ok_requests_per_s"])
    ivr_p99 = ivr["open_loop"]["latency_ms"]["p99"]
    return {
        "throughput_ratio_ivr_over_bare": round(throughput, 3),
        "throughput_goal_met": throughput >= THROUGHPUT_GOAL,
        "open_loop_p99_ratio_ivr_over_bare": round(_ratio(ivr_p99, bare["open_loop"]["latency_ms"]["p99"]), 2),
        "open_loop_ivr_p99_ms": ivr_p99,
        "p99_goal_met": ivr_p99 < P99_GOAL_MS,
        "no_errors": all(results[n][m]["errors"] == 0 for n in results for m in ("closed_loop", "open_loop")),
    }
