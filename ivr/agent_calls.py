"""Webhooks of a call being put through to an agent: the caller's <Dial>, the agent picking up,
and the <Dial> result (answered and over, or not answered: back to waiting with the same place)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from twilio.twiml.voice_response import VoiceResponse

from callcenter.agents.service import AgentError, AgentService
from callcenter.common.inputs import bounded_id
from callcenter.common.numbers import parse_number
from callcenter.queue.kick import kick_dispatch
from models import Agent, AgentEventKind, AgentState, db

from . import twiml
from .prompts import spoken_group
from .routes import bp, fallback_empty, hook_url
from .views import enqueue_caller, fallback_queue_exit
from .voicemail import record_voicemail
from .webhook import Webhook, twilio_webhook

NOT_ANSWERED = {"no-answer", "busy", "failed"}
# A softphone that declines (Decline: the Voice SDK's call.reject(), the sandbox's reject) ends the <Dial>
# "busy": a decline, not a missed ring (the agent is offered only while available, so never busy otherwise).
DECLINED = "busy"


@dataclass(frozen=True)
class PublicRingUrls:
    """The webhook URLs a ring sends the telephony engine to (absolute; usable outside a request)."""

    base: str
    caller_id: str
    ring_seconds: int

    def connect(self, agent_id: int) -> str:
        """The dequeue URL that rings `agent_id` for a live caller."""
        return f"{self.base}/ivr/agent/connect?agent={agent_id}"

    def callback_agent(self, callback_id: int, agent_id: int, call_sid: str, offer: str) -> str:
        """What the agent's leg of a callback runs once they accept (it then dials the caller)."""
        return f"{self.base}/ivr/callback/agent?callback={callback_id}&agent={agent_id}&call={call_sid}&offer={offer}"

    def callback_agent_status(self, callback_id: int, agent_id: int, call_sid: str, offer: str) -> str:
        """Status callback of the agent's leg of a callback (not answered → back in line)."""
        return (
            f"{self.base}/ivr/callback/agent-status?callback={callback_id}&agent={agent_id}&call={call_sid}"
            f"&offer={offer}"
        )

    def agent_leg(self, agent_id: int, call_sid: str) -> str:
        """Status callback of an agent's leg into a call's conference (not answered, or over)."""
        return f"{self.base}/ivr/conference/agent-leg?agent={agent_id}&call={call_sid}"

    def room_events(self, call_sid: str) -> str:
        """The call's conference events: who joined, left, was held (the timeline; the agent joining
        brings the caller in)."""
        return f"{self.base}/ivr/conference/events?call={call_sid}"

    def monitor_leg(self, call_sid: str) -> str:
        """Status callback of a supervisor's monitoring leg (answered, or over)."""
        return f"{self.base}/ivr/conference/monitor-leg?call={call_sid}"

    def consult_leg(self, call_sid: str, agent_id: int | None = None) -> str:
        """Status callback of a consulted leg (central support, or the colleague `agent_id`)."""
        colleague = f"&agent={agent_id}" if agent_id is not None else ""
        return f"{self.base}/ivr/conference/consult-leg?call={call_sid}{colleague}"

    def requeue(self, branch: int) -> str:
        """Where a caller handed back to the queue goes: their branch's queue again."""
        return f"{self.base}/ivr/conference/requeue?branch={branch}"

    def caller_seat(self, agent_id: int) -> str:
        """The dequeue URL that seats a waiting caller in their call's conference with `agent_id`."""
        return f"{self.base}/ivr/conference/caller?agent={agent_id}"


def ring_urls() -> PublicRingUrls:
    """The ring URLs of the current app."""
    config = current_app.config
    return PublicRingUrls(config["PUBLIC_BASE_URL"].rstrip("/"), caller_id_number(), int(config["RING_SECONDS"]))


def caller_id_number() -> str:
    """The number our outbound legs show: CALLBACK_CALLER_ID, else the first hotline number (E.164)."""
    config = current_app.config
    configured = config.get("CALLBACK_CALLER_ID") or config["HOTLINE_NUMBERS"][0]
    return parse_number(configured, config["DEFAULT_REGION"]).e164 or configured


def connect_url(agent_id: int) -> str:
    """The dequeue URL that rings `agent_id` (absolute, as Twilio needs; usable outside a request)."""
    return ring_urls().connect(agent_id)


def _agent() -> Agent | None:
    """The agent named by the URL's `agent` id; None when absent, odd or beyond the column."""
    agent_id = bounded_id(request.args.get("agent"))
    return db.session.get(Agent, agent_id) if agent_id is not None else None


def _agents(hook: Webhook) -> AgentService:
    return AgentService(db.session, hook.calls.clock)


def back_to_queue(hook: Webhook) -> VoiceResponse:
    """The caller returns to their branch's queue; the dispatcher still orders by their first entry."""
    assert hook.call is not None
    hook.calls.return_to_queue(hook.call)  # dequeued again only once Twilio has them back
    hook.after_commit.append(kick_dispatch)  # the next agent is tried at once
    return enqueue_caller(hook, hook.call.branch or 2, [hook.speech("still_waiting")])


@bp.post("/agent/connect")
@twilio_webhook(fallback_queue_exit)
def agent_connect(hook: Webhook) -> VoiceResponse:
    """Dequeue URL: ring the agent this caller was offered to (or send them back if the offer is gone)."""
    assert hook.call is not None
    agent = _agent()
    if hook.call.leave_reason and not hook.call.is_final:
        return honour_leaving(hook, agent)
    if agent is None or hook.call.offered_agent_id != agent.id or hook.call.is_final:
        return back_to_queue(hook) if not hook.call.is_final else twiml.empty()
    config = current_app.config
    # Need-to-know: the softphone of an agent must not receive a branch-1 caller's number.
    hidden = hook.call.branch != 2
    return twiml.dial_agent(
        agent.identity,
        int(config["RING_SECONDS"]),
        hook_url("ivr.agent_dial_result", agent=agent.id, lang=hook.language),
        hook_url("ivr.agent_answered", agent=agent.id),
        caller_id_number() if hidden else None,
    )


def honour_leaving(hook: Webhook, agent: Agent | None) -> VoiceResponse:
    """The caller chose a callback or a voicemail while the ring was on its way: their choice wins.
    The agent is free again at once; the caller records their message or hears goodbye."""
    call = hook.call
    assert call is not None
    if agent is not None and call.offered_agent_id == agent.id:
        call.offered_agent_id, call.offered_at = None, None
    if agent is not None and agent.state == AgentState.RINGING and agent.current_call_sid == call.call_sid:
        _agents(hook).transition(
            agent, AgentState.AVAILABLE, reason="caller_left", call_sid=call.call_sid, actor="twilio"
        )
        hook.after_commit.append(kick_dispatch)
    if call.leave_reason == "voicemail":
        return record_voicemail(hook)
    return twiml.say_and_hangup([hook.speech("goodbye")], hook.voices)


@bp.post("/agent/answered")
@twilio_webhook(fallback_empty, subject="ParentCallSid")
def agent_answered(hook: Webhook) -> VoiceResponse:
    """The agent picked up (request for the agent's leg): the call is answered; whisper what it is."""
    assert hook.call is not None
    call, agent = hook.call, _agent()
    now = hook.calls.clock.now()
    if agent is not None and hook.calls.connect(call, now, None, agent=agent.identity):
        call.agent_id = agent.id
        try:
            _agents(hook).transition(agent, AgentState.ON_CALL, call_sid=call.call_sid, actor="twilio")
            agent.leg_sid = (hook.form.get("CallSid") or "")[:64] or None  # the agent's leg: the sweep asks about it
        except AgentError:
            pass  # the state is already past ringing (a retried webhook): the call record is what matters
    group = spoken_group(call.problem_group, "vi")
    waited = (call.queue_wait_seconds or 0) // 60
    return twiml.speak(
        [hook.catalog.default("agent_whisper", "vi", branch=call.branch or 2, group=group, minutes=waited)], hook.voices
    )


def start_wrap_up(hook: Webhook, agent: Agent) -> None:
    """The agent's conversation on the hook's call is over: her wrap-up starts (WRAP_UP_SECONDS)."""
    assert hook.call is not None
    _agents(hook).transition(
        agent,
        AgentState.WRAP_UP,
        call_sid=hook.call.call_sid,
        actor="twilio",
        wrap_up_seconds=int(current_app.config["WRAP_UP_SECONDS"]),
    )


def ring_ended(hook: Webhook, agent: Agent, status: str, caller_gone: bool = False) -> None:
    """The agent's softphone stopped ringing for the hook's call without her taking it: she declined
    (busy: she stays available, the next agent rings), missed it (no-answer, failed: a break), or the
    caller hung up meanwhile (not her doing: available). One rule for both bridges."""
    call = hook.call
    assert call is not None
    agents = _agents(hook)
    if status == DECLINED and not caller_gone:
        agents.transition(
            agent,
            AgentState.AVAILABLE,
            reason="declined",
            call_sid=call.call_sid,
            actor=agent.username,
            kind=AgentEventKind.RINGDECLINED,
            dial_status=status,
        )
        hook.after_commit.append(kick_dispatch)
    elif status in NOT_ANSWERED and not caller_gone:
        agents.transition(
            agent, AgentState.BREAK, reason="missed", call_sid=call.call_sid, actor="twilio", dial_status=status
        )
    else:  # canceled: the caller hung up while it rang, not the agent's doing
        agents.transition(agent, AgentState.AVAILABLE, reason="caller_left", call_sid=call.call_sid, actor="twilio")
        hook.after_commit.append(kick_dispatch)


@bp.post("/agent/dial-result")
@twilio_webhook(fallback_queue_exit)
def agent_dial_result(hook: Webhook) -> VoiceResponse:
    """<Dial> action for the caller: over after a conversation, or not answered (ring-no-answer)."""
    assert hook.call is not None
    call, agent = hook.call, _agent()
    status = (hook.form.get("DialCallStatus") or "").strip().lower()
    caller_gone = (hook.form.get("CallStatus") or "").strip().lower() == "completed"
    if status in ("completed", "answered") and agent is not None:
        if agent.state == AgentState.ON_CALL and agent.current_call_sid == call.call_sid:
            start_wrap_up(hook, agent)
        return twiml.say_and_hangup([hook.speech("goodbye")], hook.voices)
    if agent is not None:
        if call.offered_agent_id == agent.id:  # the offer is over: the call waits again, same place
            call.offered_agent_id, call.offered_at = None, None
        if agent.state == AgentState.RINGING and agent.current_call_sid == call.call_sid:
            ring_ended(hook, agent, status, caller_gone)
    if status in NOT_ANSWERED and not call.is_final and not caller_gone:
        return back_to_queue(hook)
    return twiml.empty()
