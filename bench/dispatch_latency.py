"""Dispatch latency: from "an agent becomes available with calls waiting" to the ring request reaching
Twilio (here: the local REST double of tests/rest_double.py, over real HTTP): the queue member's
dequeue (`--bridge client`, <Dial><Client>) or the agent called into the call's conference
(`--bridge conference`, Participants API; issue 13).

    .venv/bin/python bench/dispatch_latency.py                       # SQLite (temporary file)
    .venv/bin/python bench/dispatch_latency.py --bridge conference
    .venv/bin/python bench/dispatch_latency.py --create-database \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hotline_dispatch

Each round: the agent logs in (one committed state change), one dispatch round runs (the same
RingService the scheduler and the CLI use), and the double stamps the moment the member update
arrives. Between rounds the agent and the call are put back (outside the measurement). Goal (issue 3):
p99 < 50 ms with 200 callers waiting.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import update  # noqa: E402

from app import create_app  # noqa: E402
from bench.database import bench_database  # noqa: E402
from callcenter.agents.service import AgentService  # noqa: E402
from callcenter.common.clock import SystemClock  # noqa: E402
from callcenter.routing.ringing import RingService  # noqa: E402
from callcenter.tickets.calls import CallService  # noqa: E402
from callcenter.tickets.record import HotlineSettings  # noqa: E402
from config import TestConfig  # noqa: E402
from ivr.agent_calls import ring_urls  # noqa: E402
from models import Agent, Call, db  # noqa: E402
from tests.rest_double import serve  # noqa: E402

SKILLS = ["branch_1", "branch_2", "accounts", "incidents", "single_window", "other", "vi", "en"]
QUEUE_SID = "QU" + "d1" * 16


def seed(waiting: int, double) -> int:  # type: ignore[no-untyped-def]
    """`waiting` queued callers (Twilio knows them as queue members) and one offline agent."""
    clock = SystemClock()
    now = clock.now()
    for i in range(waiting):
        sid = f"CA{i:032x}"
        db.session.add(
            Call(
                call_sid=sid,
                started_at=now,
                stage="queued",
                branch=2,
                problem_group="accounts",
                language="vi",
                queue_name="hotline-branch-2",
                queue_sid=QUEUE_SID,
                queue_entered_at=now - timedelta(seconds=waiting - i),
                caller_kind="number",
                dialled_known=True,
                menu_attempts=0,
            )
        )
        double.add_member(QUEUE_SID, sid)
    agent = AgentService(db.session, clock).create("bench", "Bench", SKILLS)
    agent.overtime_until = now + timedelta(hours=12)
    db.session.commit()
    return agent.id


def one_round(agent_id: int, double, conferences=None) -> float:  # type: ignore[no-untyped-def]
    """Agent becomes available → dispatch → the ring request arrives at the double; seconds."""
    clock = SystemClock()
    service = AgentService(db.session, clock)
    agent = db.session.get(Agent, agent_id)
    arrivals = double.conferences.arrivals if conferences is not None else double.arrivals
    arrivals_before = len(arrivals)
    started = time.perf_counter()
    service.login(agent)
    db.session.commit()
    from flask import current_app

    calls = CallService(db.session, clock, HotlineSettings.from_config(current_app.config))
    rung = RingService(calls, db_gateway(), ring_urls(), conferences=conferences).run()
    if not rung or len(arrivals) == arrivals_before:
        raise RuntimeError("the round rang nobody")
    latency = arrivals[-1] - started
    # Put the agent and the call back for the next round (not measured).
    call_sid = rung[0].call.call_sid
    db.session.execute(update(Agent).where(Agent.id == agent_id).values(state="offline", current_call_sid=None))
    db.session.execute(update(Call).where(Call.call_sid == call_sid).values(offered_agent_id=None, offered_at=None))
    db.session.commit()
    double.add_member(QUEUE_SID, call_sid)
    return latency


def db_gateway():  # type: ignore[no-untyped-def]
    from flask import current_app

    return current_app.extensions["gateway"]


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the double logs every request otherwise
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--create-database", action="store_true", help="create (and drop) that PostgreSQL db")
    parser.add_argument("--waiting", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--bridge", choices=("client", "conference"), default="client")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/dispatch.db"
    with bench_database(url, create=args.create_database):  # migrated; created and dropped when asked
        with serve(TestConfig.TWILIO_ACCOUNT_SID) as double:
            app = create_app(
                TestConfig,
                overrides={"DATABASE_URL": url, "SANDBOX_ENABLED": False, "TWILIO_API_BASE_URL": double.base_url},
            )
            conferences = app.extensions["conferences"] if args.bridge == "conference" else None
            with app.app_context():
                agent_id = seed(args.waiting, double)
                for _ in range(20):  # warm-up: connection pool, statement caches, HTTP keep-alive
                    one_round(agent_id, double, conferences)
                latencies = sorted(one_round(agent_id, double, conferences) * 1000 for _ in range(args.rounds))
            app.extensions["db"].engine.dispose()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(
        f"dispatch latency, {url.split(':')[0]}, bridge {args.bridge}, {args.waiting} callers waiting, "
        f"{args.rounds} rounds (ms):"
    )
    print(
        f"  p50 {statistics.median(latencies):.2f}  p90 {latencies[int(len(latencies) * 0.9) - 1]:.2f}  "
        f"p99 {p99:.2f}  max {latencies[-1]:.2f}"
    )
    print(f"goal p99 < 50 ms: {'met' if p99 < 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
