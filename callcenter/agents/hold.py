"""Hold and resume on the conference bridge (issue 13): the caller stays in the call's conference and
hears music while the agent is free to talk to someone else; each hold and its length are on the
call's timeline (HOLD, RESUME with the seconds held)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.agents.service import AgentError
from callcenter.common.clock import Clock
from callcenter.telephony.conference import CALLER, ConferenceControl, ParticipantChange, ParticipantGone, room_name
from callcenter.telephony.gateway import GatewayError
from models import Agent, AgentState, Call, CallEvent, EventKind


class HoldUnavailable(RuntimeError):
    """The telephony engine did not answer: the caller's hold did not change (try again)."""


def last_hold_event(session: Session, call_id: int) -> CallEvent | None:
    """The latest HOLD or RESUME of the call (None: never held)."""
    return session.scalars(
        select(CallEvent)
        .where(CallEvent.call_id == call_id, CallEvent.kind.in_((EventKind.HOLD, EventKind.RESUME)))
        .order_by(CallEvent.at.desc(), CallEvent.id.desc())
        .limit(1)
    ).first()


def on_hold(session: Session, call_id: int) -> bool:
    """The caller is on hold now."""
    last = last_hold_event(session, call_id)
    return last is not None and last.kind == EventKind.HOLD


def call_of(session: Session, agent: Agent, not_on_call: str | None = None) -> Call:
    """The call `agent` is talking on (AgentError with `not_on_call` when she is on none)."""
    call = None
    if agent.state == AgentState.ON_CALL and agent.current_call_sid:
        call = session.scalars(select(Call).where(Call.call_sid == agent.current_call_sid)).first()
    if call is None:
        raise AgentError(not_on_call or _("You are not on a call."))
    return call


class HoldService:
    """Puts the agent's caller on hold and back, through the conference control."""

    def __init__(self, session: Session, clock: Clock, conferences: ConferenceControl, hold_url: str) -> None:
        self.session = session
        self.clock = clock
        self.conferences = conferences
        self.hold_url = hold_url

    def set(self, agent: Agent, hold: bool) -> bool:
        """Hold (True) or resume (False) the caller of the agent's call; returns whether they are held.
        Asking for what is already so changes nothing."""
        call = call_of(self.session, agent)
        last = last_hold_event(self.session, call.id)
        if (last is not None and last.kind == EventKind.HOLD) == hold:
            return hold
        change = ParticipantChange(hold=hold, hold_url=self.hold_url if hold else None)
        try:
            self.conferences.update_participant(room_name(call.call_sid), CALLER, change)
        except ParticipantGone as exc:
            raise AgentError(_("The caller is no longer on the line.")) from exc
        except GatewayError as exc:
            raise HoldUnavailable(_("The telephony service did not answer: the caller's hold did not change.")) from exc
        now = self.clock.now()
        data = {} if hold or last is None else {"seconds": max(0, int((now - last.at).total_seconds()))}
        kind = EventKind.HOLD if hold else EventKind.RESUME
        self.session.add(CallEvent(call_id=call.id, at=now, kind=str(kind), agent=agent.username, data=data))
        return hold
