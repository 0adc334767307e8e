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
The statistics and the verdict are in ivr_stats.py, the printed and saved report in ivr_report.py.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repository, not bench/, so `bench.*` resolves

from bench.common import DEFAULT_PORT, HOST, RESULTS_DIR, default_database_url, server_environment  # noqa: E402
from bench.database import backend_pids, bench_database, database_summary, is_postgres  # noqa: E402
from bench.ivr_report import count_lines, environment_info, print_report, write_json  # noqa: E402
from bench.ivr_stats import summarize_closed, summarize_open, verdict  # noqa: E402
from bench.loadgen import Plan, closed_loop_client, open_loop_process, run_load  # noqa: E402
from bench.server import GunicornServer, ServerSettings, port_is_free  # noqa: E402
from bench.simcall import TARGETS  # noqa: E402

APPS = {"bare": "bench.wsgi_bare:app", "ivr": "bench.wsgi_ivr:app"}


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
    report["server_log"] = {"path": str(log), "lines": count_lines(log)}
    report["verdict"] = verdict(report["results"])
    print_report(report)
    print(f"\nJSON: {write_json(report, stamp)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
