"""The agents' softphone: page, state controls, access token, screen pop and wrap-up (JSON).

With Twilio, calls ring in the browser through the Voice JavaScript SDK (`@twilio/voice-sdk` from
npm, served from node_modules); without Twilio, the page drives the local sandbox's legs for the same
identity (`client:<identity>`) through the /agent/api/sandbox endpoints: same states, same events.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, send_from_directory
from sqlalchemy.orm.exc import StaleDataError
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from models import Agent, AgentState, Role, User, db

from .agents import BREAK_REASONS, AgentError, AgentService
from .desk import DeskView
from .http import json_error, json_object
from .session_auth import login_required, session_user
from .trigger import kick_dispatch
from .wrapup import AGENT_OUTCOMES, WrapUpError, WrapUpService

bp = Blueprint("softphone", __name__, url_prefix="/agent", template_folder="templates")
SDK_DIR = Path(__file__).resolve().parent.parent / "node_modules" / "@twilio" / "voice-sdk" / "dist"
AGENT_ROLES = (Role.AGENT.value,)


def _me() -> tuple[User, Agent | None]:
    user = session_user()
    assert user is not None  # login_required ran
    return user, AgentService(db.session, current_app.extensions["clock"]).by_username(user.username)


def agent_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """An agent-only JSON endpoint: login (agent role, CSRF) and an agent profile, passed to the view."""

    @wraps(view)
    def guarded(**kwargs: Any) -> Any:
        user, agent = _me()
        if agent is None:
            return json_error(404, "no_agent_profile", no_profile_message(user.username))
        return view(user, agent, **kwargs)

    return login_required(*AGENT_ROLES)(guarded)


def no_profile_message(username: str) -> str:
    """What a login with role agent but no agent profile is told (the page and the JSON say the same)."""
    return (
        f"{username} has no agent profile yet: an admin creates it with "
        f'`flask --app app agents create {username} --name "FULL NAME" --skills …` or on the People page.'
    )


def _mode() -> str:
    return "sandbox" if current_app.config["SANDBOX_ENABLED"] else "twilio"


@bp.get("/")
@login_required(*AGENT_ROLES)
def page() -> Any:
    """The softphone page."""
    user, agent = _me()
    return render_template(
        "softphone.html",
        agent=agent,
        no_profile=no_profile_message(user.username),
        mode=_mode(),
        break_reasons=[r for r in BREAK_REASONS if r != "missed"],
        outcomes=[o.value for o in AGENT_OUTCOMES],
        wrap_up_seconds=int(current_app.config["WRAP_UP_SECONDS"]),
        sdk_installed=(SDK_DIR / "twilio.min.js").exists(),
    )


@bp.get("/vendor/twilio.min.js")
@login_required(*AGENT_ROLES)
def voice_sdk() -> Any:
    """The Twilio Voice JavaScript SDK, from npm (`make install` runs `npm ci`)."""
    if not (SDK_DIR / "twilio.min.js").exists():
        return json_error(503, "sdk_missing", "The Voice SDK is not installed: run `make install` (npm ci).")
    return send_from_directory(SDK_DIR, "twilio.min.js", mimetype="text/javascript", max_age=3600)


@bp.get("/api/state")
@agent_view
def state(user: User, agent: Agent) -> Any:
    """Everything the page shows, polled every second or two."""
    return _state_json(user, agent)


def _state_json(user: User, agent: Agent) -> Any:
    from .telephony_health import telephony_status

    view = DeskView(db.session, current_app.extensions["clock"])
    return jsonify(
        mode=_mode(),
        telephony=telephony_status(db.session).as_json(),
        agent=view.agent(agent),
        queues=view.queues(),
        call=view.screen_pop(agent, user.role),
        wrap_up_seconds=int(current_app.config["WRAP_UP_SECONDS"]),
    )


@bp.post("/api/state")
@agent_view
def change_state(user: User, agent: Agent) -> Any:
    """{"state": "available" | "break" | "offline", "reason": "<break reason>"}."""
    body = json_object()
    wanted = str(body.get("state") or "")
    agents = AgentService(db.session, current_app.extensions["clock"])
    try:
        if wanted == AgentState.AVAILABLE:
            if agent.state == AgentState.OFFLINE:
                agents.login(agent)
            else:
                agents.resume(agent)
        elif wanted == AgentState.BREAK:
            agents.pause(agent, str(body.get("reason") or ""))
        elif wanted == AgentState.OFFLINE:
            agents.logoff(agent)
        else:
            return json_error(400, "bad_state", "Choose available, break or offline.")
        db.session.commit()
    except AgentError as exc:
        db.session.rollback()
        return json_error(409, "not_now", str(exc))
    except StaleDataError:  # e.g. the dispatcher offered a call at the same moment
        db.session.rollback()
        return json_error(409, "changed", "Your state just changed (a call may be ringing); look again.")
    if agent.state == AgentState.AVAILABLE:
        kick_dispatch()
        db.session.expire_all()  # a synchronous round may already have offered them a call
    return _state_json(user, agent)


@bp.post("/api/token")
@agent_view
def token(user: User, agent: Agent) -> Any:
    """A Voice access token for the agent's identity (the page renews it before it expires)."""
    config = current_app.config
    ttl = int(config["VOICE_TOKEN_TTL_SECONDS"])
    if _mode() == "sandbox":
        return jsonify(mode="sandbox", identity=agent.identity, ttl=ttl, token=None)
    if not (config["TWILIO_API_KEY_SID"] and config["TWILIO_API_KEY_SECRET"]):
        return json_error(503, "not_configured", "The softphone needs TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET.")
    access = AccessToken(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_API_KEY_SID"],
        config["TWILIO_API_KEY_SECRET"],
        identity=agent.identity,
        ttl=ttl,
    )
    access.add_grant(VoiceGrant(incoming_allow=True, outgoing_application_sid=config["TWILIO_TWIML_APP_SID"] or None))
    return jsonify(mode="twilio", identity=agent.identity, ttl=ttl, token=access.to_jwt())


@bp.post("/api/wrapup")
@agent_view
def wrap_up(user: User, agent: Agent) -> Any:
    """Save the wrap-up form: {"final": true} closes wrap-up, otherwise a draft is kept."""
    body = json_object()
    clock = current_app.extensions["clock"]
    service = WrapUpService(db.session, clock, AgentService(db.session, clock))
    try:
        if body.get("final"):
            ticket = service.submit(agent, body)
            try:
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                return json_error(409, "changed", "Your state just changed; please save again.")
            if agent.state == AgentState.AVAILABLE:
                kick_dispatch()
            return jsonify(saved=True, final=True, ticket_id=ticket.id, outcome=ticket.outcome)
        errors = service.save_draft(agent, body)
    except WrapUpError as exc:
        db.session.rollback()
        return json_error(400, "invalid", "Please correct the marked fields.", fields=exc.errors)
    db.session.commit()
    return jsonify(saved=True, final=False, fields=errors)


# -- sandbox mode: the agent's legs in the local telephony sandbox -------------------------------
def _switch() -> Any:
    return current_app.extensions.get("sandbox") if _mode() == "sandbox" else None


@bp.get("/api/sandbox/calls")
@agent_view
def sandbox_calls(user: User, agent: Agent) -> Any:
    """The sandbox legs ringing at or talking on this agent's softphone."""
    switch = _switch()
    if switch is None:
        return json_error(404, "not_sandbox", "Only in the local sandbox.")
    now = switch.clock.now()
    pop = DeskView(db.session, current_app.extensions["clock"]).screen_pop(agent, user.role)
    hidden = pop is None or pop["caller_hidden"]  # branch 1 (or unknown): no number reaches the page
    legs = [leg.state(now) for leg in switch.device_calls(f"client:{agent.identity}")]
    return jsonify(calls=[_redact(leg) if hidden else leg for leg in legs])


NUMBER_RE = re.compile(r"\+?\d[\d .()-]{6,}\d")


def _redact(value: Any) -> Any:
    """The leg's state with every phone number replaced (the hotline's own number too: harmless)."""
    if isinstance(value, str):
        return NUMBER_RE.sub("(number hidden)", value)
    if isinstance(value, dict):
        return {k: v if k in ("call_sid", "parent_call_sid", "bridged_with") else _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


@bp.post("/api/sandbox/calls/<call_sid>/<action>")
@agent_view
def sandbox_action(user: User, agent: Agent, call_sid: str, action: str) -> Any:
    """answer | reject | hangup a sandbox leg of this agent's softphone (only their own legs)."""
    from sandbox import NotRinging

    switch = _switch()
    if switch is None:
        return json_error(404, "not_sandbox", "Only in the local sandbox.")
    if action not in ("answer", "reject", "hangup"):
        return json_error(400, "bad_action", "Use answer, reject or hangup.")
    leg = switch.get(call_sid[:40])
    if leg is None or leg.to != f"client:{agent.identity}":
        return json_error(404, "not_found", "No such call for your softphone.")
    try:
        {"answer": switch.answer, "reject": switch.reject, "hangup": switch.hang_up}[action](leg.call_sid)
    except NotRinging:
        return json_error(409, "not_ringing", "This call is not ringing any more.")
    return jsonify(leg.state(switch.clock.now()))
