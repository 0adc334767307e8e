"""Presence: is the agent's softphone there to ring? The page tells us, and we believe nothing else.

The softphone page reports every few seconds (POST /agent/api/presence) whether its Voice SDK device is
registered (in the sandbox: as long as the page runs), and when the tab closes it sends a last report
by `navigator.sendBeacon` saying it is gone. The dispatcher offers calls only to an agent whose page
reported within PRESENCE_TIMEOUT_SECONDS with a registered device (`queue.dispatch.reachable`): a short
blip pauses offers and nothing more. A page silent for PRESENCE_OFFLINE_SECONDS is gone for good: the
scheduler logs the agent off (AGENTLOGOFF, reason `softphone_lost`, actor `presence`) so that the
wallboard and the rota's "who is working" tell the truth.

A report is a plain UPDATE of the two presence columns without the agent's version: it never changes
a state, so it must not make the agent's own state change or the dispatcher's claim fail.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from callcenter.agents.service import AgentService
from callcenter.common.clock import Clock
from models import Agent, AgentState

log = logging.getLogger(__name__)
AGENTS = Agent.__table__
LOST_REASON = "softphone_lost"
# What the wallboard, the People page and the softphone say about an agent's softphone.
CONNECTED, NOT_READY, LOST = "connected", "not_ready", "lost"


def softphone_status(agent: Agent, now: datetime, timeout_seconds: int) -> str | None:
    """connected | not_ready (the device is not registered, or the tab just closed) | lost (no report
    within the timeout: tab closed or connection lost) | None (no page ever reported)."""
    if agent.seen_at is None:
        return None
    if now - agent.seen_at > timedelta(seconds=timeout_seconds):
        return LOST
    return CONNECTED if agent.device_ready else NOT_READY


class PresenceService:
    """Records the softphone's reports and logs off agents whose softphone is gone for good."""

    def __init__(self, session: Session, clock: Clock, *, timeout_seconds: int = 10, offline_seconds: int = 60):
        self.session = session
        self.clock = clock
        self.timeout_seconds = timeout_seconds
        self.offline_after = timedelta(seconds=offline_seconds)

    def report(self, agent: Agent, *, ready: bool, gone: bool = False) -> tuple[str, bool]:
        """The page's report: its device registered or not; `gone`: the tab is closing (the beacon).
        Returns the softphone status it leaves, and whether the softphone just came back (connected now,
        not before: a dispatch round may find her a caller)."""
        now = self.clock.now()
        before = softphone_status(agent, now, self.timeout_seconds)
        ready = ready and not gone  # a closing tab is not ready: offers stop at once, the sweep counts from now
        self.session.execute(update(AGENTS).where(AGENTS.c.id == agent.id).values(seen_at=now, device_ready=ready))
        if gone:
            log.info("agent %s: softphone page closed", agent.id)
        status = CONNECTED if ready else NOT_READY
        return status, status == CONNECTED and before != CONNECTED

    def sweep(self) -> list[str]:
        """Agents available or on a break whose page has been silent for PRESENCE_OFFLINE_SECONDS go
        offline, reason on record; commits each. Returns their usernames."""
        now = self.clock.now()
        agents = AgentService(self.session, self.clock)
        query = select(Agent).where(
            Agent.state.in_([AgentState.AVAILABLE, AgentState.BREAK]),
            Agent.seen_at.is_not(None),
            Agent.seen_at < now - self.offline_after,
        )
        gone = []
        for agent in list(self.session.scalars(query)):
            silent = int((now - agent.seen_at).total_seconds()) if agent.seen_at else None
            agents.transition(agent, AgentState.OFFLINE, reason=LOST_REASON, actor="presence", silent_seconds=silent)
            gone.append(agent.username)
            log.warning("agent %s logged off: softphone silent for %s s", agent.id, silent)
        self.session.commit()
        return gone
