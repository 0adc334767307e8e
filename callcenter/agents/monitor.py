"""A supervisor listens to, whispers to or barges into an agent's call (conference bridge, issue 13).

The supervisor's browser is called into the call's conference (label `monitor-<user id>`):
- listen: muted, nobody hears them;
- whisper: coaching the agent's leg: only the agent hears them (the caller does not);
- barge: heard by everyone;
- stop: their leg is taken out.
Need-to-know: a branch-1 call (or one whose branch is unknown) only with the investigator role. Every
use is a MONITOR event on the call's timeline and a line in the audit log."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.agents.hold import HoldUnavailable, call_of
from callcenter.agents.service import AgentError
from callcenter.common.clock import Clock
from callcenter.telephony.conference import (
    ConferenceControl,
    NewParticipant,
    ParticipantChange,
    ParticipantGone,
    room_name,
)
from callcenter.telephony.gateway import GatewayError
from callcenter.tickets.visibility import caller_visible
from models import Agent, AuditEntry, Call, CallEvent, EventKind, User

MODES = ("listen", "whisper", "barge", "stop")


def monitor_identity(user: User) -> str:
    """The Voice SDK identity of a supervisor's browser (never an agent's: agents have no prefix)."""
    return f"monitor-{user.username}"


def monitor_label(user: User) -> str:
    return f"monitor-{user.id}"


class MonitorService:
    """Starts, changes and stops a supervisor's monitoring leg."""

    def __init__(self, session: Session, clock: Clock, conferences: ConferenceControl, urls: Any) -> None:
        self.session = session
        self.clock = clock
        self.conferences = conferences
        self.urls = urls  # the voice channel's URLs: caller_id, monitor_leg(call_sid)

    def mode(self, call_id: int, user: User) -> str | None:
        """The user's monitoring mode on the call now (None: not monitoring)."""
        last = self.session.scalars(
            select(CallEvent)
            .where(CallEvent.call_id == call_id, CallEvent.kind == EventKind.MONITOR, CallEvent.agent == user.username)
            .order_by(CallEvent.id.desc())
            .limit(1)
        ).first()
        mode = (last.data or {}).get("mode") if last is not None else None
        return None if mode in (None, "stop") else str(mode)

    def set(self, user: User, agent: Agent, mode: str) -> str | None:
        """Listen, whisper, barge or stop on `agent`'s call; returns the mode now."""
        if mode not in MODES:
            raise AgentError(_("Choose listen, whisper, barge or stop."))
        call = call_of(self.session, agent, _("%(name)s is not on a call.", name=agent.display_name))
        if not caller_visible(call.branch, user.role):
            raise PermissionError(_("Calls of branch 1 (denunciations) are monitored by investigators only."))
        now_mode = self.mode(call.id, user)
        room, label = room_name(call.call_sid), monitor_label(user)
        try:
            if mode == "stop":
                if now_mode is not None:
                    self._remove(room, label)
            elif now_mode is None:
                self.conferences.add_participant(room, self._leg(user, agent, call, mode))
            else:
                self.conferences.update_participant(room, label, self._change(agent, mode))
        except GatewayError as exc:
            raise HoldUnavailable(_("The telephony service did not answer: nothing changed.")) from exc
        except ParticipantGone:  # their leg hung up meanwhile: call them in again
            if mode != "stop":
                self.conferences.add_participant(room, self._leg(user, agent, call, mode))
        at = self.clock.now()
        self.session.add(
            CallEvent(call_id=call.id, at=at, kind=str(EventKind.MONITOR), agent=user.username, data={"mode": mode})
        )
        self.session.add(
            AuditEntry(
                at=at,
                username=user.username,
                role=user.role,
                action=f"monitor_{mode}",
                call_sid=call.call_sid,
                detail={"agent": agent.username, "branch": call.branch},
            )
        )
        return None if mode == "stop" else mode

    def _remove(self, room: str, label: str) -> None:
        try:
            self.conferences.remove_participant(room, label)
        except ParticipantGone:
            pass  # already gone

    def _leg(self, user: User, agent: Agent, call: Call, mode: str) -> NewParticipant:
        return NewParticipant(
            to=f"client:{monitor_identity(user)}",
            from_=self.urls.caller_id,
            label=monitor_label(user),
            status_callback=self.urls.monitor_leg(call.call_sid),
            timeout=30,
            muted=mode == "listen",
            coach=agent.leg_sid if mode == "whisper" else None,
        )

    @staticmethod
    def _change(agent: Agent, mode: str) -> ParticipantChange:
        if mode == "listen":
            return ParticipantChange(muted=True, stop_coaching=True)
        if mode == "whisper":
            return ParticipantChange(muted=False, coach=agent.leg_sid)
        return ParticipantChange(muted=False, stop_coaching=True)
