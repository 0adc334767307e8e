"""Agents stuck ringing or on a call because a <Dial> result or a status callback never arrived
(a restart, a network fault): without this sweep such an agent would stay busy for ever, never be
offered another call, and the softphone would refuse every change.

The rule (the scheduler runs it with reconciliation, every minute):
- Ringing for longer than the ring time plus a grace period: the ring is over whatever happened (the
  <Dial> and the callback's create call both time out after the ring time). The agent is available
  again, the offer withdrawn: a live caller keeps their place, a callback goes back in line.
- On a call for longer than `check_after`: ask the engine about the agent's own leg (`agents.leg_sid`).
  Ended, or unknown to the engine → the conversation is over: wrap-up (the ticket waits for it; a
  callback whose result was lost counts the attempt). A live caller whose call we already saw end
  needs no question. Still in progress → nothing to do.
- No answer from the engine (degraded, no leg on record) and on a call for longer than `max_call`:
  wrap-up, with the reason on record.
Every release is an agent event with actor "sweep" and the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.agents.service import AgentService
from callcenter.common.clock import Clock
from callcenter.queue.callbacks import CallbackService
from callcenter.queue.dispatch import Dispatcher
from callcenter.telephony.gateway import TelephonyGateway, leg_over
from models import Agent, AgentState, Call, Callback, CallbackStatus, CallStage

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    """Agents released by one sweep, as (username, reason)."""

    released: list[tuple[str, str]] = field(default_factory=list)


class AgentSweep:
    """Releases agents whose call is over but whose state never heard of it."""

    def __init__(
        self,
        session: Session,
        clock: Clock,
        gateway: TelephonyGateway,
        *,
        ring_seconds: int,
        grace_seconds: int = 60,
        check_after_seconds: int = 120,
        max_call_minutes: int = 120,
    ) -> None:
        self.session = session
        self.clock = clock
        self.gateway = gateway
        self.ring_limit = timedelta(seconds=ring_seconds + grace_seconds)
        self.check_after = timedelta(seconds=check_after_seconds)
        self.max_call = timedelta(minutes=max_call_minutes)
        self.agents = AgentService(session, clock)

    def run(self) -> SweepReport:
        """One sweep; each release is committed on its own."""
        report = SweepReport()
        now = self.clock.now()
        busy = select(Agent).where(Agent.state.in_([AgentState.RINGING, AgentState.ON_CALL]))
        for agent in list(self.session.scalars(busy)):
            try:
                reason = self._stuck(agent, now - agent.state_since)
                if reason is not None:
                    self._release(agent, reason)
                    self.session.commit()
                    report.released.append((agent.username, reason))
                    log.warning("agent %s released by the sweep: %s", agent.username, reason)
            except Exception:  # noqa: BLE001 - one agent must not stop the sweep
                self.session.rollback()
                log.exception("agent sweep failed for agent %s", agent.id)
        return report

    # -- the rule ---------------------------------------------------------------------------
    def _stuck(self, agent: Agent, for_how_long: timedelta) -> str | None:
        """Why this agent's state is over, or None while it may still be true."""
        if agent.state == AgentState.RINGING:
            return "ring_result_lost" if for_how_long > self.ring_limit else None
        if for_how_long <= self.check_after:
            return None
        if self._callback(agent) is None and self._call_stage(agent) == CallStage.ENDED:
            return "call_ended"
        over = leg_over(self.gateway, agent.leg_sid) if agent.leg_sid else None
        if over:
            return "call_result_lost"
        if over is False:
            return None  # the engine says the conversation goes on
        return "call_result_lost_timeout" if for_how_long > self.max_call else None

    def _call_stage(self, agent: Agent) -> str | None:
        if not agent.current_call_sid:
            return None
        return self.session.scalar(select(Call.stage).where(Call.call_sid == agent.current_call_sid))

    def _callback(self, agent: Agent) -> Callback | None:
        """The callback this agent is busy with, if it is one."""
        query = select(Callback).where(
            Callback.agent_id == agent.id, Callback.status.in_([CallbackStatus.OFFERED, CallbackStatus.DIALING])
        )
        return self.session.scalars(query).first()

    # -- what a release does ------------------------------------------------------------------
    def _release(self, agent: Agent, reason: str) -> None:
        callback = self._callback(agent)
        callbacks = CallbackService(self.session, self.clock)
        if agent.state == AgentState.RINGING:
            if callback is not None:
                callbacks.agent_missed(callback, agent.id, "lost")
            else:
                call_id = self.session.scalar(select(Call.id).where(Call.call_sid == agent.current_call_sid))
                if call_id is not None:
                    Dispatcher(self.session, self.clock, self.agents.rota).release(call_id, agent.id)
            self.agents.transition(agent, AgentState.AVAILABLE, reason=reason, actor="sweep")
            return
        if callback is not None and callback.status == CallbackStatus.DIALING:
            callbacks.dial_result(callback, "unknown", None)  # the attempt counts: we do not know it reached them
        self.agents.transition(agent, AgentState.WRAP_UP, reason=reason, actor="sweep")
