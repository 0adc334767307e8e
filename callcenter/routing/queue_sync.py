"""Queue reconciliation: what Twilio's queues hold, compared with our records, and repaired.

Differences it repairs (each on the call's timeline, committed call by call):
- a caller waiting in a Twilio queue with no record of ours (we were down when they arrived): the
  call is recorded as queued in that queue's branch, entered `wait_time` seconds ago, so they keep
  their real place and the dispatcher can put them through;
- an offer that never rang or never ended (a crash between claim and ring, a lost <Dial> result)
  while the caller is still in the queue: the offer is withdrawn (same place), a ringing agent freed;
- callbacks stuck offered or dialing (see CallbackService.stuck): back in line, or the attempt counted.
Calls we think are live but Twilio has finished are closed by the status sweep (reconcile.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from callcenter.agents.service import AgentService
from callcenter.queue.callbacks import CallbackService
from callcenter.telephony.form import clean_form  # what the REST API says is bounded like a webhook
from callcenter.telephony.gateway import GatewayError, QueueMember, TelephonyGateway, leg_over
from callcenter.tickets.calls import CallService
from models import Agent, AgentState, Call, CallStage, EventKind

log = logging.getLogger(__name__)


@dataclass
class QueueSyncReport:
    """What one comparison found and did."""

    members: int = 0
    adopted: list[str] = field(default_factory=list)  # callers we had no record of
    released: list[str] = field(default_factory=list)  # offers withdrawn
    callbacks: list[int] = field(default_factory=list)  # stuck callbacks repaired
    learned: list[str] = field(default_factory=list)  # waiting callers whose queue SID we did not know
    failed: bool = False


class QueueSync:
    """Compares the engine's queue members with our queued calls and repairs differences."""

    def __init__(
        self, calls: CallService, gateway: TelephonyGateway, queues: dict[str, int], ring_seconds: int
    ) -> None:
        self.calls = calls
        self.session = calls.session
        self.clock = calls.clock
        self.gateway = gateway
        self.queues = queues  # queue name → branch
        self.ring_seconds = ring_seconds

    @classmethod
    def from_config(cls, calls: CallService, gateway: TelephonyGateway, config: Any) -> QueueSync:
        """The hotline's two queues (name → branch) and ring time, from the app's config."""
        queues = {config["QUEUE_NAME_BRANCH_1"]: 1, config["QUEUE_NAME_BRANCH_2"]: 2}
        return cls(calls, gateway, queues, int(config["RING_SECONDS"]))

    def run(self) -> QueueSyncReport:
        """One comparison (a failed listing changes nothing)."""
        report = QueueSyncReport()
        members = self.gateway.queue_members(list(self.queues))
        if members is None:
            report.failed = True
            return report
        report.members = len(members)
        by_sid = {m.call_sid: m for m in members}
        known = set(self.session.scalars(select(Call.call_sid).where(Call.call_sid.in_(list(by_sid)))))
        for member in members:
            if member.call_sid not in known:
                self._guarded(lambda m=member: self._adopt(m, report))
            else:
                self._guarded(lambda m=member: self._learn_queue(m, report))
        self._release_stale_offers(by_sid, report)
        self._repair_callbacks(report)
        return report

    def _guarded(self, work: Callable[[], None]) -> None:
        """Run one repair in its own transaction."""
        try:
            work()
            self.calls.commit()
        except Exception:  # noqa: BLE001 - one bad record must not stop the comparison
            self.calls.rollback()
            log.exception("queue reconciliation step failed")

    def _adopt(self, member: QueueMember, report: QueueSyncReport) -> None:
        """Record a caller found waiting in a Twilio queue whom we have no record of."""
        try:
            remote = self.gateway.fetch_call(member.call_sid)
        except GatewayError:
            remote = None
        if remote is not None and remote.status in ("completed", "canceled", "failed"):
            return

        form = clean_form(
            {
                "CallSid": member.call_sid,
                "From": str((remote.from_ if remote else None) or ""),
                "To": str((remote.to if remote else None) or ""),
            }
        )
        call = self.calls.ensure_call({**form, "CallSid": member.call_sid})
        branch = self.queues.get(member.queue_name, 2)
        self.calls.choose_branch(call, branch, by_default=True)
        self.calls.enter_queue(call, member.queue_name)
        call.queue_entered_at = self.clock.now() - timedelta(seconds=member.wait_time)
        call.queue_position_first = call.queue_position_last = member.position
        self.calls.note_queue_sid(call, member.queue_sid)
        self.calls.add_event(call, EventKind.RECONCILED, dedupe_key="adopted", found="queue_member")
        report.adopted.append(member.call_sid)
        log.warning("CallSid=%s was waiting in %s with no record: adopted", member.call_sid, member.queue_name)

    def _learn_queue(self, member: QueueMember, report: QueueSyncReport) -> None:
        """A caller Twilio holds whose queue SID we do not know (their wait turn was lost, or they were
        sent back after a missed ring): from now on the dispatcher can put them through."""
        call = self.calls.find(member.call_sid)
        if call is not None and call.queue_sid is None and self.calls.note_queue_sid(call, member.queue_sid):
            report.learned.append(member.call_sid)

    def _release_stale_offers(self, members: dict[str, QueueMember], report: QueueSyncReport) -> None:
        """Offers older than a ring (plus a minute) whose caller is still waiting in the queue."""
        before = self.clock.now() - timedelta(seconds=self.ring_seconds + 60)
        query = select(Call).where(
            Call.stage == CallStage.QUEUED, Call.offered_agent_id.is_not(None), Call.offered_at < before
        )
        agents = AgentService(self.session, self.clock)
        for call in list(self.session.scalars(query)):
            if call.call_sid not in members:
                continue  # not waiting: being bridged, or gone (the status sweep will tell)
            agent = self.session.get(Agent, call.offered_agent_id)
            call.offered_agent_id, call.offered_at = None, None
            if agent is not None and agent.state == AgentState.RINGING and agent.current_call_sid == call.call_sid:
                agents.transition(agent, AgentState.AVAILABLE, reason="offer_lost", actor="reconcile")
            self.session.commit()
            report.released.append(call.call_sid)
            log.warning("CallSid=%s offer withdrawn by reconciliation (still waiting in the queue)", call.call_sid)

    def _repair_callbacks(self, report: QueueSyncReport) -> None:
        """Offers whose agent never reported back go back in line; a dialing callback whose agent leg
        is over without a <Dial> result counts the attempt (a leg still up is a long conversation)."""
        service = CallbackService(self.session, self.clock)
        agents = AgentService(self.session, self.clock)
        for callback in service.stuck(self.clock.now(), self.ring_seconds):
            call_sid = self.session.scalar(select(Call.call_sid).where(Call.id == callback.call_id))
            agent = self.session.get(Agent, callback.agent_id) if callback.agent_id else None
            if callback.status == "dialing" and not self._leg_over(callback.agent_call_sid):
                continue
            if callback.status == "offered":
                repaired = service.agent_missed(callback, callback.agent_id or 0, "lost")
                busy_state = AgentState.RINGING
            else:
                repaired = service.dial_result(callback, "unknown", None) is not None
                busy_state = AgentState.ON_CALL
            if repaired and agent is not None and agent.state == busy_state and agent.current_call_sid == call_sid:
                agents.transition(agent, AgentState.AVAILABLE, reason="callback_result_lost", actor="reconcile")
            self.session.commit()
            if repaired:
                report.callbacks.append(callback.id)

    def _leg_over(self, call_sid: str | None) -> bool:
        """True when the engine says the agent's leg has ended (or never knew it)."""
        return not call_sid or bool(leg_over(self.gateway, call_sid))
