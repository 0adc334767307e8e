"""What an agent's softphone shows: their state, the calls waiting per branch, and the screen pop.

Confidentiality: a branch-1 caller (denunciations), or a caller whose branch is unknown, is shown to
agents without number and without history; only investigators see who called branch 1. A branch-2
caller's history lists their earlier branch-2 tickets only (a branch-1 ticket would reveal a report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.agents.consult import consult_state
from callcenter.agents.hold import on_hold
from callcenter.agents.presence import softphone_status
from callcenter.common.clock import Clock
from callcenter.common.http import iso
from callcenter.rota.service import RotaService
from callcenter.rota.staff import active_agent
from callcenter.tickets.visibility import caller_visible
from models import Agent, AgentState, Call, Callback, CallbackStatus, CallStage, Ticket

HISTORY_LIMIT = 5


@dataclass(frozen=True)
class DeskTimes:
    """The settings the desk shows times with (config: PRESENCE_TIMEOUT_SECONDS, WRAP_UP_…)."""

    presence_timeout: int = 10
    wrap_up: int = 120
    wrap_up_extend: int = 60
    wrap_up_warning: int = 30

    @classmethod
    def from_config(cls, config: Any) -> DeskTimes:
        """The app's settings."""
        return cls(
            int(config["PRESENCE_TIMEOUT_SECONDS"]),
            int(config["WRAP_UP_SECONDS"]),
            int(config["WRAP_UP_EXTEND_SECONDS"]),
            int(config["WRAP_UP_WARNING_SECONDS"]),
        )


class DeskView:
    """Builds the softphone's JSON from the database (read only)."""

    def __init__(self, session: Session, clock: Clock, times: DeskTimes | None = None) -> None:
        self.session = session
        self.clock = clock
        self.times = times or DeskTimes()

    def agent(self, agent: Agent) -> dict[str, Any]:
        """The agent's state, how long, and whether the rota lets them take calls now."""
        now = self.clock.now()
        rota = RotaService(self.session, self.clock)
        shift = next((s for s in rota.shifts_between(now, now) if s.agent_id == agent.id), None)
        on_duty = rota.on_duty(now)
        return {
            "id": agent.id,
            "name": agent.display_name,
            "identity": agent.identity,
            "skills": list(agent.skills or []),
            "state": agent.state,
            "reason": agent.state_reason,
            "since": iso(agent.state_since),
            "seconds_in_state": max(0, int((now - agent.state_since).total_seconds())),
            "on_duty": agent.id in on_duty,
            "may_take_calls": rota.may_take_calls(agent, now, on_duty),
            "shift_ends_at": iso(shift.ends_at) if shift else None,
            "overtime_until": iso(agent.overtime_until)
            if agent.overtime_until and agent.overtime_until > now
            else None,
            "softphone": softphone_status(agent, now, self.times.presence_timeout),
            **self.wrap_up(agent),
        }

    def wrap_up(self, agent: Agent) -> dict[str, Any]:
        """When the wrap-up ends (the scheduler's timeout honours the same time), whether "More time" was
        used, and when the page warns."""
        if agent.state != AgentState.WRAP_UP:
            return {"wrap_up": None}
        extra = agent.wrap_up_extra_seconds or 0
        ends = agent.state_since + timedelta(seconds=self.times.wrap_up + extra)
        return {
            "wrap_up": {
                "ends_at": iso(ends),
                "seconds_left": max(0, int((ends - self.clock.now()).total_seconds())),
                "extended_seconds": extra,
                "may_extend": not extra and self.times.wrap_up_extend > 0,
                "extend_seconds": self.times.wrap_up_extend,
                "warning_seconds": self.times.wrap_up_warning,
            }
        }

    def queues(self) -> dict[str, Any]:
        """Callers waiting and callbacks due, per branch, with the longest wait."""
        now = self.clock.now()
        rows = self.session.execute(
            select(Call.branch, func.count(), func.min(Call.queue_entered_at))
            .where(Call.stage == CallStage.QUEUED, Call.branch.is_not(None))
            .group_by(Call.branch)
        ).all()
        callbacks = self.session.execute(
            select(Callback.branch, func.count(), func.min(Callback.place_at))
            .where(Callback.status == CallbackStatus.PENDING)
            .group_by(Callback.branch)
        ).all()
        summary: dict[str, dict[str, int]] = {}

        def entry(branch: int) -> dict[str, int]:
            return summary.setdefault(str(branch), {"waiting": 0, "longest_wait_seconds": 0, "callbacks": 0})

        for branch in (1, 2):  # both branches always show, even with nobody waiting
            entry(branch)
        for branch, count, oldest in rows:
            entry(branch)["waiting"] = int(count)
            entry(branch)["longest_wait_seconds"] = max(0, int((now - oldest).total_seconds())) if oldest else 0
        for branch, count, _oldest in callbacks:
            entry(branch)["callbacks"] = int(count)
        return summary

    def screen_pop(self, agent: Agent, role: str) -> dict[str, Any] | None:
        """The call the agent is ringing for, talking on or wrapping up, with the caller's history."""
        if not agent.current_call_sid or agent.state not in (
            AgentState.RINGING,
            AgentState.ON_CALL,
            AgentState.WRAP_UP,
        ):
            return None
        call = self.session.scalars(select(Call).where(Call.call_sid == agent.current_call_sid)).first()
        if call is None:
            return None
        ticket = self.session.scalars(select(Ticket).where(Ticket.call_id == call.id)).first()
        callback = self.session.scalars(select(Callback).where(Callback.call_id == call.id)).first()
        visible = caller_visible(call.branch, role)
        waited = call.queue_wait_seconds
        if waited is None and call.queue_entered_at is not None:
            waited = int(((call.queue_exited_at or self.clock.now()) - call.queue_entered_at).total_seconds())
        return {
            "call_sid": call.call_sid,
            "caller": call.caller_e164 or call.from_raw if visible else None,
            "caller_hidden": not visible,
            "language": call.language,
            "branch": call.branch,
            "problem_group": call.problem_group,
            "waited_seconds": waited,
            "started_at": iso(call.started_at),
            "on_hold": on_hold(self.session, call.id),
            "consult": consult_state(self.session, call.id),
            "kind": "callback" if callback is not None and callback.agent_id == agent.id else "call",
            "callback": None
            if callback is None
            else {
                "number": callback.number_e164 if visible else None,
                "attempt": callback.attempts,
                "max_attempts": callback.max_attempts,
                "status": callback.status,
            },
            "ticket": None if ticket is None else self.ticket(ticket),
            "history": self.history(call) if visible else [],
        }

    def history(self, call: Call) -> list[dict[str, Any]]:
        """The caller's earlier branch-2 tickets, newest first."""
        if not call.caller_hash:
            return []
        query = (
            select(Ticket, Call)
            .join(Call, Call.id == Ticket.call_id)
            .where(Call.caller_hash == call.caller_hash, Call.id != call.id, Call.branch == 2)
            .order_by(Call.started_at.desc())
            .limit(HISTORY_LIMIT)
        )
        return [
            {
                "started_at": iso(c.started_at),
                "outcome": t.outcome,
                "status": t.status,
                "problem_group": t.problem_group,
                "business_code": t.business_code,
                "question": (t.question or "")[:200] or None,
            }
            for t, c in self.session.execute(query)
        ]

    @staticmethod
    def ticket(ticket: Ticket) -> dict[str, Any]:
        """The ticket's wrap-up fields (the draft so far)."""
        return {
            "id": ticket.id,
            "status": ticket.status,
            "outcome": ticket.outcome,
            "problem_group": ticket.problem_group,
            "business_code": ticket.business_code,
            "tax_code": ticket.tax_code,
            "customs_unit": ticket.customs_unit,
            "question": ticket.question,
            "answer": ticket.answer,
        }


def agents_board(session: Session, clock: Clock, presence_timeout: int = 10) -> list[dict[str, Any]]:
    """Every active agent: state, reason, for how long, whether on duty, and their softphone
    (connected, not_ready, lost, or None before any page reported: see agents/presence.py)."""
    now = clock.now()
    on_duty = RotaService(session, clock).on_duty(now)
    rows = session.scalars(select(Agent).where(active_agent()).order_by(Agent.display_name))
    return [
        {
            "name": a.display_name,
            "username": a.username,
            "state": a.state,
            "reason": a.state_reason,
            "seconds_in_state": max(0, int((now - a.state_since).total_seconds())),
            "on_duty": a.id in on_duty,
            "softphone": softphone_status(a, now, presence_timeout),
        }
        for a in rows
    ]
