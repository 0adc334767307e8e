"""Webhooks for leaving the queue by choice, and for the legs of a callback.

While waiting (inside the wait loop's <Gather>, so the caller keeps their place until they confirm):
  1 → callback: the number Twilio gave is read back; 1 confirms, 2 keys another (a valid Vietnamese
      mobile or landline, ended by #). Confirming books the callback and <Leave>s the queue.
  2 → voicemail: <Leave>, then the <Enqueue> action records a message (<Record>); the ticket gets the link.
A callback is agent first: the dispatcher rings the agent (REST call to client:<identity>); when they
accept, `callback_agent` dials the caller with <Dial><Number>, and `callback_result` records the attempt.
"""

from __future__ import annotations

from flask import current_app, request
from twilio.twiml.voice_response import VoiceResponse

from callcenter.agents.service import AgentService
from callcenter.common.inputs import bounded_id, bounded_int
from callcenter.common.numbers import callback_number, spoken_digits
from callcenter.queue.callbacks import CallbackPolicy, CallbackService
from callcenter.queue.kick import kick_dispatch
from models import Agent, AgentEventKind, AgentState, Callback, CallStage, EventKind, TicketOutcome, TicketStatus, db

from . import twiml
from .agent_calls import caller_id_number
from .menu import parse_attempt
from .prompts import Speech, spoken_group
from .routes import bp, fallback_empty, gather_timeout, hook_url
from .views import fallback_hold_music, queue_wait_again
from .webhook import Webhook, twilio_webhook

OPTION_CALLBACK, OPTION_VOICEMAIL = "1", "2"
NUMBER_ATTEMPTS = 3


def _callbacks(hook: Webhook) -> CallbackService:
    return CallbackService(hook.calls.session, hook.calls.clock, CallbackPolicy.from_config(current_app.config))


def _waiting(hook: Webhook) -> bool:
    return hook.call is not None and hook.call.stage == CallStage.QUEUED


def _params(hook: Webhook, **extra: object) -> dict[str, object]:
    assert hook.call is not None
    return {"branch": hook.call.branch or 2, "lang": hook.language, **extra}


# -- the caller, while waiting ---------------------------------------------------------------
@bp.post("/queue/option")
@twilio_webhook(fallback_hold_music)
def queue_option(hook: Webhook) -> VoiceResponse:
    """A key pressed during the wait loop."""
    if not _waiting(hook):
        return twiml.empty()
    digits = (hook.form.get("Digits") or "").strip()[:1]
    if digits == OPTION_CALLBACK:
        return offer_callback(hook)
    if digits == OPTION_VOICEMAIL:
        assert hook.call is not None
        if not hook.calls.choose_to_leave(hook.call, "voicemail"):
            return queue_wait_again(hook)  # an agent is being rung for them right now
        return twiml.speak_and_leave([], hook.voices)
    return queue_wait_again(hook)  # any other key: keep waiting


def offer_callback(hook: Webhook, prefix: list | None = None) -> VoiceResponse:
    """Read back the caller's number to confirm, or ask for one when we have none we may call."""
    assert hook.call is not None
    number = callback_number(hook.call.caller_e164, current_app.config["DEFAULT_REGION"])
    if number is None:
        return ask_number(hook, 1, prefix)
    return confirm_number(hook, number, prefix)


def confirm_number(hook: Webhook, number: str, prefix: list | None = None) -> VoiceResponse:
    """Read the number back; it waits on the call row (never in a URL: it may be a branch-1 caller's)."""
    assert hook.call is not None
    hook.call.callback_number = number
    speech = hook.speech("callback_confirm", digits=spoken_digits(number))
    action = hook_url("ivr.callback_confirm", **_params(hook))
    return twiml.gather_keys([*(prefix or []), speech], hook.voices, action, gather_timeout())


def ask_number(hook: Webhook, attempt: int, prefix: list | None = None) -> VoiceResponse:
    """Ask the caller to key a number, ended by #."""
    action = hook_url("ivr.callback_number_entered", **_params(hook, attempt=attempt))
    speeches = [*(prefix or []), hook.speech("callback_enter_number")]
    return twiml.gather_keys(speeches, hook.voices, action, 2 * gather_timeout(), number=True)


@bp.post("/callback/confirm")
@twilio_webhook(fallback_hold_music)
def callback_confirm(hook: Webhook) -> VoiceResponse:
    """1: book the callback on the number read back; 2: key another; anything else: keep waiting."""
    if not _waiting(hook):
        return twiml.empty()
    digits = (hook.form.get("Digits") or "").strip()[:1]
    assert hook.call is not None
    number = callback_number(hook.call.callback_number, current_app.config["DEFAULT_REGION"])
    if digits == "1" and number is not None:
        return book_callback(hook, number)
    if digits == "2":
        return ask_number(hook, 1)
    return queue_wait_again(hook)


@bp.post("/callback/number")
@twilio_webhook(fallback_hold_music)
def callback_number_entered(hook: Webhook) -> VoiceResponse:
    """The number the caller keyed: valid → read back to confirm; not valid → ask again (3 tries)."""
    if not _waiting(hook):
        return twiml.empty()
    attempt = parse_attempt(request.args.get("attempt"))
    keyed = (hook.form.get("Digits") or "").strip()[:20]
    number = callback_number(keyed, current_app.config["DEFAULT_REGION"]) if keyed else None
    if number is not None:
        return confirm_number(hook, number)
    if attempt < NUMBER_ATTEMPTS and keyed:
        return ask_number(hook, attempt + 1, [hook.speech("callback_bad_number")])
    return queue_wait_again(hook)  # silence, or too many tries: back to waiting, place kept


def book_callback(hook: Webhook, number: str) -> VoiceResponse:
    """Record the callback with the caller's original place, then leave the queue."""
    call = hook.call
    assert call is not None and call.id is not None
    if not hook.calls.choose_to_leave(call, "callback"):
        return queue_wait_again(hook)  # an agent is being rung for them right now: no callback needed
    callback, created = _callbacks(hook).request(
        call.id, number, call.branch or 2, call.problem_group, call.language, call.queue_entered_at or call.started_at
    )
    if created:  # the number stays on the callback row only: events are shown to every role
        hook.calls.add_event(call, EventKind.CALLBACK_REQUESTED, dedupe_key="callback-requested")
        hook.after_commit.append(kick_dispatch)
        booked = callback_booked_speech(hook, number)
    else:  # the same number already waits for a callback: this call's ticket points there
        hook.calls.add_event(
            call, EventKind.CALLBACK_REQUESTED, dedupe_key="callback-requested", merged_into=callback.id
        )
        hook.calls.store.ticket(call, notes=f"Callback already requested from another call (callback #{callback.id}).")
        hook.calls.store.close_ticket_once(
            call, TicketOutcome.CALLBACK_PENDING, TicketStatus.CLOSED, hook.calls.clock.now()
        )
        booked = hook.speech("callback_already")
    return twiml.speak_and_leave([booked, hook.speech("goodbye")], hook.voices)


def callback_booked_speech(hook: Webhook, number: str) -> Speech:
    """ "We will call you back", and from when if it is outside the callback hours (at night)."""
    policy = _callbacks(hook).policy
    if policy.dials_at(hook.calls.clock.now()):
        return hook.speech("callback_booked", digits=spoken_digits(number))
    return hook.speech("callback_booked_later", digits=spoken_digits(number), hour=policy.first_hour)


# -- the legs of a callback ------------------------------------------------------------------
def _callback_and_agent(hook: Webhook) -> tuple[Callback | None, Agent | None]:
    """The callback and agent this request of the agent's leg is about; (None, …) when the URL's parts
    do not belong together, or the request is about an earlier offer than the one the callback is on
    now (the offer's token is in the signed URL; legs rung before tokens existed compare the leg SID)."""
    callback_id = bounded_id(request.args.get("callback"))
    agent_id = bounded_id(request.args.get("agent"))
    callback = db.session.get(Callback, callback_id) if callback_id is not None else None
    agent = db.session.get(Agent, agent_id) if agent_id is not None else None
    if callback is not None and hook.call is not None and callback.call_id != hook.call.id:
        return None, agent
    offer = request.args.get("offer")
    if callback is not None and offer is not None:
        return (callback, agent) if offer == callback.offer_token else (None, agent)
    leg = hook.form.get("CallSid")
    if callback is not None and callback.agent_call_sid and leg != callback.agent_call_sid:
        return None, agent
    return callback, agent


def _ringing_for(agent: Agent | None, hook: Webhook) -> bool:
    return (
        agent is not None
        and hook.call is not None
        and agent.state == AgentState.RINGING
        and agent.current_call_sid == hook.call.call_sid
    )


@bp.post("/callback/agent")
@twilio_webhook(fallback_empty, subject="arg:call")
def callback_agent(hook: Webhook) -> VoiceResponse:
    """The agent accepted the callback: tell them, then dial the caller."""
    callback, agent = _callback_and_agent(hook)
    gone = twiml.say_and_hangup([hook.catalog.default("callback_gone", "vi")], hook.voices)
    if callback is None or agent is None:
        return gone
    if not _ringing_for(agent, hook):  # the agent moved on meanwhile: back in line, nobody is dialled
        _callbacks(hook).agent_missed(callback, agent.id, "agent_not_ringing")
        hook.after_commit.append(kick_dispatch)
        return gone
    if not _callbacks(hook).agent_accepted(callback, agent.id):
        return gone
    assert hook.call is not None
    AgentService(db.session, hook.calls.clock).transition(
        agent, AgentState.ON_CALL, call_sid=hook.call.call_sid, actor="twilio", callback=callback.id
    )
    agent.leg_sid = (hook.form.get("CallSid") or "")[:64] or None  # the agent's leg: the sweep asks about it
    group = spoken_group(callback.problem_group, "vi")
    whisper = hook.catalog.default(
        "callback_agent_whisper", "vi", branch=callback.branch, group=group, attempt=callback.attempts
    )
    params = {"callback": callback.id, "agent": agent.id, "call": request.args.get("call")}
    if request.args.get("offer"):
        params["offer"] = request.args.get("offer")
    return twiml.dial_number(
        [whisper],
        hook.voices,
        callback.number_e164,
        caller_id_number(),
        int(current_app.config["CALLBACK_RING_SECONDS"]),
        hook_url("ivr.callback_result", **params),
        hook_url("ivr.callback_hello", call=request.args.get("call"), lang=callback.language),
    )


@bp.post("/callback/hello")
@twilio_webhook(fallback_empty, subject="arg:call")
def callback_hello(hook: Webhook) -> VoiceResponse:
    """The caller picked up: say who is calling before the agent is bridged."""
    return twiml.speak([hook.speech("callback_hello")], hook.voices)


@bp.post("/callback/result")
@twilio_webhook(fallback_empty, subject="arg:call")
def callback_result(hook: Webhook) -> VoiceResponse:
    """The <Dial> to the caller ended: talked (wrap-up follows) or not answered (retry later)."""
    callback, agent = _callback_and_agent(hook)
    if callback is None:
        return twiml.empty()
    status = (hook.form.get("DialCallStatus") or "").strip().lower()
    outcome = _callbacks(hook).dial_result(callback, status, bounded_int(hook.form.get("DialCallDuration")))
    if agent is None or outcome is None:
        return twiml.empty()
    agents = AgentService(db.session, hook.calls.clock)
    if agent.state == AgentState.ON_CALL and hook.call is not None and agent.current_call_sid == hook.call.call_sid:
        if outcome == "completed":
            agents.transition(
                agent, AgentState.WRAP_UP, actor="twilio", wrap_up_seconds=int(current_app.config["WRAP_UP_SECONDS"])
            )
        else:
            agents.transition(agent, AgentState.AVAILABLE, reason="callback_not_answered", actor="twilio")
            hook.after_commit.append(kick_dispatch)
    if outcome == "completed":
        return twiml.empty()
    return twiml.say_and_hangup([hook.catalog.default("callback_not_answered", "vi")], hook.voices)


@bp.post("/callback/agent-status")
@twilio_webhook(fallback_empty, subject="arg:call")
def callback_agent_status(hook: Webhook) -> VoiceResponse:
    """Status callback of the agent's leg: not picked up → back in line (same place), agent missed."""
    callback, agent = _callback_and_agent(hook)
    status = (hook.form.get("CallStatus") or "").strip().lower()
    if callback is None or agent is None:
        return twiml.empty()
    service = _callbacks(hook)
    agents = AgentService(db.session, hook.calls.clock)
    if status in ("no-answer", "busy", "failed", "canceled") and service.agent_missed(callback, agent.id, status):
        if _ringing_for(agent, hook) and status == "busy":  # Decline: she stays available (agent_calls.DECLINED)
            agents.transition(
                agent,
                AgentState.AVAILABLE,
                reason="declined",
                actor=agent.username,
                kind=AgentEventKind.RINGDECLINED,
                callback=callback.id,
            )
        elif _ringing_for(agent, hook):
            missed = status == "no-answer"
            agents.transition(
                agent,
                AgentState.BREAK if missed else AgentState.AVAILABLE,
                reason="missed" if missed else "telephony_error",
                actor="twilio",
                callback=callback.id,
            )
        hook.after_commit.append(kick_dispatch)
    # A leg that ends "completed" after the agent accepted: the <Dial> action (which Twilio may send
    # after this) says whether the caller answered; if it never comes, reconciliation settles it.
    return twiml.empty()
