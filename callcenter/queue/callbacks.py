"""Callbacks: the caller hangs up and keeps their place; an agent calls them back, agent first.

Life of a callback (each change is a compare-and-set on its status, so duplicated or late webhooks
and several app processes change nothing twice):

    pending ──dispatcher pairs it with the longest-idle agent──▶ offered (the agent's softphone rings)
       ▲  ▲                                                         │ agent accepts    │ agent misses
       │  └──────────── back in line, same place ◀──────────────────┼──────────────────┘
       │                                                            ▼
       └── no answer, attempts left (after the retry delay) ◀── dialing (the caller's phone rings)
                                                                    │ answered      │ no answer, none left
                                                                    ▼               ▼
                                                                completed         failed

Every attempt and its result is an event on the original call's timeline (its ticket's history).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from callcenter.rota.service import LOCAL_TZ
from models import ACTIVE_STATUSES, Call, Callback, CallbackStatus, CallEvent, EventKind, Ticket, TicketOutcome
from models.crypto import blind_index

log = logging.getLogger(__name__)
ANSWERED = ("completed", "answered")


@dataclass(frozen=True)
class CallbackPolicy:
    """How often, how far apart and at what (Vietnam) hours a callback is tried (configurable)."""

    max_attempts: int = 3
    retry_delay: timedelta = timedelta(minutes=10)
    first_hour: int = 0  # callers are dialled from this local hour…
    last_hour: int = 24  # …until this one (nobody is rung at 3 a.m.)

    @classmethod
    def from_config(cls, config: Any) -> CallbackPolicy:
        """Read CALLBACK_MAX_ATTEMPTS, CALLBACK_RETRY_MINUTES, CALLBACK_FIRST_HOUR and CALLBACK_LAST_HOUR."""
        return cls(
            int(config["CALLBACK_MAX_ATTEMPTS"]),
            timedelta(minutes=int(config["CALLBACK_RETRY_MINUTES"])),
            int(config["CALLBACK_FIRST_HOUR"]),
            int(config["CALLBACK_LAST_HOUR"]),
        )

    def dials_at(self, moment: datetime) -> bool:
        """True when callers may be dialled at `moment`."""
        return self.first_hour <= moment.astimezone(LOCAL_TZ).hour < self.last_hour


class CallbackService:
    """Creates callbacks and moves them through their states."""

    def __init__(self, session: Session, clock: Clock, policy: CallbackPolicy | None = None) -> None:
        self.session = session
        self.clock = clock
        self.policy = policy or CallbackPolicy()

    # -- requests ------------------------------------------------------------------------------
    def active_for_number(self, number_e164: str, branch: int) -> Callback | None:
        """The callback already waiting for this number in this branch, if any. Never one of the other
        branch: merging a branch-2 request into a branch-1 callback would put a note on the branch-2
        ticket (shown to supervisors and agents) that ties the caller to a denunciation."""
        query = select(Callback).where(
            Callback.number_hash == blind_index(number_e164),
            Callback.branch == branch,
            Callback.status.in_(ACTIVE_STATUSES),
        )
        return self.session.scalars(query).first()

    def request(
        self, call_id: int, number_e164: str, branch: int, problem_group: str | None, language: str, place_at: datetime
    ) -> tuple[Callback, bool]:
        """Record a callback request; (callback, created). A number with one already waiting in the same
        branch keeps that one (the earlier place). A number waiting in the other branch gets a second
        callback of its own; the dispatcher never offers it while the first is offered or dialling, so
        the same caller is never dialled twice at once."""
        existing = self.session.scalars(select(Callback).where(Callback.call_id == call_id)).first()
        if existing is not None:
            return existing, False
        active = self.active_for_number(number_e164, branch)
        if active is not None:
            return active, False
        now = self.clock.now()
        callback = Callback(
            call_id=call_id,
            number_e164=number_e164,
            number_hash=blind_index(number_e164),
            branch=branch,
            problem_group=problem_group,
            language=language,
            place_at=place_at,
            requested_at=now,
            status=CallbackStatus.PENDING,
            attempts=0,
            max_attempts=self.policy.max_attempts,
            next_attempt_at=now,
        )
        try:
            with self.session.begin_nested():
                self.session.add(callback)
        except IntegrityError:  # a concurrent request for the same number won: keep theirs
            active = self.active_for_number(number_e164, branch)
            if active is None:
                raise
            return active, False
        return callback, True

    # -- the agent's leg -------------------------------------------------------------------------
    def agent_accepted(self, callback: Callback, agent_id: int) -> bool:
        """The agent picked up the callback: the caller is dialled now (attempt n). False if stale."""
        if not self._move(callback, CallbackStatus.OFFERED, CallbackStatus.DIALING, agent_id=agent_id):
            return False
        callback.attempts += 1
        self._event(callback, EventKind.CALLBACK_ATTEMPT, attempt=callback.attempts, result="dialing", agent=agent_id)
        return True

    def agent_missed(self, callback: Callback, agent_id: int, status: str) -> bool:
        """The agent did not pick up (or the ring failed): back in line, same place, no attempt used."""
        if not self._move(callback, CallbackStatus.OFFERED, CallbackStatus.PENDING, agent_id=agent_id):
            return False
        self._clear_offer(callback)
        self._event(callback, EventKind.CALLBACK_RETURNED, agent=agent_id, status=status[:16])
        return True

    def refused(self, callback: Callback, agent_id: int, status: int, code: int | None) -> str | None:
        """The engine refused to place the call (a 4xx: caller ID, geographic permission…). That is an
        attempt: back in line after the retry delay, or failed after the last one, with Twilio's code on
        record. Returns the new status (None if the offer was no longer this one)."""
        attempts = callback.attempts + 1
        target = CallbackStatus.FAILED if attempts >= callback.max_attempts else CallbackStatus.PENDING
        if not self._move(callback, CallbackStatus.OFFERED, target, agent_id=agent_id):
            return None
        callback.attempts = attempts
        self._event(
            callback, EventKind.CALLBACK_ATTEMPT, attempt=attempts, result="refused", http_status=status, code=code
        )
        self._clear_offer(callback)
        if target == CallbackStatus.PENDING:
            callback.next_attempt_at = self.clock.now() + self.policy.retry_delay
        else:
            callback.finished_at = self.clock.now()
            self._event(callback, EventKind.CALLBACK_FAILED, attempts=attempts, code=code)
            self._ticket_outcome(callback, TicketOutcome.CALLBACK_FAILED)
        log.warning("callback %s: Twilio refused the call (%s, code %s): %s", callback.id, status, code, target)
        return target

    def note_agent_leg(self, callback_id: int, offer_token: str, call_sid: str) -> bool:
        """Keep the SID of the REST call ringing the agent, only on the offer it was made for (a late
        write for an earlier offer changes nothing: compare-and-set on the offer's token)."""
        done = self.session.execute(
            update(Callback)
            .where(
                Callback.id == callback_id,
                Callback.offer_token == offer_token,
                Callback.agent_call_sid.is_(None),
            )
            .values(agent_call_sid=call_sid[:64])
        )
        return done.rowcount == 1

    def dial_result(self, callback: Callback, dial_status: str, duration: int | None) -> str | None:
        """The caller's phone answered or not; returns the callback's new status (None if already settled)."""
        answered = dial_status in ANSWERED  # Twilio: the called party answered (even if only for a moment)
        now = self.clock.now()
        if answered:
            target = CallbackStatus.COMPLETED
        elif callback.attempts >= callback.max_attempts:
            target = CallbackStatus.FAILED
        else:
            target = CallbackStatus.PENDING
        if not self._move(callback, CallbackStatus.DIALING, target):
            return None
        result = "answered" if answered else (dial_status or "unknown")[:16]
        self._event(callback, EventKind.CALLBACK_ATTEMPT, attempt=callback.attempts, result=result, duration=duration)
        if target == CallbackStatus.PENDING:
            callback.next_attempt_at = now + self.policy.retry_delay
            self._clear_offer(callback)
        else:
            callback.finished_at = now
            kind = EventKind.CALLBACK_COMPLETED if answered else EventKind.CALLBACK_FAILED
            self._event(callback, kind, attempts=callback.attempts)
            if not answered:
                self._ticket_outcome(callback, TicketOutcome.CALLBACK_FAILED)
        return target

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _clear_offer(callback: Callback) -> None:
        callback.agent_id, callback.agent_call_sid, callback.offered_at, callback.offer_token = None, None, None, None

    def _move(self, callback: Callback, from_: str, to: str, **where: Any) -> bool:
        """Compare-and-set the status; refresh the object either way."""
        query = update(Callback).where(Callback.id == callback.id, Callback.status == from_)
        for name, value in where.items():
            query = query.where(getattr(Callback, name) == value)
        moved = self.session.execute(query.values(status=to)).rowcount == 1
        self.session.refresh(callback)
        return moved

    def _event(self, callback: Callback, kind: EventKind, **data: Any) -> None:
        self.session.add(CallEvent(call_id=callback.call_id, at=self.clock.now(), kind=str(kind), data=data))

    def _ticket_outcome(self, callback: Callback, outcome: TicketOutcome) -> None:
        ticket = self.session.scalars(select(Ticket).where(Ticket.call_id == callback.call_id)).first()
        if ticket is not None and ticket.outcome in (None, TicketOutcome.CALLBACK_PENDING):
            ticket.outcome = outcome

    def for_call_sid(self, call_sid: str) -> Callback | None:
        """The callback requested from the call `call_sid`."""
        query = select(Callback).join(Call, Call.id == Callback.call_id).where(Call.call_sid == call_sid)
        return self.session.scalars(query).first()

    def stuck(self, now: datetime, ring_seconds: int) -> list[Callback]:
        """Offers whose agent leg never reported back (a crash, a lost status callback)."""
        offered_before = now - timedelta(seconds=ring_seconds + 60)
        dialing_before = now - timedelta(minutes=5)  # repaired only once the agent's leg is over
        query = select(Callback).where(
            ((Callback.status == CallbackStatus.OFFERED) & (Callback.offered_at < offered_before))
            | ((Callback.status == CallbackStatus.DIALING) & (Callback.offered_at < dialing_before))
        )
        return list(self.session.scalars(query))
