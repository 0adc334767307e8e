"""Several real processes dispatch at once against one PostgreSQL database: one call (or callback) never
goes to two agents, one agent never gets two calls (the compare-and-set claims in callcenter/dispatch.py)."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from callcenter.common.clock import SystemClock
from callcenter.queue.dispatch import Dispatcher
from callcenter.rota.service import RotaService
from models import Agent, AgentEvent, Call, Callback

pytestmark = pytest.mark.postgres_race
PROCESSES = 4
ROUNDS = 15
SKILLS = ["branch_1", "branch_2", "accounts", "incidents", "single_window", "other", "vi", "en"]


def dispatch_worker(url: str, barrier: multiprocessing.synchronize.Barrier, results: multiprocessing.Queue) -> None:
    """One app process: dispatch repeatedly, each round in its own transaction."""
    engine = create_engine(url)
    claimed: list[tuple[str, int]] = []
    barrier.wait(timeout=60)
    for _ in range(ROUNDS):
        with Session(engine, expire_on_commit=False, autoflush=False) as session:
            clock = SystemClock()
            offers = Dispatcher(session, clock, RotaService(session, clock)).dispatch()
            session.commit()
            claimed += [
                (f"callback-{o.call.callback_id}" if o.call.is_callback else o.call.call_sid, o.agent.id)
                for o in offers
            ]
    engine.dispose()
    results.put(claimed)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_parallel_dispatchers_never_double_book(database_url) -> None:
    from config import TestConfig
    from models import crypto

    crypto.configure(list(TestConfig.DATA_KEYS))  # the callbacks' numbers are encrypted (no app here)
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        for i in range(12):  # 12 idle agents, all allowed to work now
            session.add(
                Agent(
                    username=f"a{i}",
                    identity=f"a{i}",
                    display_name=f"A{i}",
                    skills=SKILLS,
                    state="available",
                    state_since=now,
                    idle_since=now - timedelta(seconds=i),
                    overtime_until=now + timedelta(hours=1),
                    created_at=now,
                )
            )
        for i in range(40):  # 40 callers waiting
            session.add(
                Call(
                    call_sid=f"CA{i:032x}",
                    started_at=now,
                    stage="queued",
                    branch=1 + i % 2,
                    problem_group="accounts" if i % 2 else None,
                    language="vi",
                    queue_entered_at=now - timedelta(seconds=100 - i),
                    queue_sid="QU" + f"{1 + i % 2}" * 32,
                    caller_kind="number",
                    dialled_known=True,
                    menu_attempts=0,
                )
            )
        session.flush()
        for i in range(6):  # 6 callbacks whose callers queued before anyone now waiting: they go first
            asked = Call(
                call_sid=f"CB{i:032x}",
                started_at=now - timedelta(minutes=30),
                stage="ended",
                outcome="callback_requested",
                branch=2,
                language="vi",
                caller_kind="number",
                dialled_known=True,
                menu_attempts=0,
            )
            session.add(asked)
            session.flush()
            session.add(
                Callback(
                    call_id=asked.id,
                    number_e164=f"+8491234{i:04d}",
                    number_hash=f"race-{i}",
                    branch=2,
                    problem_group="accounts",
                    language="vi",
                    place_at=now - timedelta(seconds=600 + i),
                    requested_at=now - timedelta(minutes=29),
                    status="pending",
                    attempts=0,
                    max_attempts=3,
                    next_attempt_at=now - timedelta(minutes=1),
                )
            )
        session.commit()

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    workers = [ctx.Process(target=dispatch_worker, args=(database_url, barrier, results)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    claims = [pair for _ in workers for pair in results.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    calls = [sid for sid, _ in claims]
    agents = [agent for _, agent in claims]
    assert len(claims) == 12, "every agent got exactly one call, across all processes"
    assert len(set(calls)) == len(calls), "no call went to two agents"
    assert len(set(agents)) == len(agents), "no agent got two calls"
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AgentEvent).where(AgentEvent.kind == "RINGING")) == 12
        offered = session.scalars(select(Call.offered_agent_id).where(Call.offered_agent_id.is_not(None))).all()
        offered += session.scalars(select(Callback.agent_id).where(Callback.status == "offered")).all()
        assert sorted(offered) == sorted(agents)
        longest_waiting = session.scalars(
            select(Call.call_sid).where(Call.stage == "queued").order_by(Call.queue_entered_at).limit(6)
        ).all()
        expected = {f"callback-{i}" for i in session.scalars(select(Callback.id))} | set(longest_waiting)
        assert set(calls) == expected, "the 6 callbacks (oldest places) and the 6 longest-waiting callers first"
    engine.dispose()
