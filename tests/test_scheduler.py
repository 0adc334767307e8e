"""Scheduled work: the leader lease, the jobs (wrap-up timeout, shift end, coverage gaps, dispatch
sweep) and the APScheduler wiring with its jobs stored in the database."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from callcenter.agents.service import AgentService
from callcenter.ops import jobs
from callcenter.ops.leader import LeaderLease
from callcenter.ops.scheduler import build
from callcenter.rota.service import RotaService
from models import Agent, AgentEvent, Call, db

from .conftest import BACKENDS

SKILLS = ["branch_1", "branch_2", "accounts", "incidents", "single_window", "other", "vi", "en"]


def agent_on_overtime(app, clock, name: str, hours: float) -> Agent:
    service = AgentService(db.session, clock, RotaService(db.session, clock))
    agent = service.create(name, name.title(), SKILLS)
    agent.overtime_until = clock.now() + timedelta(hours=hours)
    service.login(agent)
    db.session.commit()
    return agent


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_only_one_process_holds_the_lease_and_a_lapsed_one_is_taken_over(app, clock) -> None:
    first = LeaderLease(clock, holder="host-a:1", ttl_seconds=30)
    second = LeaderLease(clock, holder="host-b:2", ttl_seconds=30)
    with app.app_context():
        assert first.acquire(db.session) is True
        assert second.acquire(db.session) is False
        clock.advance(20)
        assert first.acquire(db.session) is True, "renewed"
        clock.advance(25)
        assert second.acquire(db.session) is False, "renewal moved the expiry"
        clock.advance(10)  # first stopped renewing 35 s ago
        assert second.acquire(db.session) is True
        assert first.acquire(db.session) is False
        second.release(db.session)
        assert first.acquire(db.session) is True, "a released lease is free at once"


def test_wrap_up_that_runs_out_of_time_makes_the_agent_available(app, clock) -> None:
    with app.app_context():
        agent = agent_on_overtime(app, clock, "lan", hours=4)
        service = AgentService(db.session, clock, RotaService(db.session, clock))
        for state in ("ringing", "on_call", "wrap_up"):
            service.transition(agent, state)
        db.session.commit()
        clock.advance(119)
        assert jobs.expire_wrap_ups() == []
        clock.advance(1)
        assert jobs.expire_wrap_ups() == ["lan"]
        event = db.session.scalars(select(AgentEvent).order_by(AgentEvent.id.desc())).first()
        assert (event.kind, event.reason, event.actor) == ("READY", "wrap_up_timeout", "scheduler")


def test_shift_change_mid_queue_the_next_caller_goes_to_the_agent_still_on_duty(app, clock, caplog) -> None:
    with app.app_context():
        leaving = agent_on_overtime(app, clock, "minh", hours=1)
        clock.advance(1)
        staying = agent_on_overtime(app, clock, "hoa", hours=8)
        db.session.add(
            Call(
                call_sid="CA" + "7" * 32,
                started_at=clock.now(),
                stage="queued",
                branch=2,
                problem_group="other",
                language="vi",
                queue_entered_at=clock.now(),
                queue_sid="QU" + "b2" * 16,
                caller_kind="number",
                dialled_known=True,
                menu_attempts=0,
            )
        )
        db.session.commit()
        clock.advance(3600)  # minh's overtime is over; minh has been idle longest
        assert jobs.end_shifts() == ["minh"]
        assert db.session.get(Agent, leaving.id).state == "offline"
        offline = db.session.scalars(select(AgentEvent).where(AgentEvent.kind == "AGENTLOGOFF")).one()
        assert offline.reason == "shift_ended"
        from callcenter.queue.dispatch import Dispatcher

        offers = Dispatcher(db.session, clock, RotaService(db.session, clock)).dispatch()
        assert [o.agent.id for o in offers] == [staying.id]


def test_coverage_gaps_in_the_next_day_are_reported(app, clock, caplog) -> None:
    with app.app_context(), caplog.at_level(logging.WARNING):
        spans = jobs.coverage_gaps(hours=24)
    assert len(spans) == 48, "nobody on the rota: every 30-minute interval of the day"
    assert any("without enough agents" in r.getMessage() for r in caplog.records)


def test_scheduler_keeps_its_jobs_in_the_database_and_runs_them_as_leader(app, clock) -> None:
    from sqlalchemy import text

    scheduler = build(app)
    assert {job.id: job.trigger.interval.total_seconds() for job in scheduler.get_jobs()} == {
        spec.id: spec.seconds for spec in jobs.JOBS
    }
    scheduler.start(paused=True)  # paused: the jobs are stored, none fires during the test
    try:
        with app.app_context():
            stored = db.session.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all()
        assert set(stored) == {spec.id for spec in jobs.JOBS}
        assert jobs.wrap_up_timeout() == [], "this process took the lease and ran the job"
    finally:
        scheduler.shutdown(wait=False)


def test_a_process_without_the_lease_does_no_work(app, clock) -> None:
    build(app)
    with app.app_context():
        assert LeaderLease(clock, holder="another-host:9", ttl_seconds=300).acquire(db.session)
    assert jobs.shift_end() is None, "the other host holds the lease"
