"""Ringing agents: after the dispatcher's claims are committed, take each caller out of the Twilio
queue (REST member update) into a <Dial><Client> to the chosen agent. A failed ring gives both back:
the caller keeps their place, the agent is available again."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Agent, AgentState, Call

from .agents import AgentService
from .clock import Clock
from .dispatch import Dispatcher, Offer
from .gateway import GatewayError, MemberGone, TelephonyGateway

log = logging.getLogger(__name__)


class RingService:
    """Dispatch, commit the claims, then ring (the telephony request is made outside the claim)."""

    def __init__(self, session: Session, clock: Clock, gateway: TelephonyGateway, connect_url: Callable[[int], str]):
        self.session = session
        self.clock = clock
        self.gateway = gateway
        self.connect_url = connect_url
        self.agents = AgentService(session, clock)
        self.dispatcher = Dispatcher(session, clock, self.agents.rota)

    def run(self) -> list[Offer]:
        """One dispatch round; returns the offers that are ringing."""
        offers = self.dispatcher.dispatch()
        self.session.commit()
        return [offer for offer in offers if self.ring(offer)]

    def ring(self, offer: Offer) -> bool:
        """Dequeue the caller into the agent's <Dial>; on failure withdraw the offer."""
        queue_sid = self.session.scalar(select(Call.queue_sid).where(Call.id == offer.call.id))
        if not queue_sid:
            return self.withdraw(offer, "queue_unknown")
        try:
            self.gateway.dequeue(queue_sid, offer.call.call_sid, self.connect_url(offer.agent.id))
        except MemberGone:
            return self.withdraw(offer, "caller_gone")
        except GatewayError as exc:
            log.warning("CallSid=%s could not ring agent %s: %s", offer.call.call_sid, offer.agent.id, exc)
            return self.withdraw(offer, "telephony_error")
        log.info("CallSid=%s ringing agent %s", offer.call.call_sid, offer.agent.id)
        return True

    def withdraw(self, offer: Offer, reason: str) -> bool:
        """The ring did not happen: the call waits again (same place), the agent is available again."""
        self.dispatcher.release(offer.call.id, offer.agent.id)
        agent = self.session.get(Agent, offer.agent.id)
        if agent is not None and agent.state == AgentState.RINGING:
            self.agents.transition(
                agent, AgentState.AVAILABLE, reason=reason, call_sid=offer.call.call_sid, actor="dispatcher"
            )
        self.session.commit()
        return False
