"""Warm transfer on the conference bridge (issue 13): to central support (circular 6853/TCHQ-VNACCS: a
question the desk cannot resolve goes to the central support team) or to a colleague on duty.

The agent consults first: the caller is put on hold (music) and central support's number for the
call's field, or an available colleague's softphone (she is ringing for this call meanwhile, so no
other call is offered to her), is called into the call's conference; she talks to them, then either
- joins everyone (the caller comes off hold: a three-way call), then may hand over later, or
- hands over: she leaves (the room no longer ends with her), the caller comes off hold with central
  support or the colleague (who now owns the call: her hanging up ends it, she wraps it up), and she
  wraps up her part, or
- cancels: central support's leg is taken out and the caller comes off hold.
Each step is a TRANSFER on the timeline (stage consult, conference, handover, cancelled)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.agents.hold import HoldService, HoldUnavailable, call_of
from callcenter.agents.service import AgentError, AgentService
from callcenter.telephony.conference import (
    ConferenceControl,
    NewParticipant,
    ParticipantChange,
    ParticipantGone,
    agent_label,
    room_name,
)
from callcenter.telephony.gateway import GatewayError
from models import Agent, AgentState, Call, CallEvent, EventKind

CONSULT = "consult"  # the consulted party's participant label (central support or a colleague)
CONSULT_TARGETS = ("central_support", "agent")
NOT_ANSWERED = ("no-answer", "busy", "failed", "canceled")


def consult_state(session: Session, call_id: int) -> dict[str, Any] | None:
    """Where a consult of the call stands: None (none going on), or {"target", "kind", "stage"}: the
    field or the colleague's username, central_support or agent, and ringing, talking, not_answered or
    conference (three-way)."""
    rows = session.scalars(
        select(CallEvent)
        .where(CallEvent.call_id == call_id, CallEvent.kind.in_((EventKind.TRANSFER, EventKind.LEG)))
        .order_by(CallEvent.id)
    )
    state: dict[str, Any] | None = None
    for row in rows:
        data = row.data or {}
        if row.kind == EventKind.TRANSFER and data.get("to") in CONSULT_TARGETS:
            stage = data.get("stage")
            target = data.get("agent") or data.get("group") or (state or {}).get("target")
            kind = data.get("to")
            state = None if stage in ("handover", "cancelled") else {"target": target, "kind": kind, "stage": stage}
            if state is not None and stage in ("consult", "cold"):
                state["stage"] = "ringing"
        elif state is not None and data.get("label") == CONSULT:
            if data.get("event") == "participant-join" and state["stage"] == "ringing":
                state["stage"] = "talking"
            elif data.get("status") in NOT_ANSWERED or data.get("event") == "participant-leave":
                state["stage"] = "not_answered" if state["stage"] == "ringing" else "ended"
    return state


class ConsultService:
    """The agent's consult of central support, over the conference control."""

    def __init__(
        self,
        session: Session,
        hold: HoldService,
        conferences: ConferenceControl,
        numbers: dict[str, str],
        urls: Any,
    ) -> None:
        self.session = session
        self.hold = hold
        self.conferences = conferences
        self.numbers = numbers  # central support per field (E.164)
        self.urls = urls  # the voice channel's URLs: caller_id, consult_leg(call_sid, agent_id)
        self.agents = AgentService(session, hold.clock)

    def _call(self, agent: Agent) -> Call:
        return call_of(self.session, agent)

    def _event(self, call: Call, by: Agent, /, **data: Any) -> None:
        now = self.hold.clock.now()
        self.session.add(CallEvent(call_id=call.id, at=now, kind=str(EventKind.TRANSFER), agent=by.username, data=data))

    def start(self, agent: Agent, group: str | None = None, colleague: str | None = None, *, cold: bool = False) -> str:
        """Hold the caller and call central support for `group` (default: the call's field, else other),
        or the available colleague named `colleague`; returns who is being called."""
        call = self._call(agent)
        going = consult_state(self.session, call.id)
        if going is not None and going["stage"] in ("ringing", "talking", "conference"):
            raise AgentError(_("A consult is already going on."))
        if colleague:
            other = self.agents.by_username(colleague[:64])
            if other is None or other.id == agent.id:
                raise AgentError(_("Choose a colleague on duty."))
            if other.state != AgentState.AVAILABLE:
                raise AgentError(_("%(name)s is not available now.", name=other.display_name))
            to, target = f"client:{other.identity}", {"to": "agent", "agent": other.username}
            callback = self.urls.consult_leg(call.call_sid, other.id)
        else:
            field = group or call.problem_group or "other"
            number = self.numbers.get(field) or self.numbers.get("other")
            if number is None:
                raise AgentError(_("No central support number is configured (CENTRAL_SUPPORT_NUMBERS)."))
            to, target = number, {"to": "central_support", "group": field}
            callback = self.urls.consult_leg(call.call_sid)
        self.hold.set(agent, True)
        who = NewParticipant(to=to, from_=self.urls.caller_id, label=CONSULT, status_callback=callback, timeout=30)
        try:
            self.conferences.add_participant(room_name(call.call_sid), who)
        except GatewayError as exc:
            raise HoldUnavailable(_("The consult could not be called: the caller is on hold, resume them.")) from exc
        if colleague:
            self.agents.transition(
                other, AgentState.RINGING, call_sid=call.call_sid, reason="consult", actor=agent.username
            )
        self._event(call, agent, **target, stage="cold" if cold else "consult")
        return str(target.get("agent") or target.get("group"))

    def join(self, agent: Agent) -> None:
        """Everyone together: the caller comes off hold (a three-way call)."""
        call = self._call(agent)
        self._require(call, ("talking",))
        self.hold.set(agent, False)
        self._event(call, agent, to=self._target(call), stage="conference")

    def hand_over(self, agent: Agent) -> None:
        """She leaves; the caller (off hold) stays with central support; she wraps up her part."""
        call = self._call(agent)
        self._require(call, ("talking", "conference"))
        target, room = self._target(call), room_name(call.call_sid)
        try:
            self.conferences.update_participant(room, agent_label(agent.id), ParticipantChange(end_on_exit=False))
            colleague = self._colleague(call)
            if colleague is not None:  # she owns the call now: her hanging up ends it, she wraps it up
                self.conferences.update_participant(room, CONSULT, ParticipantChange(end_on_exit=True))
                call.agent_id = colleague.id
            self.hold.set(agent, False)
            self.conferences.remove_participant(room, agent_label(agent.id))
        except ParticipantGone as exc:
            raise AgentError(_("The call is over.")) from exc
        except GatewayError as exc:
            raise HoldUnavailable(_("The telephony service did not answer: you are still on the call.")) from exc
        self._event(call, agent, to=target, stage="handover")

    def cold_transfer(self, agent: Agent, colleague: str) -> None:
        """Cold transfer to a colleague: the caller on hold, her softphone rings, and the agent leaves at
        once for wrap-up. When she picks up the caller is hers (ivr/bridge.py); if she does not, the
        caller goes back to the queue with their place."""
        self.start(agent, colleague=colleague, cold=True)
        room = room_name(self._call(agent).call_sid)
        try:
            self.conferences.update_participant(room, agent_label(agent.id), ParticipantChange(end_on_exit=False))
            self.conferences.remove_participant(room, agent_label(agent.id))
        except ParticipantGone as exc:
            raise AgentError(_("The call is over.")) from exc
        except GatewayError as exc:
            raise HoldUnavailable(_("The telephony service did not answer: you are still on the call.")) from exc

    def cancel(self, agent: Agent) -> None:
        """The consulted leg goes; the caller comes off hold."""
        call = self._call(agent)
        target = self._target(call)
        try:
            self.conferences.remove_participant(room_name(call.call_sid), CONSULT)
        except ParticipantGone:
            pass  # they had hung up or never answered
        except GatewayError as exc:
            raise HoldUnavailable(_("The telephony service did not answer: try again.")) from exc
        self.hold.set(agent, False)
        self._event(call, agent, to=target, stage="cancelled")

    def _target(self, call: Call) -> str:
        """What the consult going on is with: "agent" (a colleague) or "central_support"."""
        return "agent" if self._colleague(call) is not None else "central_support"

    def _colleague(self, call: Call) -> Agent | None:
        """The colleague consulted on this call (ringing for it or on it), if any."""
        return self.session.scalars(
            select(Agent).where(
                Agent.current_call_sid == call.call_sid,
                Agent.state.in_((AgentState.RINGING, AgentState.ON_CALL)),
                Agent.id != (call.agent_id or 0),
            )
        ).first()

    def _require(self, call: Call, stages: tuple[str, ...]) -> None:
        state = consult_state(self.session, call.id)
        if state is None or state["stage"] not in stages:
            raise AgentError(_("Central support is not on the line."))
