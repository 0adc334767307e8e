"""Load test of the IVR webhooks under gunicorn, against a bare Flask endpoint on the same settings.

    .venv/bin/python bench/ivr_load.py [--duration 10] [--rate 200] [--clients 8] [--port 8099]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/hotline_bench --create-database]

For each app (bare first, then the IVR) it starts gunicorn on 127.0.0.1, then measures
  1. maximum throughput, closed loop: --clients processes, one keep-alive client connection each
     (gunicorn's default sync workers close it after every response; the client then reconnects);
  2. latency at a fixed offered rate, open loop: --rate requests/s, latency from the scheduled send.
Simulated calls walk incoming → language → group menu → queue wait ×N → status (see simcall.py).
Goals (from the issue): IVR throughput ≥ 50 % of the bare endpoint's; IVR open-loop p99 < 25 ms.
It prints a table and writes bench/results/ivr_load-<timestamp>.json. Nothing here asserts speed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import subprocess
import sys
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repository, not bench/, so `bench.*` resolves

from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import DEFAULT_PORT, HOST, RESULTS_DIR, ROOT, default_database_url, server_environment  # noqa: E402
from bench.database import backend_pids, bench_database, database_summary, is_postgres  # noqa: E402
from bench.loadgen import LoadRun, Plan, Sample, closed_loop_client, open_loop_process, run_load  # noqa: E402
from bench.server import GunicornServer, ServerSettings, port_is_free  # noqa: E402
from bench.simcall import TARGETS  # noqa: E402

APPS = {"bare": "bench.wsgi_bare:app", "ivr": "bench.wsgi_ivr:app"}
THROUGHPUT_GOAL = 0.50  # IVR requests/s as a share of the bare endpoint's
P99_GOAL_MS = 25.0  # IVR open-loop p99
PERCENTILES = (50, 90, 99)


# -- command line -----------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The runner's options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per run (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each run (default 2)")
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop offered requests/s (default 200)")
    parser.add_argument("--clients", type=int, default=8, help="closed-loop client processes (default 8)")
    parser.add_argument("--open-processes", type=int, default=2, help="open-loop sender processes (default 2)")
    parser.add_argument(
        "--open-threads", type=int, default=16, help="sender threads per open-loop process (default 16)"
    )
    parser.add_argument("--waits", type=int, default=3, help="queue-wait webhooks per simulated call (default 3)")
    parser.add_argument(
        "--database-url", default=default_database_url(), help="default: a fresh SQLite file under bench/results/"
    )
    parser.add_argument(
        "--create-database",
        action="store_true",
        help="create the PostgreSQL database named in --database-url and drop it afterwards",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on {HOST} (default {DEFAULT_PORT})")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"), help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    args = parser.parse_args(argv)
    if min(args.duration, args.rate, args.clients, args.open_processes, args.open_threads, args.threads) <= 0:
        parser.error("--duration, --rate, --clients, --open-processes, --open-threads and --threads must be > 0")
    if args.waits < 0 or args.warmup < 0:
        parser.error("--waits and --warmup must be >= 0")
    return args


# -- measuring --------------------------------------------------------------------------------
def measure_app(name: str, args: argparse.Namespace, settings: ServerSettings, url: str, log: Path) -> dict[str, Any]:
    """Serve one app with gunicorn and run both measurements against it."""
    target = TARGETS[name]
    env = server_environment(args.port, url)
    with GunicornServer(APPS[name], args.port, settings, env, target.health_path, log) as server:
        groups = {"server": server.pids}
        if is_postgres(url):
            groups["postgres"] = lambda: backend_pids(url)
        common = {
            "target": name,
            "port": args.port,
            "waits": args.waits,
            "warmup": args.warmup,
            "duration": args.duration,
        }
        print(f"  {name}: closed loop, {args.clients} clients …", flush=True)
        closed = run_load(closed_loop_client, Plan(**common, processes=args.clients), groups)
        time.sleep(1.0)  # let the server drain before the next run
        print(f"  {name}: open loop, {args.rate:g} requests/s …", flush=True)
        opened = run_load(
            open_loop_process,
            Plan(**common, processes=args.open_processes, rate=args.rate, threads=args.open_threads),
            groups,
        )
    return {"closed_loop": summarize_closed(closed), "open_loop": summarize_open(opened)}


# -- statistics -------------------------------------------------------------------------------
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


# -- reporting ------------------------------------------------------------------------------
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


def _count_lines(path: Path) -> int:
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


# -- main -----------------------------------------------------------------------------------
def _exit_on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds the `with` blocks: gunicorn stopped, database dropped


def main(argv: list[str] | None = None) -> int:
    """Run both apps through both measurements, then report."""
    args = parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    if not port_is_free(args.port):
        print(f"{HOST}:{args.port} is in use; pick another --port", file=sys.stderr)
        return 2
    settings = ServerSettings(workers=2, worker_class=args.worker_class, threads=args.threads)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    log = RESULTS_DIR / f"gunicorn-{stamp}.log"
    with bench_database(args.database_url, create=args.create_database) as url:
        report: dict[str, Any] = {"environment": environment_info(args, settings, url)}
        print(f"{settings.describe()} on {HOST}:{args.port}; server log {log}", flush=True)
        report["results"] = {name: measure_app(name, args, settings, url, log) for name in ("bare", "ivr")}
        report["database_after"] = database_summary(url)
    report["environment"]["load_average_at_end"] = os.getloadavg()
    report["server_log"] = {"path": str(log), "lines": _count_lines(log)}
    report["verdict"] = verdict(report["results"])
    print_report(report)
    print(f"\nJSON: {write_json(report, stamp)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
