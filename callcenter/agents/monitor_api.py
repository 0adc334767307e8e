"""JSON API: a supervisor monitors an agent's call from the wallboard (conference bridge, issue 13).

POST /api/monitor        {"agent": "<username>", "mode": "listen" | "whisper" | "barge" | "stop"}
POST /api/monitor/token  a Voice access token for the supervisor's browser (Twilio mode; the
                         sandbox's browser legs are at /supervisor/api/sandbox/calls)
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from flask_babel import gettext as _
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from callcenter.accounts.api_auth import current_user, require_role
from callcenter.accounts.roles import WATCHERS
from callcenter.agents.hold import HoldUnavailable
from callcenter.agents.monitor import MonitorService, monitor_identity
from callcenter.agents.service import AgentError, AgentService
from callcenter.common.http import json_error, json_object
from models import db

bp = Blueprint("monitor_api", __name__, url_prefix="/api/monitor")


@bp.post("")
@require_role(*WATCHERS)
def monitor() -> Any:
    """Listen to, whisper to, barge into or stop monitoring an agent's call."""
    if current_app.config.get("DESK_BRIDGE") != "conference":
        return json_error(409, "no_monitor", _("Monitoring needs the conference bridge (DESK_BRIDGE=conference)."))
    body = json_object()
    username, mode = body.get("agent"), body.get("mode")
    if not isinstance(username, str) or not isinstance(mode, str):
        return json_error(400, "bad_request", _('Send {"agent": "<username>", "mode": "listen"}.'))
    clock = current_app.extensions["clock"]
    agent = AgentService(db.session, clock).by_username(username[:64])
    if agent is None:
        return json_error(404, "not_found", _("There is no agent %(name)s.", name=repr(username[:64])))
    user = current_user()
    assert user is not None  # require_role ran
    service = MonitorService(
        db.session, clock, current_app.extensions["conferences"], current_app.extensions["ring_urls"]()
    )
    try:
        now = service.set(user, agent, mode)
        db.session.commit()
    except PermissionError as exc:
        db.session.rollback()
        return json_error(403, "forbidden", str(exc))
    except AgentError as exc:
        db.session.rollback()
        return json_error(409, "not_now", str(exc))
    except HoldUnavailable as exc:
        db.session.rollback()
        return json_error(503, "telephony_unavailable", str(exc))
    return jsonify(agent=agent.username, mode=now, identity=monitor_identity(user))


@bp.post("/token")
@require_role(*WATCHERS)
def token() -> Any:
    """A Voice access token for the supervisor's browser: incoming calls only (monitoring legs)."""
    config = current_app.config
    user = current_user()
    assert user is not None
    ttl = int(config["VOICE_TOKEN_TTL_SECONDS"])
    identity = monitor_identity(user)
    if config["SANDBOX_ENABLED"]:
        return jsonify(mode="sandbox", identity=identity, ttl=ttl, token=None)
    if not (config["TWILIO_API_KEY_SID"] and config["TWILIO_API_KEY_SECRET"]):
        return json_error(503, "not_configured", _("Monitoring needs TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET."))
    access = AccessToken(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_API_KEY_SID"],
        config["TWILIO_API_KEY_SECRET"],
        identity=identity,
        ttl=ttl,
    )
    access.add_grant(VoiceGrant(incoming_allow=True))
    return jsonify(mode="twilio", identity=identity, ttl=ttl, token=access.to_jwt())
