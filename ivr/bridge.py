"""The conference bridge's webhooks (DESK_BRIDGE=conference, issue 13): one conference per call.

The agent is rung first: the ring service calls her into the call's conference (`call-<CallSid>`,
label `agent-<id>`) while the caller keeps waiting in the queue, with their place and their position
announcements. Then:
- the room says she joined (participant-join): the caller is dequeued into the room, the call is
  answered, she is on the call; if the caller left meanwhile (gone from the queue, or chose a callback
  or a voicemail), she is taken out of the room and is free again;
- her leg's status callback says she did not answer (no-answer, failed: a missed ring, she goes on a
  break) or declined (busy: she stays available): the offer is over, the caller never left the queue;
- her leg ends after the conversation: wrap-up. The caller's seat ends the conference when they hang
  up; hers when she hangs up (the caller hears goodbye).
Every leg joining, leaving or being held is on the call's timeline (LEG events).
"""

from __future__ import annotations

import logging

from flask import current_app, request
from sqlalchemy import select
from twilio.twiml.voice_response import VoiceResponse

from callcenter.agents.consult import CONSULT
from callcenter.agents.hold import HoldService
from callcenter.agents.service import AgentError
from callcenter.common.inputs import bounded_int
from callcenter.queue.kick import kick_dispatch
from callcenter.telephony.conference import (
    CALLER,
    ParticipantChange,
    ParticipantGone,
    agent_label,
    labelled_agent,
    room_name,
)
from callcenter.telephony.gateway import GatewayError, MemberGone
from models import Agent, AgentState, CallEvent, CallStage, EventKind, db

from . import twiml
from .agent_calls import NOT_ANSWERED, _agent, _agents, honour_leaving, ring_ended, ring_urls, start_wrap_up
from .routes import bp, fallback_empty, hook_url
from .views import enqueue_caller, fallback_queue_exit
from .webhook import Webhook, twilio_webhook

log = logging.getLogger(__name__)
DEQUEUED = "hotline.bridge_dequeued"  # in the WSGI environ: a retried view must not dequeue twice
REQUEUED = "hotline.bridge_requeued"  # … nor move a caller twice


@bp.post("/conference/events")
@twilio_webhook(fallback_empty, subject="arg:call")
def conference_events(hook: Webhook) -> VoiceResponse:
    """The call's conference: record the leg's event; an agent joining brings the caller in."""
    assert hook.call is not None
    event = (hook.form.get("StatusCallbackEvent") or "").strip()[:32]
    label = (hook.form.get("ParticipantLabel") or "").strip()[:64] or None
    sequence = bounded_int(hook.form.get("SequenceNumber"))
    hook.calls.add_event(
        hook.call,
        EventKind.LEG,
        dedupe_key=f"room-{sequence}-{event}"[:64] if sequence is not None else None,
        event=event,
        label=label,
        sequence=sequence,  # the room's order (webhooks may land out of order)
        hold=hook.form.get("Hold") == "true",
    )
    agent_id = labelled_agent(label)
    if event == "participant-join" and agent_id is not None:
        _agent_joined(hook, agent_id)
    elif event == "participant-join" and label == CONSULT:
        _colleague_joined(hook)
    return twiml.empty()


def _colleague_joined(hook: Webhook) -> None:
    """A consulted colleague (ringing for this call) picked up: she is on the call now."""
    call = hook.call
    assert call is not None
    colleague = db.session.scalars(
        select(Agent).where(Agent.current_call_sid == call.call_sid, Agent.state == AgentState.RINGING)
    ).first()
    if colleague is None:
        return  # central support (a phone number), or a repeat
    _agents(hook).transition(colleague, AgentState.ON_CALL, call_sid=call.call_sid, actor="twilio", reason="consult")
    colleague.leg_sid = (hook.form.get("CallSid") or "")[:64] or colleague.leg_sid
    if _last_transfer_stage(call.id) == "cold":  # a cold transfer: the caller is hers now, off hold
        _take_over(hook, colleague)


def _last_transfer(call_id: int) -> CallEvent | None:
    return db.session.scalars(
        select(CallEvent)
        .where(CallEvent.call_id == call_id, CallEvent.kind == EventKind.TRANSFER)
        .order_by(CallEvent.id.desc())
        .limit(1)
    ).first()


def _last_transfer_stage(call_id: int) -> str | None:
    last = _last_transfer(call_id)
    return None if last is None else (last.data or {}).get("stage")


def _take_over(hook: Webhook, colleague: Agent) -> None:
    """Complete a cold transfer: she owns the call (her hanging up ends it); the caller comes off hold."""
    call = hook.call
    assert call is not None
    conferences = current_app.extensions["conferences"]
    conferences.update_participant(room_name(call.call_sid), CONSULT, ParticipantChange(end_on_exit=True))
    call.agent_id = colleague.id
    hold = HoldService(db.session, hook.calls.clock, conferences, current_app.config["HOLD_MUSIC_URL"])
    hold.set(colleague, False)  # the caller comes off hold, with the seconds held on record
    hook.calls.add_event(
        call,
        EventKind.TRANSFER,
        dedupe_key=f"cold-done-{colleague.id}",
        to="agent",
        agent=colleague.username,
        stage="handover",
    )


def _agent_joined(hook: Webhook, agent_id: int) -> None:
    call = hook.call
    assert call is not None
    agent = db.session.get(Agent, agent_id)
    if agent is None:
        return
    if call.stage == CallStage.CONNECTED and call.agent_id == agent.id:
        return  # a repeated event: she is on the call already
    offered = call.offered_agent_id == agent.id and call.stage == CallStage.QUEUED and not call.leave_reason
    if not offered:
        _release(hook, agent, "caller_left")
        return
    try:
        if not request.environ.get(DEQUEUED):
            current_app.extensions["gateway"].dequeue(call.queue_sid, call.call_sid, ring_urls().caller_seat(agent.id))
            request.environ[DEQUEUED] = True
    except MemberGone:
        _release(hook, agent, "caller_left")
        return
    except GatewayError as exc:
        log.warning("CallSid=%s could not bring the caller to agent %s: %s", call.call_sid, agent.id, exc)
        _release(hook, agent, "telephony_error")
        return
    if hook.calls.connect(call, hook.calls.clock.now(), None, agent=agent.identity):
        call.agent_id = agent.id
        try:
            _agents(hook).transition(agent, AgentState.ON_CALL, call_sid=call.call_sid, actor="twilio")
        except AgentError:
            pass  # already past ringing (a retried webhook): the call record is what matters
        agent.leg_sid = (hook.form.get("CallSid") or "")[:64] or agent.leg_sid


def _release(hook: Webhook, agent: Agent, reason: str) -> None:
    """The agent joined a room the caller will not come to: she leaves it and is free again; the
    caller (if still waiting) keeps their place."""
    call = hook.call
    assert call is not None
    if call.offered_agent_id == agent.id:
        call.offered_agent_id, call.offered_at = None, None
    if agent.state == AgentState.RINGING and agent.current_call_sid == call.call_sid:
        _agents(hook).transition(agent, AgentState.AVAILABLE, reason=reason, call_sid=call.call_sid, actor="twilio")
    room, label = room_name(call.call_sid), agent_label(agent.id)
    hook.after_commit.append(lambda: _leave_room(room, label))
    hook.after_commit.append(kick_dispatch)


def _leave_room(room: str, label: str) -> None:
    try:
        current_app.extensions["conferences"].remove_participant(room, label)
    except (ParticipantGone, GatewayError) as exc:
        log.info("%s could not be taken out of %s: %s", label, room, exc)


@bp.post("/conference/caller")
@twilio_webhook(fallback_empty)
def conference_caller(hook: Webhook) -> VoiceResponse:
    """The dequeued caller's TwiML: their seat in the call's conference, with the agent who joined."""
    call = hook.call
    assert call is not None
    if call.is_final:
        return twiml.empty()
    if call.leave_reason and call.stage != CallStage.CONNECTED:
        return honour_leaving(hook, _agent())
    seat = twiml.ConferenceSeat(
        room_name(call.call_sid),
        CALLER,
        ring_urls().room_events(call.call_sid),
        end_on_exit=True,  # when the caller hangs up, every other leg is released
    )
    return twiml.join_conference(seat, hook_url("ivr.conference_caller_left", lang=hook.language))


@bp.post("/conference/requeue")
@twilio_webhook(fallback_queue_exit)
def conference_requeue(hook: Webhook) -> VoiceResponse:
    """The agent handed the caller back to the queue: they wait again, with their first place."""
    assert hook.call is not None
    if hook.call.is_final:
        return twiml.empty()
    branch = 1 if request.args.get("branch") == "1" else 2
    hook.after_commit.append(kick_dispatch)
    return enqueue_caller(hook, branch, [hook.speech("transferred_to_queue")])


@bp.post("/conference/consult-leg")
@twilio_webhook(fallback_empty, subject="arg:call")
def conference_consult_leg(hook: Webhook) -> VoiceResponse:
    """A consulted leg (central support, or the colleague in `agent`): not answered, or over."""
    call, colleague = hook.call, _agent()
    assert call is not None
    status = (hook.form.get("CallStatus") or "").strip().lower()
    if colleague is not None and colleague.current_call_sid == call.call_sid:
        agents = _agents(hook)
        if colleague.state == AgentState.RINGING and status in (*NOT_ANSWERED, "canceled", "completed"):
            agents.transition(colleague, AgentState.AVAILABLE, reason="consult_not_answered", actor="twilio")
            hook.after_commit.append(kick_dispatch)
            last = _last_transfer(call.id)
            if last is not None and (last.data or {}).get("stage") == "cold" and not call.is_final:
                _back_to_queue(hook, by=last.agent or colleague.username)  # nobody took it: back in line
        elif colleague.state == AgentState.ON_CALL and status == "completed":
            if call.agent_id == colleague.id:  # handed over to her: her call to wrap up
                start_wrap_up(hook, colleague)
            else:  # a consult that ended without the hand-over: she is free again
                agents.transition(colleague, AgentState.AVAILABLE, reason="consult_ended", actor="twilio")
                hook.after_commit.append(kick_dispatch)
    return _leg_status(hook, CONSULT)


@bp.post("/conference/monitor-leg")
@twilio_webhook(fallback_empty, subject="arg:call")
def conference_monitor_leg(hook: Webhook) -> VoiceResponse:
    """A supervisor's monitoring leg: not answered, or over (on the timeline)."""
    return _leg_status(hook, "monitor")


def _back_to_queue(hook: Webhook, by: str) -> None:
    """A cold transfer nobody took: the caller goes back to their queue, with their first place."""
    call = hook.call
    assert call is not None
    if not request.environ.get(REQUEUED):
        try:
            current_app.extensions["conferences"].redirect_call(call.call_sid, ring_urls().requeue(call.branch or 2))
        except (ParticipantGone, GatewayError) as exc:
            log.warning("CallSid=%s could not go back to the queue: %s", call.call_sid, exc)
            return
        request.environ[REQUEUED] = True
    hook.calls.requeue(call, by=by)
    hook.calls.add_event(call, EventKind.TRANSFER, dedupe_key=f"cold-back-{by}"[:64], to="agent", stage="cancelled")


def _leg_status(hook: Webhook, label: str) -> VoiceResponse:
    assert hook.call is not None
    status = (hook.form.get("CallStatus") or "").strip().lower()[:16]
    leg = (hook.form.get("CallSid") or "")[:64]
    hook.calls.add_event(
        hook.call, EventKind.LEG, dedupe_key=f"{label}-{leg[-20:]}-{status}", label=label, status=status
    )
    return twiml.empty()


@bp.post("/conference/caller-left")
@twilio_webhook(fallback_empty)
def conference_caller_left(hook: Webhook) -> VoiceResponse:
    """The caller's <Dial><Conference> is over: they hung up, or the agent did (goodbye)."""
    if (hook.form.get("CallStatus") or "").strip().lower() == "completed":
        return twiml.empty()
    return twiml.say_and_hangup([hook.speech("goodbye")], hook.voices)


@bp.post("/conference/agent-leg")
@twilio_webhook(fallback_empty, subject="arg:call")
def conference_agent_leg(hook: Webhook) -> VoiceResponse:
    """Status callback of an agent's leg into the call's conference: not answered, or over."""
    call, agent = hook.call, _agent()
    assert call is not None
    status = (hook.form.get("CallStatus") or "").strip().lower()
    if agent is None or agent.current_call_sid != call.call_sid:
        return twiml.empty()  # about an offer or a call that is over for her
    if agent.state == AgentState.RINGING and status in (*NOT_ANSWERED, "canceled", "completed"):
        if call.offered_agent_id == agent.id:  # the offer is over: the caller never left the queue
            call.offered_agent_id, call.offered_at = None, None
        ring_ended(hook, agent, status)
    elif agent.state == AgentState.ON_CALL and status == "completed":
        start_wrap_up(hook, agent)
    return twiml.empty()
