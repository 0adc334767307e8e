"""Forecast speed (issue 5): three goals, measured in one run.

    .venv/bin/python bench/forecast_speed.py            # all three (the year takes ~10 s)
    .venv/bin/python bench/forecast_speed.py --quick    # without the year

1. One simulated week at the documented load (430 calls a day at 7.5 min, four people on the Panama
   rota): goal < 2 s. The whole week forecast (Erlang A per half hour + the simulation) is timed too.
2. The "required agents" table for a week of 336 half hours (Erlang A, 80 % within 60 s and under
   5 % abandoning): goal < 200 ms, at the documented load and at national scale.
3. A year at national scale — 1,000,000 calls, 70 agents on rotating 8-hour shifts, a third of them
   with one branch only, callbacks on: goal < 60 s.
4. `GET /api/forecast` for a week of the demo desk (four agents on the 24/7 rota, the default profile; a
   temporary SQLite file, the Flask test client, HTTP Basic), without and with `include=email` (the week
   played again with e-mails, issue 15).
Median of `--repeat` runs for 1, 2 and 4; the year runs once.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter.forecast.profile import WEEK_INTERVALS, default_profile, default_shape, pooled  # noqa: E402
from callcenter.forecast.reality import MONDAY, documented_rota  # noqa: E402
from callcenter.forecast.scenario import CallbackOffer, Scenario, SimAgent  # noqa: E402
from callcenter.forecast.simulation import simulate  # noqa: E402
from callcenter.forecast.week import Targets, forecast, required_agents, scenario_for  # noqa: E402

DAY, HOUR = 86400.0, 3600.0
TARGETS = Targets(0.80, 60, 0.05)


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def required_table(calls_per_day: float) -> Callable[[], list[int]]:
    profile = default_profile(calls_per_day)
    week = profile.week(MONDAY)
    load = [pooled(week, profile, i) for i in range(WEEK_INTERVALS)]
    return lambda: [required_agents(c, aht, patience, TARGETS) for c, aht, patience in load]


def national_year(calls: int = 1_000_000, agents: int = 70) -> Scenario:
    """A year of the default shape scaled to `calls`, 70 agents on 8-hour shifts (5 days on, 2 off)."""
    shape = default_shape()  # a week, sums to 7
    per_day = calls / 365
    arrivals = {1: [], 2: []}
    for day in range(365):
        for i in range(48):
            expected = per_day * shape[(day % 7) * 48 + i]
            arrivals[1].append(expected * 0.1)
            arrivals[2].append(expected * 0.9)
    people = []
    for k in range(agents):
        start = 7 if k < agents * 0.6 else (15 if k < agents * 0.85 else 23)
        shifts = tuple((d * DAY + start * HOUR, d * DAY + (start + 8) * HOUR) for d in range(365) if (d + k) % 7 < 5)
        skills = frozenset({1, 2}) if k % 3 else frozenset({1 + (k % 2)})
        people.append(SimAgent(f"agent{k}", skills, shifts))
    return Scenario(
        arrivals,
        {1: 450.0, 2: 450.0},
        {1: 180.0, 2: 180.0},
        people,
        wrapup_seconds=30,
        ring_no_answer=0.02,
        callbacks=CallbackOffer(take_share=0.3),
        threshold=60,
    )


def api_speed(repeat: int) -> None:
    """/api/forecast without and with the week's e-mails, through the app (a temporary SQLite file)."""
    import base64
    import tempfile
    from datetime import timedelta

    from app import create_app
    from callcenter.accounts.users import UserService
    from callcenter.agents.service import AgentService
    from callcenter.ops.demo import DEMO_AGENTS
    from callcenter.rota.service import RotaService
    from config import TestConfig
    from models import db
    from models.migrate import upgrade

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/forecast.db"
        upgrade(url)
        app = create_app(TestConfig, overrides={"DATABASE_URL": url})
        with app.app_context():
            clock = app.extensions["clock"]
            rota = RotaService(db.session, clock)
            agents = AgentService(db.session, clock, rota)
            desk = [agents.create(u, name, skills) for u, (name, skills) in DEMO_AGENTS.items()]
            rota.generate_default(desk, MONDAY - timedelta(days=1), 8, actor="bench")
            UserService(db.session, clock).create("bench-sup", "correct-horse-battery", "supervisor")
            db.session.commit()
        client = app.test_client()
        auth = {"Authorization": "Basic " + base64.b64encode(b"bench-sup:correct-horse-battery").decode()}

        def ask(status: int = 200, **extra: str) -> Callable[[], object]:
            def run() -> object:
                answer = client.get("/api/forecast", query_string={"week": MONDAY.isoformat(), **extra}, headers=auth)
                assert answer.status_code == status, answer.get_json()
                assert ("email" in answer.get_json()) == ("include" in extra)
                return answer

            return run

        with app.app_context():  # the work behind the API, without the login: the service and the JSON
            from callcenter.forecast.service import ForecastService

            service = ForecastService(db.session, app.extensions["clock"])
            alone = median_seconds(lambda: service.week(MONDAY, TARGETS).as_json(), repeat)
            both = median_seconds(lambda: service.week_with_email(MONDAY, TARGETS, 8)[0].as_json(), repeat)
        floor = median_seconds(ask(400, week="x"), repeat)  # the login (password hash) and a refusal
        plain = median_seconds(ask(), repeat)
        mail = median_seconds(ask(include="email"), repeat)
        app.extensions["db"].engine.dispose()
    print(f"4. the forecast service + JSON, calls only:          {alone * 1000:8.1f} ms")
    print(f"   the same with the week's e-mails:                 {both * 1000:8.1f} ms   ({both / alone:.1f}x)")
    print(f"   GET /api/forecast (demo desk, default profile):   {plain * 1000:8.1f} ms   "
          f"(of which {floor * 1000:.1f} ms the Basic login)")  # fmt: skip
    print(f"   GET /api/forecast?include=email:                 {mail * 1000:8.1f} ms   "
          f"({mail / plain:.1f}x; the work after the login {(mail - floor) / (plain - floor):.1f}x)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the year")
    args = parser.parse_args()

    profile, rota = default_profile(), documented_rota()
    scenario = scenario_for(profile, rota, profile.week(MONDAY), TARGETS)
    offered = simulate(scenario).totals().offered
    week_sim = median_seconds(lambda: simulate(scenario), args.repeat)
    week_all = median_seconds(lambda: forecast(profile, rota, TARGETS), args.repeat)
    print(f"1. one simulated week, {offered:,} calls, 4 agents:        {week_sim * 1000:8.1f} ms   (goal < 2000 ms)")
    print(f"   the whole week forecast (Erlang A + simulation):   {week_all * 1000:8.1f} ms")
    for label, per_day in (("documented load, 430 a day", 430), ("national scale, 2,740 a day", 2740)):
        table = required_table(per_day)
        needed = table()
        ms = median_seconds(table, args.repeat) * 1000
        print(f"2. required agents, 336 half hours, {label:<27} {ms:6.1f} ms   (goal < 200 ms; peak {max(needed)})")
    api_speed(args.repeat)
    if not args.quick:
        year = national_year()
        started = time.perf_counter()
        totals = simulate(year).totals()
        seconds = time.perf_counter() - started
        print(
            f"3. one simulated year, {totals.offered:,} calls, 70 agents: {seconds:8.1f} s    (goal < 60 s; "
            f"served {100 * totals.served_share:.1f} %, abandoned {100 * totals.abandonment:.1f} %)"
        )


if __name__ == "__main__":
    main()
