"""Scheduled work: what runs by itself, how often, and in which process (see scheduler.py).

Every job runs inside the app's context and only in the process holding the leader lease.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from callcenter.agents.presence import PresenceService
from callcenter.agents.service import AgentService
from callcenter.mail import jobs as mail_jobs
from callcenter.ops.leader import LeaderLease
from callcenter.reports.service import roll_up
from callcenter.rota.service import RotaService
from callcenter.routing.agent_sweep import AgentSweep
from callcenter.routing.queue_sync import QueueSync
from callcenter.routing.reconcile import Reconciler
from callcenter.routing.trigger import dispatch_round
from callcenter.tickets.calls import CallService
from callcenter.tickets.followup import keep_what_is_there
from callcenter.tickets.record import HotlineSettings
from models import Agent, AgentState, db

log = logging.getLogger(__name__)
_APP: Flask | None = None  # the app the scheduler process serves (set by scheduler.start)
_LEASE: LeaderLease | None = None


@dataclass(frozen=True)
class JobSpec:
    """A job: its id, the function (by import path, so a persistent store can keep it) and its interval."""

    id: str
    func: str
    seconds: int


JOBS = (
    JobSpec("dispatch", "callcenter.ops.jobs:dispatch", 2),
    JobSpec("wrap_up_timeout", "callcenter.ops.jobs:wrap_up_timeout", 5),
    JobSpec("shift_end", "callcenter.ops.jobs:shift_end", 30),
    JobSpec("presence", "callcenter.ops.jobs:presence", 5),
    JobSpec("reconcile", "callcenter.ops.jobs:reconcile", 60),
    JobSpec("coverage_warning", "callcenter.ops.jobs:coverage_warning", 900),
    JobSpec("report_rollup", "callcenter.ops.jobs:report_rollup", 3600),
)


def mail_job_specs(config: Any) -> tuple[JobSpec, ...]:
    """The e-mail channel's jobs, only where a mail server is configured: the intake round (IDLE inside
    it, where offered) every MAIL_FETCH_SECONDS, the outbox every 15 s."""
    specs = []
    if config.get("MAIL_IMAP_URL"):
        specs.append(
            JobSpec("mail_fetch", "callcenter.ops.jobs:mail_fetch", int(config.get("MAIL_FETCH_SECONDS") or 30))
        )
    if config.get("MAIL_SMTP_URL"):
        specs.append(JobSpec("mail_send", "callcenter.ops.jobs:mail_send", mail_jobs.SEND_SECONDS))
    return tuple(specs)


def bind(app: Flask, lease: LeaderLease) -> None:
    """Give the jobs their app and lease (once per scheduler process)."""
    global _APP, _LEASE
    _APP, _LEASE = app, lease


def _as_leader(work: Callable[[], Any]) -> Any:
    """Run `work` in the app context if this process holds the lease; otherwise do nothing."""
    if _APP is None or _LEASE is None:
        raise RuntimeError("jobs.bind() was not called in this process")
    with _APP.app_context():
        if not _LEASE.acquire(db.session):
            return None
        try:
            return work()
        except Exception:  # a failing job must not stop the scheduler; it runs again next interval
            db.session.rollback()
            log.exception("scheduled job failed")
            return None


def _agents() -> AgentService:
    clock = current_app.extensions["clock"]
    return AgentService(db.session, clock)


def dispatch() -> Any:
    """Offer waiting callers to idle agents and ring them (the sweep behind the event-driven rounds)."""
    return _as_leader(dispatch_round)


def expire_wrap_ups() -> list[str]:
    """Agents whose wrap-up time (with the "More time" they asked for) is over become available (or go
    offline if their shift has ended)."""
    agents = _agents()
    now = agents.clock.now()
    limit = timedelta(seconds=int(current_app.config["WRAP_UP_SECONDS"]))
    moved = []
    for agent in db.session.scalars(select(Agent).where(Agent.state == AgentState.WRAP_UP)):
        if now - agent.state_since < limit + timedelta(seconds=agent.wrap_up_extra_seconds or 0):
            continue
        keep_what_is_there(db.session, agent, now, "Wrap-up timed out; saved what the agent had entered.")
        if agents.rota.may_take_calls(agent, now):
            agents.transition(agent, AgentState.AVAILABLE, reason="wrap_up_timeout", actor="scheduler")
        else:
            agents.transition(agent, AgentState.OFFLINE, reason="shift_ended", actor="scheduler")
        moved.append(agent.username)
    db.session.commit()
    return moved


def end_shifts() -> list[str]:
    """Agents available or on a break whose shift (and overtime) is over stop being offered calls."""
    agents = _agents()
    now = agents.clock.now()
    ended = []
    query = select(Agent).where(Agent.state.in_([AgentState.AVAILABLE, AgentState.BREAK]))
    for agent in db.session.scalars(query):
        if not agents.rota.may_take_calls(agent, now):
            agents.transition(agent, AgentState.OFFLINE, reason="shift_ended", actor="scheduler")
            ended.append(agent.username)
    db.session.commit()
    return ended


def presence_service() -> PresenceService:
    """The presence rules with the app's settings."""
    config = current_app.config
    return PresenceService(
        db.session,
        current_app.extensions["clock"],
        timeout_seconds=int(config["PRESENCE_TIMEOUT_SECONDS"]),
        offline_seconds=int(config["PRESENCE_OFFLINE_SECONDS"]),
    )


def softphones_lost() -> list[str]:
    """Agents whose softphone page has been silent for PRESENCE_OFFLINE_SECONDS go offline."""
    return presence_service().sweep()


def coverage_gaps(hours: int = 24) -> list[tuple[str, str]]:
    """Intervals in the coming `hours` with nobody on duty; each is logged as a warning."""
    clock = current_app.extensions["clock"]
    rota = RotaService(db.session, clock)
    start = clock.now()
    gaps = rota.gaps(start, start + timedelta(hours=hours), minimum=int(current_app.config["MIN_AGENTS_ON_DUTY"]))
    spans = [(gap.starts_at.isoformat(), gap.ends_at.isoformat()) for gap in gaps]
    for first, last in spans[:1]:
        log.warning(
            "rota: %s interval(s) in the next %s h without enough agents, the first %s–%s",
            len(spans),
            hours,
            first,
            last,
        )
    return spans


def run_reconcile() -> int:
    """Close calls whose final callbacks were lost; compare the engine's queues with our records;
    release agents stuck ringing or on a call whose end we never heard of."""
    config = current_app.config
    clock = current_app.extensions["clock"]
    gateway = current_app.extensions["gateway"]
    calls = CallService(db.session, clock, HotlineSettings.from_config(config))
    report = Reconciler(calls, gateway).run(int(config["RECONCILE_LIMIT"]), float(config["RECONCILE_BUDGET_SECONDS"]))
    synced = QueueSync.from_config(calls, gateway, config).run()
    swept = agent_sweep(gateway).run()
    return len(report.closed) + len(synced.adopted) + len(synced.released) + len(synced.callbacks) + len(swept.released)


def agent_sweep(gateway: Any) -> Any:
    """The stuck-agent sweep with the app's settings (callcenter/agent_sweep.py)."""
    config = current_app.config
    return AgentSweep(
        db.session,
        current_app.extensions["clock"],
        gateway,
        ring_seconds=int(config["RING_SECONDS"]),
        check_after_seconds=int(config["AGENT_CHECK_AFTER_SECONDS"]),
        max_call_minutes=int(config["AGENT_MAX_CALL_MINUTES"]),
    )


def wrap_up_timeout() -> Any:
    return _as_leader(expire_wrap_ups)


def shift_end() -> Any:
    return _as_leader(end_shifts)


def presence() -> Any:
    return _as_leader(softphones_lost)


def reconcile() -> Any:
    return _as_leader(run_reconcile)


def coverage_warning() -> Any:
    return _as_leader(coverage_gaps)


def roll_up_reports() -> int:
    """The hourly report figures for the configured service-level settings (reports.roll_up)."""
    config = current_app.config
    rows = roll_up(
        db.session,
        current_app.extensions["clock"].now(),
        int(config["SERVICE_LEVEL_SECONDS"]),
        int(config["SHORT_ABANDON_SECONDS"]),
    )
    db.session.commit()
    return rows


def report_rollup() -> Any:
    return _as_leader(roll_up_reports)


def mail_fetch() -> Any:
    return _as_leader(mail_jobs.fetch_job)


def mail_send() -> Any:
    return _as_leader(mail_jobs.send_job)
