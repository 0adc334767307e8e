"""Automatic call distribution: who talks to whom, decided by us and recorded with the reason.

The rule (documented in the README): the agent idle longest is offered the longest-waiting call they
are skilled for, then the next idle agent, and so on. "Skilled for" means the agent has the call's
branch, for a branch-2 call with a problem group that group too, and the caller's language.
There is no branch priority: one order, by the time the caller first entered the queue, across both
branches; a caller sent back after a ring-no-answer keeps that original time, so their place.
Callbacks wait in the same order with the time their caller first entered the queue, once their
next attempt is due; a callback is claimed like a call (pending → offered), so it is never offered
to two agents and never dialled twice at once. A number may have one active callback per branch; while
one of them is offered or dialling the other is not claimed (nor two of them in one round), so the
same person is never rung twice at the same moment.

Presence: only an agent whose softphone is there is offered (`reachable`): her page reported within
the presence timeout with its Voice SDK device registered. An agent no page ever reported for (NULL)
is taken as before presence existed. After a Decline the same call is not offered to the same agent
again for a while (the next agent gets it; she gets it again only if nobody else takes it).

Claiming is a compare-and-set in the database (UPDATE … WHERE state = 'available' / WHERE nobody is
offered the call yet) inside a savepoint per pair, so with any number of processes one call never
goes to two agents and one agent never gets two calls. The telephony request that rings the agent is
made after the claim is committed (the next step, `ring`, lives with the gateway).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from callcenter.queue.callbacks import CallbackPolicy
from callcenter.rota.service import RotaService
from callcenter.rota.staff import active_agent
from models import Agent, AgentEvent, AgentEventKind, AgentState, Call, CallbackStatus, CallEvent, CallStage, EventKind
from models.callback import Callback

CALLS = Call.__table__
AGENTS = Agent.__table__
CALLBACKS = Callback.__table__
PRESENCE_TIMEOUT_SECONDS = 10  # defaults of the settings of the same names (config/__init__.py)
DECLINE_REOFFER_SECONDS = 60


def reachable(now: datetime, timeout_seconds: int) -> ColumnElement[bool]:
    """SQL: the agent's softphone page reported within the timeout with its device registered (or no
    page ever reported for her: presence unknown, treated as before presence existed)."""
    cutoff = now - timedelta(seconds=timeout_seconds)
    return or_(AGENTS.c.seen_at.is_(None), and_(AGENTS.c.device_ready.is_(True), AGENTS.c.seen_at >= cutoff))


@dataclass(frozen=True)
class WaitingCall:
    """A caller waiting in a queue, or a callback that is due, not being offered to anyone."""

    id: int  # the call's id
    call_sid: str
    branch: int
    problem_group: str | None
    language: str
    entered_at: datetime  # the caller's place (a callback keeps its caller's)
    callback_id: int | None = None

    @property
    def is_callback(self) -> bool:
        return self.callback_id is not None


@dataclass(frozen=True)
class IdleAgent:
    """An agent who may be offered a call now."""

    id: int
    identity: str
    skills: frozenset[str]
    idle_since: datetime


@dataclass(frozen=True)
class Offer:
    """A call claimed for an agent, and why this pair. A callback's offer has a token of its own, carried
    in the signed URLs of the agent's leg (callbacks.offer_token)."""

    call: WaitingCall
    agent: IdleAgent
    reason: str
    token: str | None = None


def skilled_for(agent: IdleAgent, call: WaitingCall) -> bool:
    """Branch, branch-2 problem group (when the caller chose one) and language."""
    if f"branch_{call.branch}" not in agent.skills:
        return False
    if call.branch == 2 and call.problem_group and call.problem_group not in agent.skills:
        return False
    return call.language in agent.skills


def pair(
    calls: Sequence[WaitingCall], agents: Sequence[IdleAgent], declined: frozenset[tuple[int, str]] = frozenset()
) -> list[Offer]:
    """Longest-idle agent first, each taking the longest-waiting call they are skilled for and have not
    just declined (`declined`: (agent id, call SID) pairs)."""
    waiting = sorted(calls, key=lambda c: (c.entered_at, c.id, c.callback_id or 0))
    offers: list[Offer] = []
    for agent in sorted(agents, key=lambda a: (a.idle_since, a.id)):
        for call in waiting:
            if skilled_for(agent, call) and (agent.id, call.call_sid) not in declined:
                what = "callback" if call.is_callback else "call"
                reason = (
                    f"longest idle agent (since {agent.idle_since:%H:%M:%S}Z) takes the longest-waiting {what} "
                    f"they are skilled for (waiting since {call.entered_at:%H:%M:%S}Z)"
                )
                offers.append(Offer(call, agent, reason))
                waiting.remove(call)
                break
    return offers


class Dispatcher:
    """Finds waiting calls and idle agents, pairs them by the rule, and claims the pairs atomically."""

    def __init__(
        self,
        session: Session,
        clock: Clock,
        rota: RotaService,
        callbacks: CallbackPolicy | None = None,
        *,
        presence_timeout_seconds: int = PRESENCE_TIMEOUT_SECONDS,
        decline_reoffer_seconds: int = DECLINE_REOFFER_SECONDS,
    ) -> None:
        self.session = session
        self.clock = clock
        self.rota = rota
        self.callbacks = callbacks or CallbackPolicy()
        self.presence_timeout = presence_timeout_seconds
        self.decline_reoffer = timedelta(seconds=decline_reoffer_seconds)

    def waiting_calls(self) -> list[WaitingCall]:
        """Queued calls not currently offered to an agent, oldest first."""
        query = (
            select(
                CALLS.c.id,
                CALLS.c.call_sid,
                CALLS.c.branch,
                CALLS.c.problem_group,
                CALLS.c.language,
                CALLS.c.queue_entered_at,
            )
            .where(
                CALLS.c.stage == CallStage.QUEUED,
                CALLS.c.offered_agent_id.is_(None),
                CALLS.c.leave_reason.is_(None),
                CALLS.c.branch.is_not(None),
                # Only callers Twilio holds in a queue we know: before its first wait turn (or after a
                # ring-no-answer, until Twilio has them back) a dequeue cannot reach them.
                CALLS.c.queue_sid.is_not(None),
            )
            .order_by(CALLS.c.queue_entered_at, CALLS.c.id)
        )
        calls = [WaitingCall(*row) for row in self.session.execute(query)]
        return calls + self.due_callbacks()

    def due_callbacks(self) -> list[WaitingCall]:
        """Callbacks waiting for an agent whose next attempt is due (within the callback hours), one per
        number (the earliest place), none for a number whose other callback is offered or dialling."""
        if not self.callbacks.dials_at(self.clock.now()):
            return []
        busy = CALLBACKS.alias("busy")
        query = (
            select(
                CALLS.c.id,
                CALLS.c.call_sid,
                CALLBACKS.c.branch,
                CALLBACKS.c.problem_group,
                CALLBACKS.c.language,
                CALLBACKS.c.place_at,
                CALLBACKS.c.id,
                CALLBACKS.c.number_hash,
            )
            .join(CALLS, CALLS.c.id == CALLBACKS.c.call_id)
            .where(
                CALLBACKS.c.status == CallbackStatus.PENDING,
                CALLBACKS.c.next_attempt_at <= self.clock.now(),
                ~exists().where(
                    busy.c.number_hash == CALLBACKS.c.number_hash,
                    busy.c.status.in_((CallbackStatus.OFFERED, CallbackStatus.DIALING)),
                ),
            )
            .order_by(CALLBACKS.c.place_at, CALLBACKS.c.id)
        )
        due, numbers = [], set()
        for *row, number_hash in self.session.execute(query):
            if number_hash is not None and number_hash in numbers:
                continue
            numbers.add(number_hash)
            due.append(WaitingCall(*row))
        return due

    def idle_agents(self) -> list[IdleAgent]:
        """Available agents who may take calls now (active, softphone there, on duty or on overtime)."""
        now = self.clock.now()
        query = select(Agent).where(
            Agent.state == AgentState.AVAILABLE,
            active_agent(),  # not deactivated
            reachable(now, self.presence_timeout),  # the softphone page is alive and its device registered
        )
        available = list(self.session.scalars(query))
        on_duty = self.rota.on_duty(now) if available else set()  # one rota read per round, not per agent
        return [
            IdleAgent(a.id, a.identity, frozenset(a.skills), a.idle_since or a.state_since)
            for a in available
            if self.rota.may_take_calls(a, now, on_duty)
        ]

    def dispatch(self) -> list[Offer]:
        """Claim every pair the rule gives now; the caller of this commits and then rings the agents."""
        claimed = []
        calls = self.waiting_calls()
        agents = self.idle_agents() if calls else []
        for offer in pair(calls, agents, self.recent_declines() if agents else frozenset()):
            if offer.call.is_callback:
                offer = replace(offer, token=secrets.token_hex(8))
            if self._claim(offer):
                claimed.append(offer)
        self.session.expire_all()  # the claims changed rows behind the ORM objects loaded above
        return claimed

    def recent_declines(self) -> frozenset[tuple[int, str]]:
        """(agent id, call SID) of the Declines within DECLINE_REOFFER_SECONDS."""
        since = self.clock.now() - self.decline_reoffer
        rows = self.session.execute(
            select(AgentEvent.agent_id, AgentEvent.call_sid).where(
                AgentEvent.kind == AgentEventKind.RINGDECLINED, AgentEvent.at >= since
            )
        )
        return frozenset((agent_id, sid) for agent_id, sid in rows if sid)

    def _claim(self, offer: Offer) -> bool:
        """Compare-and-set the call, then the agent; undo the first if the second was taken.

        Both UPDATEs run in the caller's transaction, which holds the rows it changed (PostgreSQL) or
        the write lock (SQLite) until commit, so nobody sees the undone half.
        """
        now = self.clock.now()
        if not self._take(offer, now):
            return False  # another dispatcher offered this call, or the caller left
        took_agent = self.session.execute(
            update(AGENTS)
            .where(
                AGENTS.c.id == offer.agent.id,
                AGENTS.c.state == AgentState.AVAILABLE,
                reachable(now, self.presence_timeout),  # her tab closed since she was read: not her
            )
            .values(
                state=AgentState.RINGING,
                state_since=now,
                state_reason="callback" if offer.call.is_callback else None,
                current_call_sid=offer.call.call_sid,
                version=AGENTS.c.version + 1,  # an ORM session holding the agent from before now fails
            )
        ).rowcount
        if took_agent != 1:  # the agent was taken (or paused) meanwhile: give the call back
            self._give_back(offer)
            return False
        self.session.add(
            AgentEvent(
                agent_id=offer.agent.id,
                at=now,
                kind=AgentEventKind.RINGING,
                from_state=AgentState.AVAILABLE,
                to_state=AgentState.RINGING,
                call_sid=offer.call.call_sid,
                actor="dispatcher",
                data={
                    "reason": offer.reason,
                    "waited": int((now - offer.call.entered_at).total_seconds()),
                    "callback": offer.call.callback_id,
                },
            )
        )
        if offer.call.is_callback:
            self.session.add(
                CallEvent(
                    call_id=offer.call.id,
                    at=now,
                    kind=str(EventKind.CALLBACK_OFFERED),
                    agent=offer.agent.identity,
                    data={"reason": offer.reason},
                )
            )
        self.session.flush()
        return True

    def _take(self, offer: Offer, now: datetime) -> bool:
        """Compare-and-set the call (nobody offered yet) or the callback (still pending)."""
        if offer.call.is_callback:
            if self._number_busy(offer.call.callback_id):
                return False
            statement = (
                update(CALLBACKS)
                .where(CALLBACKS.c.id == offer.call.callback_id, CALLBACKS.c.status == CallbackStatus.PENDING)
                .values(
                    status=CallbackStatus.OFFERED,
                    agent_id=offer.agent.id,
                    offered_at=now,
                    offer_token=offer.token,
                    agent_call_sid=None,
                )
            )
        else:
            statement = (
                update(CALLS)
                .where(
                    CALLS.c.id == offer.call.id,
                    CALLS.c.stage == CallStage.QUEUED,
                    CALLS.c.offered_agent_id.is_(None),
                    CALLS.c.leave_reason.is_(None),  # leaving for a callback or a voicemail
                )
                .values(offered_agent_id=offer.agent.id, offered_at=now, offers=CALLS.c.offers + 1)
            )
        return self.session.execute(statement).rowcount == 1

    def _number_busy(self, callback_id: int | None) -> bool:
        """True when another callback of this callback's number is offered or dialling. The number's
        active callbacks are locked first (FOR UPDATE on PostgreSQL; SQLite has one writer), so two
        dispatchers claiming a number's two callbacks at once see each other's claim."""
        number = select(CALLBACKS.c.number_hash).where(CALLBACKS.c.id == callback_id).scalar_subquery()
        siblings = (
            select(CALLBACKS.c.id, CALLBACKS.c.status)
            .where(
                CALLBACKS.c.number_hash == number,
                CALLBACKS.c.id != callback_id,
                CALLBACKS.c.status.in_((CallbackStatus.PENDING, CallbackStatus.OFFERED, CallbackStatus.DIALING)),
            )
            .order_by(CALLBACKS.c.id)
            .with_for_update()
        )
        rows = self.session.execute(siblings).all()
        return any(status in (CallbackStatus.OFFERED, CallbackStatus.DIALING) for _id, status in rows)

    def _give_back(self, offer: Offer) -> None:
        """Undo `_take` (inside the same transaction)."""
        if offer.call.is_callback:
            self.session.execute(
                update(CALLBACKS)
                .where(CALLBACKS.c.id == offer.call.callback_id)
                .values(status=CallbackStatus.PENDING, agent_id=None, offered_at=None, offer_token=None)
            )
        else:
            self.session.execute(
                update(CALLS)
                .where(CALLS.c.id == offer.call.id)
                .values(offered_agent_id=None, offered_at=None, offers=CALLS.c.offers - 1)
            )

    def release(self, call_id: int, agent_id: int) -> bool:
        """The offer ended without an answer: the call waits again with its original place."""
        released = self.session.execute(
            update(CALLS)
            .where(CALLS.c.id == call_id, CALLS.c.offered_agent_id == agent_id)
            .values(offered_agent_id=None, offered_at=None)
        ).rowcount
        return released == 1


def competing_branches(session: Session, branch: int) -> list[int]:
    """The branches whose callers compete with `branch`'s for the same agents: `branch` itself, and every
    other branch of an active agent who also takes `branch` (one order serves both, see the module)."""
    linked = {branch}
    for skills in session.scalars(select(Agent.skills).where(active_agent())):
        branches = {int(s.split("_", 1)[1]) for s in skills or [] if s in ("branch_1", "branch_2")}
        if branch in branches:
            linked |= branches
    return sorted(linked)
