"""The ivr_load benchmark's report: the environment the figures depend on, the printed tables and
the JSON written under bench/results/."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench.common import HOST, RESULTS_DIR, ROOT
from bench.database import is_postgres
from bench.ivr_stats import P99_GOAL_MS, THROUGHPUT_GOAL
from bench.server import ServerSettings


def environment_info(args: argparse.Namespace, settings: ServerSettings, url: str) -> dict[str, Any]:
    """What the figures depend on: machine, versions, settings."""
    return {
        "cpu_cores": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "gunicorn": version("gunicorn"),
        "flask": version("flask"),
        "sqlalchemy": version("sqlalchemy"),
        "git_commit": _git_commit(),
        "server": settings.describe(),
        "bind": f"{HOST}:{args.port}",
        "database": make_url(url).render_as_string(hide_password=True),
        "args": vars(args),
    }


def count_lines(path: Path) -> int:
    """Lines gunicorn and the app wrote (warnings, tracebacks); 0 on a clean run."""
    return len(path.read_text(errors="replace").splitlines()) if path.exists() else 0


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def machine_note(report: dict[str, Any]) -> str:
    """The caveat every figure comes with."""
    sharing = (
        "gunicorn, the load generator and PostgreSQL"
        if is_postgres(report["environment"]["database"])
        else "gunicorn (with SQLite in its workers) and the load generator"
    )
    return (
        f"NOTE: this machine has {report['environment']['cpu_cores']} CPU cores, shared by {sharing}; "
        f"load average at start {report['environment']['load_average_at_start'][0]:.2f}. Absolute figures "
        "are lower bounds for a dedicated server; compare the IVR with the bare endpoint measured alongside."
    )


CPU_ORDER = ("server", "postgres", "client", "others", "machine")


def _cpu_legend(cores: dict[str, float]) -> str:
    return "CPU cores busy: " + " / ".join(name for name in CPU_ORDER if name in cores)


def _cpu(cores: dict[str, float]) -> str:
    return " / ".join(f"{cores[name]:.2f}" for name in CPU_ORDER if name in cores)


def print_report(report: dict[str, Any]) -> None:
    """The human-readable summary."""
    env = report["environment"]
    print(f"\nIVR load benchmark: {env['server']} on {env['bind']}, database {env['database']}")
    print(machine_note(report))
    print_closed(report["results"], env["args"]["warmup"])
    print_open(report["results"], env["args"]["warmup"])
    print_steps(report["results"]["ivr"])
    print_errors(report["results"])
    print_verdict(report)


def print_closed(results: dict[str, Any], warmup: float) -> None:
    """The closed-loop table."""
    first = results["ivr"]["closed_loop"]
    print(
        f"\nMaximum throughput, closed loop ({first['clients']} client processes, one connection each, "
        f"{first['duration_s']:g} s after {warmup:g} s warm-up)"
    )
    print(
        f"{'endpoint':<9}{'req/s':>9}{'ok req/s':>10}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'srv CPU':>9}"
        f"  {_cpu_legend(first['cpu_cores'])}"
    )
    for name in ("bare", "ivr"):
        r = results[name]["closed_loop"]
        print(
            f"{name:<9}{r['requests_per_s']:>9.1f}{r['ok_requests_per_s']:>10.1f}{r['errors']:>8}"
            f"{r['latency_ms']['p50']:>9.2f}{r['latency_ms']['p99']:>9.2f}"
            f"{r['server_cpu_ms_per_request']:>9.2f}  {_cpu(r['cpu_cores'])}"
        )


def print_open(results: dict[str, Any], warmup: float) -> None:
    """The open-loop table."""
    first = results["ivr"]["open_loop"]
    print(
        f"\nLatency at {first['offered_per_s']:g} requests/s offered, open loop (from the scheduled send time, "
        f"{first['duration_s']:g} s after {warmup:g} s warm-up)"
    )
    print(
        f"{'endpoint':<9}{'sent':>7}{'errors':>8}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'lag p99':>9}{'srv CPU':>9}  {_cpu_legend(first['cpu_cores'])}"
    )
    for name in ("bare", "ivr"):
        r = results[name]["open_loop"]
        lat = r["latency_ms"]
        print(
            f"{name:<9}{r['requests']:>7}{r['errors']:>8}{lat['p50']:>9.2f}{lat['p90']:>9.2f}{lat['p99']:>9.2f}"
            f"{lat['max']:>9.2f}{r['send_lag_ms']['p99']:>9.2f}{r['server_cpu_ms_per_request']:>9.2f}"
            f"  {_cpu(r['cpu_cores'])}"
        )
    print(
        "(srv CPU: server-side CPU ms per request; lag p99: how late the client really sent, already part "
        "of the latency)"
    )


def print_verdict(report: dict[str, Any]) -> None:
    """Ratios, goals, and what the run left behind."""
    goals, log, db = report["verdict"], report["server_log"], report["database_after"]
    print(
        f"\nThroughput IVR/bare: {goals['throughput_ratio_ivr_over_bare']:.1%} "
        f"(goal ≥ {THROUGHPUT_GOAL:.0%}: {_met(goals['throughput_goal_met'])})"
    )
    print(
        f"IVR open-loop p99: {goals['open_loop_ivr_p99_ms']:.2f} ms (goal < {P99_GOAL_MS:g} ms: "
        f"{_met(goals['p99_goal_met'])}); p99 IVR/bare = {goals['open_loop_p99_ratio_ivr_over_bare']:.2f}×"
    )
    print(f"Server log: {log['lines']} lines, see {log['path']}" if log["lines"] else "Server log: empty")
    print(
        f"Database after the run: {db['calls']} calls ({db['calls_not_ended']} not ended), {db['events']} "
        f"events, {db['webhook_errors']} webhook errors recorded by the app"
    )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_steps(ivr: dict[str, Any]) -> None:
    """IVR latency per webhook."""
    print("\nIVR per webhook (closed-loop p50/p99 ms | open-loop p50/p99 ms)")
    closed, opened = ivr["closed_loop"]["by_step"], ivr["open_loop"]["by_step"]
    for label in ("incoming", "language", "group", "queue_wait", "queue_exit", "status"):
        c, o = closed.get(label), opened.get(label)
        if c and o:
            print(f"  {label:<11}{c['p50']:>8.2f}{c['p99']:>8.2f}   |{o['p50']:>8.2f}{o['p99']:>8.2f}")


def print_errors(results: dict[str, Any]) -> None:
    """The commonest errors, if any."""
    for name, runs in results.items():
        for mode, run in runs.items():
            for kind, count in run["error_kinds"].items():
                print(f"  error ({name}, {mode}): {kind} × {count}")


def write_json(report: dict[str, Any], stamp: str) -> Path:
    """Save the full report under bench/results/."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"ivr_load-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return path
