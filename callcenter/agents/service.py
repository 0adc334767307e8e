"""Agent states and their transitions; every transition is an event on record (who, when, why).

    offline ──login──▶ available ◀──unpause── break
                        │   ▲  ╲──pause──▶ break
                  offer │   │ ring canceled
                        ▼   │
                       ringing ──no answer──▶ break ("missed")      ringing ──decline──▶ available
                        │ answer
                        ▼
                      on call ──hang up──▶ wrap-up ──save / time out──▶ available
Any state but ringing and on call may log off. A supervisor may also force a softphone off while it
rings or is on a call (FORCED_TRANSITIONS, only through AgentService.force: the softphone of an agent
who left); a ringing offer is then withdrawn, so the caller keeps their place.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from callcenter.common.labels import label
from callcenter.mail.desk import return_mail
from callcenter.queue.callbacks import CallbackService
from callcenter.queue.dispatch import Dispatcher
from callcenter.rota.service import RotaService
from callcenter.rota.staff import active_agent, is_active
from callcenter.tickets.followup import keep_what_is_there
from models import Agent, AgentEvent, AgentEventKind, AgentState, Call, Callback, CallbackStatus, Skill

S = AgentState
K = AgentEventKind
TRANSITIONS: dict[tuple[AgentState, AgentState], AgentEventKind] = {
    (S.OFFLINE, S.AVAILABLE): K.AGENTLOGIN,
    (S.AVAILABLE, S.OFFLINE): K.AGENTLOGOFF,
    (S.BREAK, S.OFFLINE): K.AGENTLOGOFF,
    (S.WRAP_UP, S.OFFLINE): K.AGENTLOGOFF,
    (S.AVAILABLE, S.BREAK): K.PAUSE,
    (S.WRAP_UP, S.BREAK): K.PAUSE,
    (S.BREAK, S.AVAILABLE): K.UNPAUSE,
    (S.AVAILABLE, S.RINGING): K.RINGING,
    (S.RINGING, S.BREAK): K.RINGNOANSWER,
    (S.RINGING, S.AVAILABLE): K.RINGCANCELED,
    (S.RINGING, S.ON_CALL): K.CONNECT,
    (S.ON_CALL, S.WRAP_UP): K.WRAPUP,
    (S.ON_CALL, S.AVAILABLE): K.READY,  # a callback attempt nobody answered: nothing to wrap up
    (S.WRAP_UP, S.AVAILABLE): K.READY,
}
# Only a supervisor's decision (AgentService.force) takes these; an agent's own log-off still waits.
FORCED_TRANSITIONS: dict[tuple[AgentState, AgentState], AgentEventKind] = {
    (S.RINGING, S.OFFLINE): K.AGENTLOGOFF,
    (S.ON_CALL, S.OFFLINE): K.AGENTLOGOFF,
}
# The same state change with another meaning: a kind transition() takes when asked for it.
KIND_OVERRIDES: dict[AgentEventKind, tuple[AgentState, AgentState]] = {
    K.RINGDECLINED: (S.RINGING, S.AVAILABLE),  # the agent declined (not RINGCANCELED: not the caller's doing)
}
FORCED_REASON = "forced_by_supervisor"
BREAK_REASONS = ("lunch", "rest", "meeting", "training", "technical", "missed", "other")
IDENTITY_RE = re.compile(r"^[A-Za-z0-9_]{1,121}$")


WORKING_STATES = (S.AVAILABLE, S.RINGING, S.ON_CALL, S.WRAP_UP, S.BREAK)


def anyone_working(session: Session, branch: int, language: str = "vi") -> bool:
    """True when an agent who can take this caller (branch and language) is logged in (even if busy
    or on a short break)."""
    query = select(Agent.skills).where(Agent.state.in_(WORKING_STATES), active_agent())
    return any({f"branch_{branch}", language} <= set(skills or []) for skills in session.scalars(query))


def default_identity(username: str) -> str:
    """The softphone identity of an agent when none is given: the username with other characters as _."""
    return re.sub(r"[^A-Za-z0-9_]", "_", username)


class AgentError(ValueError):
    """An agent action that cannot be done now (the message says why, for the agent)."""


class AgentService:
    """Creates agents and moves them between states."""

    def __init__(self, session: Session, clock: Clock, rota: RotaService | None = None) -> None:
        self.session = session
        self.clock = clock
        self.rota = rota or RotaService(session, clock)

    def create(self, username: str, display_name: str, skills: list[str], identity: str | None = None) -> Agent:
        """Create an agent (offline) with skills: branches, branch-2 groups and languages."""
        unknown = set(skills) - {s.value for s in Skill}
        if unknown:
            raise AgentError(_("Unknown skills: %(skills)s.", skills=", ".join(sorted(unknown))))
        identity = identity or default_identity(username)
        if not IDENTITY_RE.match(identity):
            raise AgentError(_("The softphone identity may use letters, digits and _ only (at most 121)."))
        agent = Agent(
            username=username,
            identity=identity,
            display_name=display_name,
            skills=sorted(set(skills)),
            state=S.OFFLINE,
            state_since=self.clock.now(),
            created_at=self.clock.now(),
        )
        self.session.add(agent)
        self.session.flush()
        return agent

    def by_username(self, username: str) -> Agent | None:
        """The agent of a user, if the user is one."""
        return self.session.scalars(select(Agent).where(Agent.username == username)).first()

    # -- what agents do --------------------------------------------------------------------
    def _active(self, agent: Agent) -> None:
        """A deactivated agent (or one whose login is deactivated) never goes available."""
        if not is_active(self.session, agent):
            raise AgentError(_("Your agent profile is deactivated: an admin can reactivate it on the People page."))

    def login(self, agent: Agent, *, actor: str | None = None) -> AgentEvent:
        """Start taking calls: only on duty, or with overtime allowed by a supervisor."""
        self._active(agent)
        if not self.rota.may_take_calls(agent, self.clock.now()):
            raise AgentError(_("You are not on the rota now. A supervisor can allow overtime."))
        return self.transition(agent, S.AVAILABLE, actor=actor or agent.username)

    @staticmethod
    def _not_busy(agent: Agent) -> None:
        """An agent's own state changes wait until the call in hand is over (decline a ringing one)."""
        if agent.state == S.RINGING:
            raise AgentError(_("A call is ringing for you: answer or decline it first."))
        if agent.state == S.ON_CALL:
            raise AgentError(_("You are on a call: hang up first."))

    def pause(self, agent: Agent, reason: str, *, actor: str | None = None) -> AgentEvent:
        """Take a break with a reason."""
        self._not_busy(agent)
        if reason not in BREAK_REASONS:
            raise AgentError(_("Choose a reason: %(reasons)s.", reasons=", ".join(BREAK_REASONS)))
        return self.transition(agent, S.BREAK, reason=reason, actor=actor or agent.username)

    def resume(self, agent: Agent, *, actor: str | None = None) -> AgentEvent:
        """Back from a break (or out of wrap-up): available, if still allowed to take calls."""
        self._not_busy(agent)
        self._active(agent)
        if not self.rota.may_take_calls(agent, self.clock.now()):
            raise AgentError(_("Your shift has ended. A supervisor can allow overtime."))
        return self.transition(agent, S.AVAILABLE, actor=actor or agent.username)

    def logoff(self, agent: Agent, *, reason: str | None = None, actor: str | None = None) -> AgentEvent:
        """Stop taking calls."""
        self._not_busy(agent)
        return self.transition(agent, S.OFFLINE, reason=reason, actor=actor or agent.username)

    def extend_wrap_up(self, agent: Agent, seconds: int) -> AgentEvent:
        """More wrap-up time, once per wrap-up, on record (the scheduler's wrap-up timeout honours it)."""
        if agent.state != S.WRAP_UP:
            raise AgentError(_("You are not wrapping up a call."))
        if agent.wrap_up_extra_seconds:
            raise AgentError(_("You already had more time for this wrap-up: save it now."))
        agent.wrap_up_extra_seconds = seconds
        event = AgentEvent(
            agent_id=agent.id,
            at=self.clock.now(),
            kind=K.WRAPUPEXTEND,
            from_state=S.WRAP_UP,
            to_state=S.WRAP_UP,
            call_sid=agent.current_call_sid,
            actor=agent.username,
            data={"seconds": seconds},
        )
        self.session.add(event)
        self.session.flush()
        return event

    # -- what supervisors do ----------------------------------------------------------------
    def force(self, agent: Agent, to: AgentState | str, *, actor: str, reason: str = FORCED_REASON) -> AgentEvent:
        """A supervisor's decision, on record with `actor` and `reason`:

        - offline: log off a softphone left open, from any state (ringing and on call too: a ringing
          offer is withdrawn first, so the caller keeps their place and the callback its turn);
        - available: end a break, if the rota lets the agent take calls now; otherwise they go offline.
        """
        try:
            to = AgentState(to)
        except ValueError:
            raise AgentError(_("A supervisor can log an agent off (offline) or end a break (available).")) from None
        current = AgentState(agent.state)
        if to == S.OFFLINE:
            if current == S.OFFLINE:
                raise AgentError(_("%(name)s is already offline.", name=agent.display_name))
            withdrawn = self._withdraw_offer(agent) if current == S.RINGING else {}
            if current in (S.ON_CALL, S.WRAP_UP):  # the ticket must not be left without an outcome
                note = f"{agent.display_name} was logged off by {actor} before finishing the wrap-up."
                keep_what_is_there(self.session, agent, self.clock.now(), note)
            return self.transition(agent, S.OFFLINE, reason=reason, actor=actor, forced=True, **withdrawn)
        if to == S.AVAILABLE:
            if current != S.BREAK:
                doing = label("agent_state", current.value).lower()
                raise AgentError(
                    _("Only a break can be ended: %(name)s is %(doing)s.", name=agent.display_name, doing=doing)
                )
            may = is_active(self.session, agent) and self.rota.may_take_calls(agent, self.clock.now())
            target = S.AVAILABLE if may else S.OFFLINE
            return self.transition(agent, target, reason=reason, actor=actor, forced=True, requested=to.value)
        raise AgentError(_("A supervisor can log an agent off (offline) or end a break (available)."))

    def _withdraw_offer(self, agent: Agent) -> dict[str, object]:
        """The call or callback ringing for `agent` waits again, in its place; returns what was withdrawn."""
        callback = self.session.scalars(
            select(Callback).where(Callback.agent_id == agent.id, Callback.status == CallbackStatus.OFFERED)
        ).first()
        if callback is not None and CallbackService(self.session, self.clock).agent_missed(
            callback, agent.id, "forced"
        ):
            return {"withdrawn_callback": callback.id}
        call_id = self.session.scalar(
            select(Call.id).where(Call.call_sid == agent.current_call_sid, Call.offered_agent_id == agent.id)
        )
        if call_id is not None and Dispatcher(self.session, self.clock, self.rota).release(call_id, agent.id):
            return {"withdrawn_call": agent.current_call_sid}
        return {}

    # -- the core ----------------------------------------------------------------------------
    def transition(
        self,
        agent: Agent,
        to: AgentState,
        *,
        reason: str | None = None,
        call_sid: str | None = None,
        actor: str | None = None,
        forced: bool = False,
        kind: AgentEventKind | None = None,
        **data: object,
    ) -> AgentEvent:
        """Move `agent` to `to` if the state machine allows it (`forced`: also FORCED_TRANSITIONS, for
        AgentService.force only), and record the event (`kind`: one of KIND_OVERRIDES for this change)."""
        current, to = AgentState(agent.state), AgentState(to)
        if kind is not None and KIND_OVERRIDES.get(kind) != (current, to):
            raise AgentError(_("%(kind)s is not a change from %(from)s to %(to)s.", kind=kind, **_states(current, to)))
        kind = kind or TRANSITIONS.get((current, to)) or (FORCED_TRANSITIONS.get((current, to)) if forced else None)
        if kind is None:
            raise AgentError(_("Cannot go from %(from)s to %(to)s.", **_states(current, to)))
        now = self.clock.now()
        event = AgentEvent(
            agent_id=agent.id,
            at=now,
            kind=kind,
            from_state=current,
            to_state=to,
            reason=reason,
            call_sid=call_sid or agent.current_call_sid,
            actor=actor,
            data=dict(data),
        )
        agent.state, agent.state_since, agent.state_reason = to, now, reason
        agent.wrap_up_extra_seconds = 0  # "More time" belongs to one wrap-up
        if to == S.AVAILABLE:
            agent.idle_since = now
            agent.current_call_sid = None
        elif to in (S.OFFLINE, S.BREAK):
            agent.current_call_sid = None
            return_mail(self.session, agent, now, to.value)  # her e-mail waits for someone else, in its place
        elif call_sid is not None:
            agent.current_call_sid = call_sid
        self.session.add(event)
        self.session.flush()
        return event

    def time_in_state(self, agent: Agent) -> timedelta:
        """How long the agent has been in their current state."""
        return self.clock.now() - agent.state_since

    def history(self, agent: Agent, since: datetime) -> list[AgentEvent]:
        """The agent's events since `since`, oldest first."""
        query = select(AgentEvent).where(AgentEvent.agent_id == agent.id, AgentEvent.at >= since)
        return list(self.session.scalars(query.order_by(AgentEvent.id)))


def _states(current: AgentState, to: AgentState) -> dict[str, str]:
    """Both states of a refused change, in words of the request's language."""
    return {"from": label("agent_state", current.value), "to": label("agent_state", to.value)}
