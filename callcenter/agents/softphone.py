"""The agents' softphone: page, state controls, access token, screen pop and wrap-up (JSON).

With Twilio, calls ring in the browser through the Voice JavaScript SDK (`@twilio/voice-sdk` from
npm, served from node_modules); without Twilio, the page drives the local sandbox's legs for the same
identity (`client:<identity>`) through the /agent/api/sandbox endpoints: same states, same events.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request, send_from_directory
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from callcenter.accounts.roles import AGENTS, WATCHERS
from callcenter.accounts.session_auth import login_required, session_user
from callcenter.agents.consult import ConsultService
from callcenter.agents.desk import DeskTimes, DeskView, agents_board
from callcenter.agents.hold import HoldService, HoldUnavailable
from callcenter.agents.presence import PresenceService
from callcenter.agents.service import BREAK_REASONS, AgentError, AgentService
from callcenter.agents.transfer import TransferService
from callcenter.agents.wrapup import AGENT_OUTCOMES, WrapUpError, WrapUpService
from callcenter.common.http import json_error, json_object
from callcenter.queue.kick import kick_dispatch
from callcenter.telephony.health import telephony_status
from callcenter.tickets.calls import CallService
from callcenter.tickets.record import HotlineSettings
from models import Agent, AgentState, User, db

bp = Blueprint(
    "softphone",
    __name__,
    url_prefix="/agent",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
SDK_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "@twilio" / "voice-sdk" / "dist"


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

    return login_required(*AGENTS)(guarded)


def no_profile_message(username: str) -> str:
    """What a login with role agent but no agent profile is told (the page and the JSON say the same)."""
    return _(
        "%(username)s has no agent profile yet: an admin creates it with "
        '`flask --app app agents create %(username)s --name "FULL NAME" --skills …` or on the People page.',
        username=username,
    )


def _mode() -> str:
    return "sandbox" if current_app.config["SANDBOX_ENABLED"] else "twilio"


@bp.get("/")
@login_required(*AGENTS)
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
@login_required(*AGENTS, *WATCHERS)
def voice_sdk() -> Any:
    """The Twilio Voice JavaScript SDK, from npm (`make install` runs `npm ci`): the agents' softphone,
    and the supervisors' browser on the wallboard (monitoring)."""
    if not (SDK_DIR / "twilio.min.js").exists():
        return json_error(503, "sdk_missing", _("The Voice SDK is not installed: run `make install` (npm ci)."))
    return send_from_directory(SDK_DIR, "twilio.min.js", mimetype="text/javascript", max_age=3600)


@bp.get("/api/state")
@agent_view
def state(user: User, agent: Agent) -> Any:
    """Everything the page shows, polled every second or two."""
    return _state_json(user, agent)


def _state_json(user: User, agent: Agent) -> Any:
    view = DeskView(db.session, current_app.extensions["clock"], DeskTimes.from_config(current_app.config))
    return jsonify(
        mode=_mode(),
        telephony=telephony_status(db.session).as_json(),
        agent=view.agent(agent),
        queues=view.queues(),
        call=view.screen_pop(agent, user.role),
        wrap_up_seconds=int(current_app.config["WRAP_UP_SECONDS"]),
        bridge=current_app.config.get("DESK_BRIDGE", "client"),
        colleagues=_colleagues(agent),
    )


def _colleagues(agent: Agent) -> list[dict[str, Any]]:
    """On a call on the conference bridge: the colleagues she could consult, with their state."""
    if agent.state != AgentState.ON_CALL or current_app.config.get("DESK_BRIDGE") != "conference":
        return []
    board = agents_board(db.session, current_app.extensions["clock"])
    return [
        {"username": a["username"], "name": a["name"], "state": a["state"]}
        for a in board
        if a["username"] != agent.username
    ]


@bp.post("/api/hold")
@agent_view
def hold(user: User, agent: Agent) -> Any:
    """{"hold": true | false}: the caller hears music (and is not heard) or is back (conference bridge)."""
    if current_app.config.get("DESK_BRIDGE") != "conference":
        return json_error(409, "no_hold", _("Hold needs the conference bridge (DESK_BRIDGE=conference)."))
    wanted = json_object().get("hold")
    if not isinstance(wanted, bool):
        return json_error(400, "bad_hold", _('Send {"hold": true} or {"hold": false}.'))
    service = HoldService(
        db.session,
        current_app.extensions["clock"],
        current_app.extensions["conferences"],
        current_app.config["HOLD_MUSIC_URL"],
    )
    return _desk_action(user, agent, lambda: service.set(agent, wanted))


def _desk_action(user: User, agent: Agent, work: Callable[[], object], *, keep_when_unavailable: bool = False) -> Any:
    """Run one of the desk's call actions: 409 with the reason when it cannot be done now, 503 when
    the telephony engine did not answer (`keep_when_unavailable`: what did happen stays on record)."""
    try:
        work()
        db.session.commit()
    except AgentError as exc:
        db.session.rollback()
        return json_error(409, "not_now", str(exc))
    except HoldUnavailable as exc:
        if keep_when_unavailable:
            db.session.commit()
        else:
            db.session.rollback()
        return json_error(503, "telephony_unavailable", str(exc))
    db.session.expire_all()
    return _state_json(user, agent)


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
            return json_error(400, "bad_state", _("Choose available, break or offline."))
        db.session.commit()
    except AgentError as exc:
        db.session.rollback()
        return json_error(409, "not_now", str(exc))
    except StaleDataError:  # e.g. the dispatcher offered a call at the same moment
        db.session.rollback()
        return json_error(409, "changed", _("Your state just changed (a call may be ringing); look again."))
    if agent.state == AgentState.AVAILABLE:
        kick_dispatch()
        db.session.expire_all()  # a synchronous round may already have offered them a call
    return _state_json(user, agent)


@bp.post("/api/transfer")
@agent_view
def transfer(user: User, agent: Agent) -> Any:
    """{"to": "queue"}: hand the caller back to their branch's queue, keeping their place."""
    if current_app.config.get("DESK_BRIDGE") != "conference":
        return json_error(409, "no_transfer", _("Transfers need the conference bridge (DESK_BRIDGE=conference)."))
    body = json_object()
    colleague = body.get("agent")
    if body.get("to") == "agent" and isinstance(colleague, str):
        return _cold_transfer(user, agent, colleague)
    if body.get("to") != "queue":
        return json_error(400, "bad_target", _('Send {"to": "queue"} or {"to": "agent", "agent": "<username>"}.'))
    clock = current_app.extensions["clock"]
    calls = CallService(db.session, clock, HotlineSettings.from_config(current_app.config))
    service = TransferService(calls, current_app.extensions["conferences"], current_app.extensions["ring_urls"]())
    try:
        service.to_queue(agent)
        calls.commit()
    except AgentError as exc:
        calls.rollback()
        return json_error(409, "not_now", str(exc))
    except HoldUnavailable as exc:
        calls.rollback()
        return json_error(503, "telephony_unavailable", str(exc))
    kick_dispatch()
    db.session.expire_all()
    return _state_json(user, agent)


@bp.post("/api/presence")
@agent_view
def presence(user: User, agent: Agent) -> Any:
    """The softphone page's presence report, every few seconds: {"ready": true|false} (its Voice SDK
    device registered). When the tab closes the page sends {"gone": 1} with navigator.sendBeacon, which
    cannot set headers: the beacon is a form (`csrf_token`, `gone`), and login_required accepts the
    CSRF token as the form field `csrf_token` as it does for every form (a same-origin POST with the
    SameSite=Lax session cookie; another site can neither read the token nor send the cookie)."""
    body: Any = (request.get_json(silent=True) if request.is_json else None) or request.form
    body = body if hasattr(body, "get") else {}
    timeout = int(current_app.config["PRESENCE_TIMEOUT_SECONDS"])
    presence = PresenceService(db.session, current_app.extensions["clock"], timeout_seconds=timeout)
    status, back = presence.report(agent, ready=_flag(body.get("ready")), gone=_flag(body.get("gone")))
    db.session.commit()
    if back and agent.state == AgentState.AVAILABLE:
        kick_dispatch()  # her softphone is back (or just registered): a caller may be waiting for her
    return jsonify(softphone=status)


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def _cold_transfer(user: User, agent: Agent, colleague: str) -> Any:
    """Hand the caller to a colleague on duty at once (they hear music until she answers)."""
    service = _consult_service()
    return _desk_action(user, agent, lambda: service.cold_transfer(agent, colleague), keep_when_unavailable=True)


def _consult_service() -> ConsultService:
    clock, config = current_app.extensions["clock"], current_app.config
    conferences = current_app.extensions["conferences"]
    hold = HoldService(db.session, clock, conferences, config["HOLD_MUSIC_URL"])
    return ConsultService(
        db.session, hold, conferences, current_app.extensions["central_support"], current_app.extensions["ring_urls"]()
    )


@bp.post("/api/consult")
@agent_view
def consult(user: User, agent: Agent) -> Any:
    """Central support: {"action": "start", "group"?} holds the caller and calls them; "join" (three-way),
    "handover" (she leaves, the caller stays with them), "cancel" (their leg goes, the caller is back)."""
    if current_app.config.get("DESK_BRIDGE") != "conference":
        return json_error(409, "no_transfer", _("Transfers need the conference bridge (DESK_BRIDGE=conference)."))
    body = json_object()
    action, group, colleague = body.get("action"), body.get("group"), body.get("colleague")
    texts = all(value is None or isinstance(value, str) for value in (group, colleague))
    if action not in ("start", "join", "handover", "cancel") or not texts:
        return json_error(400, "bad_action", _('Send {"action": "start" | "join" | "handover" | "cancel"}.'))
    service = _consult_service()
    work = {
        "start": lambda: service.start(agent, group, colleague),
        "join": lambda: service.join(agent),
        "handover": lambda: service.hand_over(agent),
        "cancel": lambda: service.cancel(agent),
    }[action]
    return _desk_action(user, agent, work, keep_when_unavailable=True)


@bp.post("/api/token")
@agent_view
def token(user: User, agent: Agent) -> Any:
    """A Voice access token for the agent's identity (the page renews it before it expires)."""
    config = current_app.config
    ttl = int(config["VOICE_TOKEN_TTL_SECONDS"])
    if _mode() == "sandbox":
        return jsonify(mode="sandbox", identity=agent.identity, ttl=ttl, token=None)
    if not (config["TWILIO_API_KEY_SID"] and config["TWILIO_API_KEY_SECRET"]):
        return json_error(503, "not_configured", _("The softphone needs TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET."))
    access = AccessToken(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_API_KEY_SID"],
        config["TWILIO_API_KEY_SECRET"],
        identity=agent.identity,
        ttl=ttl,
    )
    access.add_grant(VoiceGrant(incoming_allow=True, outgoing_application_sid=config["TWILIO_TWIML_APP_SID"] or None))
    return jsonify(mode="twilio", identity=agent.identity, ttl=ttl, token=access.to_jwt())


@bp.post("/api/wrapup/extend")
@agent_view
def wrap_up_extend(user: User, agent: Agent) -> Any:
    """ "More time": the wrap-up lasts WRAP_UP_EXTEND_SECONDS longer, once per wrap-up (on record)."""
    seconds = int(current_app.config["WRAP_UP_EXTEND_SECONDS"])
    if seconds <= 0:
        return json_error(409, "not_now", _("More wrap-up time is not allowed here."))
    try:
        AgentService(db.session, current_app.extensions["clock"]).extend_wrap_up(agent, seconds)
        db.session.commit()
    except AgentError as exc:
        db.session.rollback()
        return json_error(409, "not_now", str(exc))
    except StaleDataError:  # the wrap-up just timed out
        db.session.rollback()
        return json_error(409, "changed", _("Your wrap-up just ended; look again."))
    return _state_json(user, agent)


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
                return json_error(409, "changed", _("Your state just changed; please save again."))
            if agent.state == AgentState.AVAILABLE:
                kick_dispatch()
            return jsonify(saved=True, final=True, ticket_id=ticket.id, outcome=ticket.outcome)
        errors = service.save_draft(agent, body)
    except WrapUpError as exc:
        db.session.rollback()
        return json_error(400, "invalid", _("Please correct the marked fields."), fields=exc.errors)
    db.session.commit()
    return jsonify(saved=True, final=False, fields=errors)
