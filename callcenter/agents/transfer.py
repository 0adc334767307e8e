"""Transfers on the conference bridge (issue 13). Cold, back to the queue: the caller leaves the
call's conference for their branch's queue and waits again with their first place (the dispatcher
orders by it), the ticket follows them; the agent's leg ends with the conference and she wraps up
her part. Each hand-back is a TRANSFER on the timeline, each next agent a CONNECT of a new leg."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from callcenter.agents.hold import HoldUnavailable
from callcenter.agents.service import AgentError
from callcenter.common.clock import Clock
from callcenter.telephony.conference import ConferenceControl, ParticipantGone
from callcenter.telephony.gateway import GatewayError
from callcenter.tickets.calls import CallService
from models import Agent, AgentState


class TransferService:
    """Hands the agent's caller on: back to the queue (more targets to come)."""

    def __init__(self, calls: CallService, conferences: ConferenceControl, urls: Any) -> None:
        self.calls = calls
        self.session: Session = calls.session
        self.clock: Clock = calls.clock
        self.conferences = conferences
        self.urls = urls  # the voice channel's URLs (ring_urls): requeue(branch)

    def to_queue(self, agent: Agent) -> None:
        """Cold transfer back to the caller's branch queue; committed by the caller of this method."""
        if agent.state != AgentState.ON_CALL or not agent.current_call_sid:
            raise AgentError(_("You are not on a call."))
        call = self.calls.find(agent.current_call_sid)
        if call is None or call.is_final:
            raise AgentError(_("You are not on a call."))
        try:
            self.conferences.redirect_call(call.call_sid, self.urls.requeue(call.branch or 2))
        except ParticipantGone as exc:
            raise AgentError(_("The caller is no longer on the line.")) from exc
        except GatewayError as exc:
            raise HoldUnavailable(_("The telephony service did not answer: the caller is still with you.")) from exc
        self.calls.requeue(call, by=agent.username)
