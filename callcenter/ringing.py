"""Ringing agents: after the dispatcher's claims are committed, put each pair through.

- A live caller is taken out of the Twilio queue (REST member update) into a <Dial><Client> to the
  chosen agent.
- A callback rings the agent first (REST create call to client:<identity>); when the agent accepts,
  the agent's leg dials the caller (ivr/callbacks.py).
A failed ring gives both back: the caller (or callback) keeps their place, the agent is available again.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Agent, AgentState, Call, Callback

from .agents import AgentService
from .callbacks import CallbackPolicy, CallbackService
from .clock import Clock
from .dispatch import Dispatcher, Offer
from .gateway import GatewayError, MemberGone, TelephonyGateway

log = logging.getLogger(__name__)


class RingUrls(Protocol):
    """Where the telephony engine is sent for each kind of ring (absolute webhook URLs)."""

    caller_id: str  # what the agent's softphone shows for a callback
    ring_seconds: int

    def connect(self, agent_id: int) -> str: ...

    def callback_agent(self, callback_id: int, agent_id: int, call_sid: str) -> str: ...

    def callback_agent_status(self, callback_id: int, agent_id: int, call_sid: str) -> str: ...


class RingService:
    """Dispatch, commit the claims, then ring (the telephony request is made outside the claim)."""

    def __init__(
        self,
        session: Session,
        clock: Clock,
        gateway: TelephonyGateway,
        urls: RingUrls,
        callbacks: CallbackPolicy | None = None,
    ):
        self.session = session
        self.clock = clock
        self.gateway = gateway
        self.urls = urls
        self.agents = AgentService(session, clock)
        self.dispatcher = Dispatcher(session, clock, self.agents.rota, callbacks)

    def run(self) -> list[Offer]:
        """One dispatch round; returns the offers that are ringing."""
        offers = self.dispatcher.dispatch()
        self.session.commit()
        return [offer for offer in offers if self.ring(offer)]

    def ring(self, offer: Offer) -> bool:
        """Ring the agent for a live caller or a callback; on failure withdraw the offer."""
        if offer.call.is_callback:
            return self._ring_for_callback(offer)
        queue_sid = self.session.scalar(select(Call.queue_sid).where(Call.id == offer.call.id))
        if not queue_sid:
            return self.withdraw(offer, "queue_unknown")
        try:
            self.gateway.dequeue(queue_sid, offer.call.call_sid, self.urls.connect(offer.agent.id))
        except MemberGone:
            return self.withdraw(offer, "caller_gone")
        except GatewayError as exc:
            log.warning("CallSid=%s could not ring agent %s: %s", offer.call.call_sid, offer.agent.id, exc)
            return self.withdraw(offer, "telephony_error")
        log.info("CallSid=%s ringing agent %s", offer.call.call_sid, offer.agent.id)
        return True

    def _ring_for_callback(self, offer: Offer) -> bool:
        """Agent first: a REST call to the agent's softphone; the caller is dialled once they accept."""
        assert offer.call.callback_id is not None
        args = (offer.call.callback_id, offer.agent.id, offer.call.call_sid)
        try:
            sid = self.gateway.create_call(
                f"client:{offer.agent.identity}",
                self.urls.caller_id,
                self.urls.callback_agent(*args),
                self.urls.callback_agent_status(*args),
                self.urls.ring_seconds,
            )
        except GatewayError as exc:
            log.warning("callback %s could not ring agent %s: %s", offer.call.callback_id, offer.agent.id, exc)
            return self.withdraw(offer, "telephony_error")
        callback = self.session.get(Callback, offer.call.callback_id)
        if callback is not None and callback.agent_id == offer.agent.id and not callback.agent_call_sid:
            callback.agent_call_sid = sid
            self.session.commit()
        log.info("callback %s ringing agent %s (%s)", offer.call.callback_id, offer.agent.id, sid)
        return True

    def withdraw(self, offer: Offer, reason: str) -> bool:
        """The ring did not happen: the call waits again (same place), the agent is available again."""
        if offer.call.is_callback:
            callback = self.session.get(Callback, offer.call.callback_id)
            if callback is not None:
                CallbackService(self.session, self.clock).agent_missed(callback, offer.agent.id, reason)
        else:
            self.dispatcher.release(offer.call.id, offer.agent.id)
        agent = self.session.get(Agent, offer.agent.id)
        if agent is not None and agent.state == AgentState.RINGING:
            self.agents.transition(
                agent, AgentState.AVAILABLE, reason=reason, call_sid=offer.call.call_sid, actor="dispatcher"
            )
        self.session.commit()
        return False
