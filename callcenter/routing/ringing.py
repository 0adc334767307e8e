"""Ringing agents: after the dispatcher's claims are committed, put each pair through.

- A live caller is taken out of the Twilio queue (REST member update) into a <Dial><Client> to the
  chosen agent; or, on the conference bridge (DESK_BRIDGE=conference, issue 13), the agent is rung
  first by calling her into the call's conference, and the caller, still in the queue with their
  place, is brought in once she has joined (ivr/bridge.py).
- A callback rings the agent first (REST create call to client:<identity>); when the agent accepts,
  the agent's leg dials the caller (ivr/callbacks.py).

What goes wrong, and what happens (each played in tests/test_faults*.py):
- Telephony degraded (the breaker is open): nobody is claimed, agents stay available (no ring storm).
- The caller is not in the queue (404, "member gone"): the offer is withdrawn, the engine is asked about
  that one call at once; a finished call is settled now, a live one waits until Twilio has it in a
  queue again (its next wait turn, or reconciliation, tells the queue SID), and the freed agent is
  offered the next caller in the same round.
- A callback's call refused (4xx): an attempt is used (callbacks.refused), the agent is freed.
- Any other failure: the offer is withdrawn (same place), the agent is available again.
In production each ring runs on a small thread pool (`BackgroundRinger`), so one hung request never
holds up a dispatch round or the scheduler; tests ring inline.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.agents.service import AgentService
from callcenter.common.clock import Clock
from callcenter.queue.callbacks import CallbackPolicy, CallbackService
from callcenter.queue.dispatch import DECLINE_REOFFER_SECONDS, PRESENCE_TIMEOUT_SECONDS, Dispatcher, Offer
from callcenter.routing.reconcile import Reconciler
from callcenter.telephony.conference import ConferenceControl, NewParticipant, agent_label, room_name
from callcenter.telephony.gateway import CallRefused, GatewayError, MemberGone, TelephonyGateway
from callcenter.tickets.calls import CallService
from models import Agent, AgentState, Call, Callback, db

log = logging.getLogger(__name__)
MAX_PASSES = 3  # rounds in a row when rings fail and free agents (each failure takes its call out)


class RingUrls(Protocol):
    """Where the telephony engine is sent for each kind of ring (absolute webhook URLs)."""

    caller_id: str  # what the agent's softphone shows for a callback
    ring_seconds: int

    def connect(self, agent_id: int) -> str: ...

    def callback_agent(self, callback_id: int, agent_id: int, call_sid: str, offer: str) -> str: ...

    def callback_agent_status(self, callback_id: int, agent_id: int, call_sid: str, offer: str) -> str: ...

    def agent_leg(self, agent_id: int, call_sid: str) -> str: ...

    def room_events(self, call_sid: str) -> str: ...


class RingService:
    """Dispatch, commit the claims, then ring (the telephony request is made outside the claim)."""

    def __init__(
        self,
        calls: CallService,
        gateway: TelephonyGateway,
        urls: RingUrls,
        callbacks: CallbackPolicy | None = None,
        background: BackgroundRinger | None = None,
        conferences: ConferenceControl | None = None,
        *,
        presence_timeout_seconds: int = PRESENCE_TIMEOUT_SECONDS,
        decline_reoffer_seconds: int = DECLINE_REOFFER_SECONDS,
    ):
        self.calls = calls
        self.session: Session = calls.session
        self.clock: Clock = calls.clock
        self.gateway = gateway
        self.urls = urls
        self.policy = callbacks or CallbackPolicy()
        self.background = background
        self.conferences = conferences  # set: the conference bridge (agent first), else <Dial><Client>
        self.agents = AgentService(self.session, self.clock)
        self.dispatcher = Dispatcher(
            self.session,
            self.clock,
            self.agents.rota,
            self.policy,
            presence_timeout_seconds=presence_timeout_seconds,
            decline_reoffer_seconds=decline_reoffer_seconds,
        )

    def run(self) -> list[Offer]:
        """Dispatch rounds; returns the offers that are ringing (in the background: being rung).

        While telephony is degraded nobody is claimed. A ring that fails frees its agent, and the
        caller it could not reach is out of the order until Twilio has them again, so another pass
        gives that agent the next caller at once.
        """
        ringing: list[Offer] = []
        for _ in range(MAX_PASSES):
            if not self.gateway.available():
                break
            offers = self.dispatcher.dispatch()
            self.session.commit()
            if not offers:
                break
            if self.background is not None:
                self.background.submit(offers)
                return ringing + offers
            rung = [offer for offer in offers if self.ring(offer)]
            ringing += rung
            if len(rung) == len(offers):
                break
        return ringing

    def ring(self, offer: Offer) -> bool:
        """Ring the agent for a live caller or a callback; on failure withdraw the offer."""
        if offer.call.is_callback:
            return self._ring_for_callback(offer)
        queue_sid = self.session.scalar(select(Call.queue_sid).where(Call.id == offer.call.id))
        if not queue_sid:
            return self.withdraw(offer, "queue_unknown")
        if self.conferences is not None:
            return self._ring_into_room(offer, self.conferences)
        try:
            self.gateway.dequeue(queue_sid, offer.call.call_sid, self.urls.connect(offer.agent.id))
        except MemberGone:
            self.withdraw(offer, "caller_gone")
            self._not_in_queue(offer.call.call_sid)
            return False
        except GatewayError as exc:
            log.warning("CallSid=%s could not ring agent %s: %s", offer.call.call_sid, offer.agent.id, exc)
            return self.withdraw(offer, "telephony_error")
        log.info("CallSid=%s ringing agent %s", offer.call.call_sid, offer.agent.id)
        return True

    def _ring_into_room(self, offer: Offer, conferences: ConferenceControl) -> bool:
        """The conference bridge: call the agent into the call's room; the caller keeps waiting in the
        queue until she joins (the room's participant-join event brings them in, ivr/bridge.py)."""
        sid = offer.call.call_sid
        who = NewParticipant(
            to=f"client:{offer.agent.identity}",
            from_=self.urls.caller_id,
            label=agent_label(offer.agent.id),
            status_callback=self.urls.agent_leg(offer.agent.id, sid),
            timeout=self.urls.ring_seconds,
            end_on_exit=True,  # she hangs up: the call is over (a transfer first turns this off)
            room_events=self.urls.room_events(sid),
        )
        try:
            leg = conferences.add_participant(room_name(sid), who)
        except GatewayError as exc:
            log.warning("CallSid=%s could not ring agent %s: %s", sid, offer.agent.id, exc)
            return self.withdraw(offer, "telephony_error")
        agent = self.session.get(Agent, offer.agent.id)
        if agent is not None and agent.current_call_sid == sid:
            agent.leg_sid = leg[:64]
            self.session.commit()
        log.info("CallSid=%s ringing agent %s into the call's conference", sid, offer.agent.id)
        return True

    def _not_in_queue(self, call_sid: str) -> None:
        """Twilio says the caller is not in the queue: ask about that call now. Finished → settled;
        otherwise it is not offered again until Twilio tells us its queue again."""
        try:
            result = Reconciler(self.calls, self.gateway).check(call_sid)
            self.calls.commit()
        except GatewayError as exc:
            self.calls.rollback()
            log.warning("CallSid=%s not in its queue; the engine could not say more: %s", call_sid, exc)
            result = "unknown"
        if result != "closed":
            call = self.calls.find(call_sid)
            if call is not None:
                self.calls.return_to_queue(call)
                self.calls.commit()
        log.warning("CallSid=%s was not in its queue: %s", call_sid, result)

    def _ring_for_callback(self, offer: Offer) -> bool:
        """Agent first: a REST call to the agent's softphone; the caller is dialled once they accept."""
        assert offer.call.callback_id is not None and offer.token is not None
        args = (offer.call.callback_id, offer.agent.id, offer.call.call_sid, offer.token)
        try:
            sid = self.gateway.create_call(
                f"client:{offer.agent.identity}",
                self.urls.caller_id,
                self.urls.callback_agent(*args),
                self.urls.callback_agent_status(*args),
                self.urls.ring_seconds,
            )
        except CallRefused as exc:
            return self._refused(offer, exc)
        except GatewayError as exc:
            log.warning("callback %s could not ring agent %s: %s", offer.call.callback_id, offer.agent.id, exc)
            return self.withdraw(offer, "telephony_error")
        CallbackService(self.session, self.clock).note_agent_leg(offer.call.callback_id, offer.token, sid)
        self.session.commit()
        log.info("callback %s ringing agent %s (%s)", offer.call.callback_id, offer.agent.id, sid)
        return True

    def _refused(self, offer: Offer, exc: CallRefused) -> bool:
        """Twilio refused to place the callback's call: an attempt is used, the agent is free again."""
        callback = self.session.get(Callback, offer.call.callback_id)
        if callback is not None:
            CallbackService(self.session, self.clock, self.policy).refused(
                callback, offer.agent.id, exc.status, exc.code
            )
        self._free_agent(offer, "telephony_refused")
        self.session.commit()
        return False

    def withdraw(self, offer: Offer, reason: str) -> bool:
        """The ring did not happen: the call waits again (same place), the agent is available again."""
        if offer.call.is_callback:
            callback = self.session.get(Callback, offer.call.callback_id)
            if callback is not None:
                CallbackService(self.session, self.clock).agent_missed(callback, offer.agent.id, reason)
        else:
            self.dispatcher.release(offer.call.id, offer.agent.id)
        self._free_agent(offer, reason)
        self.session.commit()
        return False

    def _free_agent(self, offer: Offer, reason: str) -> None:
        agent = self.session.get(Agent, offer.agent.id)
        if agent is not None and agent.state == AgentState.RINGING and agent.current_call_sid == offer.call.call_sid:
            self.agents.transition(
                agent, AgentState.AVAILABLE, reason=reason, call_sid=offer.call.call_sid, actor="dispatcher"
            )


class BackgroundRinger:
    """Rings on a small thread pool, each ring in its own app context (own session), so a hung REST
    request holds up only its own ring. A ring that fails asks for another dispatch round."""

    def __init__(
        self, app: Flask, build: Callable[[], RingService], after_failure: Callable[[], None], workers: int = 4
    ) -> None:
        self.app = app
        self.build = build
        self.after_failure = after_failure
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ring")
        self.in_flight = 0
        self._lock = threading.Lock()

    def submit(self, offers: list[Offer]) -> None:
        """Ring each offer on the pool; returns at once."""
        for offer in offers:
            with self._lock:
                self.in_flight += 1
            self.pool.submit(self._ring, offer)

    def _ring(self, offer: Offer) -> None:
        try:
            with self.app.app_context():
                try:
                    rung = self.build().ring(offer)
                except Exception:  # noqa: BLE001 - a ring must not kill the pool; the sweep repairs
                    db.session.rollback()
                    log.exception("ring of %s failed", offer.call.call_sid)
                    rung = False
                if not rung:
                    self.after_failure()
        finally:
            with self._lock:
                self.in_flight -= 1
