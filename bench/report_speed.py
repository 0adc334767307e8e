"""Report speed on a year of national-scale history (issue 4): 5 million calls with their events.

    .venv/bin/python bench/report_speed.py                                    # SQLite (bench/results/)
    .venv/bin/python bench/report_speed.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_reports

The history is generated once (bench/report_history.py, seeded) and kept: a second run reuses it
(`--regenerate` starts over; on PostgreSQL the database must exist and its name must start with
"bench", because the run empties it). Each report is what `/api/reports/…` computes for a month and
for the whole year — `reports.build` then the JSON encoding — and, in the same run over the same rows,
one hand-written SQL aggregate of the same figures over the calls (the floor: one query, no Python).
The median of `--repeat` runs is reported, with the ratio report / floor. The reports read the hourly
figures (callcenter/reports.py `roll_up`, written once here as the hourly job would) for all but the
last 48 hours; `--no-rollup` makes them read every call instead, like the floor.
Goal: every report < 300 ms for a month and < 2 s for the year on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import RESULTS_DIR  # noqa: E402
from bench.report_history import History, calls_in, load  # noqa: E402
from callcenter.reports.service import build, day_bounds, hour_floor, roll_up, rolled_until  # noqa: E402
from models.migrate import downgrade, upgrade  # noqa: E402

DEFAULT_URL = f"sqlite:///{RESULTS_DIR / 'reports_bench.db'}"
YEAR = (date(2025, 11, 23), date(2026, 11, 22))
MONTH = (date(2026, 10, 1), date(2026, 10, 31))
NOW = datetime(2026, 11, 23, 5, tzinfo=UTC)  # "today" for the run: the day after the year of history
REPORTS = [  # (name, by): what the report page asks for
    ("abandonment by day", "day"),
    ("abandonment by weekday x hour", "weekday_hour"),
    ("service by branch", "branch"),
    ("service by problem group", "group"),
]
# The floor: the same figures (threshold 20 s, short abandons 5 s) per hour, written by hand.
FLOOR = """
SELECT {hour} AS h,
  sum(CASE WHEN c.queue_entered_at IS NOT NULL THEN 1 ELSE 0 END),
  sum(CASE WHEN c.queue_entered_at IS NOT NULL AND coalesce(c.outcome, 'answered') = 'answered' THEN 1 ELSE 0 END),
  sum(CASE WHEN c.queue_entered_at IS NOT NULL AND c.outcome = 'queue_abandoned' THEN 1 ELSE 0 END),
  sum(CASE WHEN c.queue_entered_at IS NOT NULL AND c.outcome = 'queue_abandoned' AND c.queue_wait_seconds < 5
      THEN 1 ELSE 0 END),
  sum(CASE WHEN c.queue_entered_at IS NULL AND c.outcome = 'ivr_abandoned' THEN 1 ELSE 0 END),
  sum(CASE WHEN c.outcome = 'callback_requested' THEN 1 ELSE 0 END),
  sum(CASE WHEN c.outcome = 'callback_requested' AND b.status = 'completed' THEN 1 ELSE 0 END),
  sum(CASE WHEN c.outcome = 'voicemail' THEN 1 ELSE 0 END),
  sum(CASE WHEN coalesce(c.outcome, 'answered') = 'answered' AND c.queue_wait_seconds <= 20 THEN 1 ELSE 0 END),
  sum(CASE WHEN c.outcome = 'queue_abandoned' AND c.queue_wait_seconds <= 20 THEN 1 ELSE 0 END),
  sum(CASE WHEN coalesce(c.outcome, 'answered') = 'answered' THEN c.queue_wait_seconds ELSE 0 END),
  max(c.queue_wait_seconds),
  sum(CASE WHEN c.outcome = 'answered' AND c.ended_at IS NOT NULL THEN {talk} ELSE 0 END),
  sum(CASE WHEN c.outcome = 'answered' THEN coalesce(c.wrapup_seconds, 0) ELSE 0 END)
FROM calls c LEFT OUTER JOIN callbacks b ON b.call_id = c.id
WHERE coalesce(c.queue_entered_at, c.started_at) >= :start AND coalesce(c.queue_entered_at, c.started_at) < :end
  AND (c.outcome IS NOT NULL OR c.stage = 'connected')
GROUP BY 1
"""
DIALECT_SQL = {
    "postgresql": {
        "hour": "date_trunc('hour', coalesce(c.queue_entered_at, c.started_at))",
        "talk": "EXTRACT(EPOCH FROM (c.ended_at - c.answered_at))",
    },
    "sqlite": {
        "hour": "substr(coalesce(c.queue_entered_at, c.started_at), 1, 13)",
        "talk": "((julianday(c.ended_at) - julianday(c.answered_at)) * 86400.0)",
    },
}


def prepare(url: str, calls: int, regenerate: bool) -> None:
    """Generate the history unless the database already holds exactly it."""
    if not regenerate and calls_in(url) == calls:
        upgrade(url)  # a history kept from an earlier version gets the newer tables
        print(f"reusing {calls:,} calls in {make_url(url).render_as_string()}")
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        if not (parsed.database or "").startswith("bench"):
            sys.exit("The run empties its PostgreSQL database: name it bench… (and create it first).")
        downgrade(url, "base")
    else:
        Path(parsed.database or "").unlink(missing_ok=True)
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    started = time.perf_counter()
    made = load(url, History(calls=calls))
    print(f"generated {made:,} calls with their events in {time.perf_counter() - started:.0f} s")


def roll_target() -> datetime:
    """Where the roll-up at NOW ends (hours 48 h old)."""
    return hour_floor(NOW - timedelta(hours=48))


def median_ms(run, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--calls", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--no-rollup", dest="rollup", action="store_false", help="reports read every call (no hourly figures)"
    )
    args = parser.parse_args()
    prepare(args.database_url, args.calls, args.regenerate)
    engine = create_engine(args.database_url)
    dialect = engine.dialect.name
    floor_sql = text(FLOOR.format(**DIALECT_SQL[dialect]))
    results = []
    with Session(engine) as session:
        if args.rollup and rolled_until(session, 20, 5) != roll_target():
            started = time.perf_counter()
            rows = roll_up(session, NOW, 20, 5)
            session.commit()
            print(f"hourly figures: {rows:,} rows written in {time.perf_counter() - started:.1f} s (once)")
        elif not args.rollup:
            session.execute(text("DELETE FROM report_hours"))
            session.execute(text("DELETE FROM report_rollups"))
            session.commit()
        print(f"\n{dialect}: median of {args.repeat} runs" + ("" if args.rollup else ", no hourly figures"))
        print(f"{'period':<7} {'report':<31} {'calls':>10} {'report ms':>10} {'floor ms':>9} {'ratio':>6}")
        for period, (first, last) in (("month", MONTH), ("year", YEAR)):
            start, end = day_bounds(first, last)
            bounds = {
                "start": start.replace(tzinfo=None) - start.utcoffset(),
                "end": end.replace(tzinfo=None) - end.utcoffset(),
            }

            def floor(bounds: dict = bounds) -> None:
                session.execute(floor_sql, bounds).all()

            build(session, first, last, "day")  # warm the cache the same way for both
            floor()
            floor_ms = median_ms(floor, args.repeat)
            for name, by in REPORTS:
                report = build(session, first, last, by)

                def run(by: str = by, first: date = first, last: date = last) -> None:
                    json.dumps(build(session, first, last, by))

                ours = median_ms(run, args.repeat)
                calls = report["total"]["offered"] + report["total"]["ivr_abandoned"]
                results.append(
                    {
                        "period": period,
                        "report": name,
                        "calls": calls,
                        "ms": round(ours, 1),
                        "floor_ms": round(floor_ms, 1),
                        "ratio": round(ours / floor_ms, 2),
                    }  # fmt: skip
                )
                print(f"{period:<7} {name:<31} {calls:>10,} {ours:>10.1f} {floor_ms:>9.1f} {ours / floor_ms:>6.2f}")
    engine.dispose()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"report_speed_{dialect}{'' if args.rollup else '_raw'}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
