"""The agent's softphone in sandbox mode: the legs ringing at or talking on the agent's browser
(`client:<identity>`), answered, rejected and hung up through the same session as the softphone."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify

from callcenter.accounts.roles import WATCHERS
from callcenter.accounts.session_auth import login_required, session_user
from callcenter.agents.desk import DeskView
from callcenter.agents.monitor import monitor_identity
from callcenter.agents.softphone import agent_view
from callcenter.common.http import json_error
from models import Agent, User, db
from sandbox.engine import NotRinging

bp = Blueprint("sandbox_desk", __name__, url_prefix="/agent/api/sandbox")
monitor_bp = Blueprint("sandbox_monitor", __name__, url_prefix="/supervisor/api/sandbox")


def _switch() -> Any:
    return current_app.extensions.get("sandbox") if current_app.config["SANDBOX_ENABLED"] else None


@bp.get("/calls")
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


@bp.post("/calls/<call_sid>/<action>")
@agent_view
def sandbox_action(user: User, agent: Agent, call_sid: str, action: str) -> Any:
    """answer | reject | hangup a sandbox leg of this agent's softphone (only their own legs)."""
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


# -- a supervisor's browser in sandbox mode: the monitoring legs (callcenter/agents/monitor.py) --------
@monitor_bp.get("/calls")
@login_required(*WATCHERS)
def monitor_calls() -> Any:
    """The sandbox legs ringing at or talking on this supervisor's browser (numbers hidden)."""
    switch, user = _switch(), session_user()
    if switch is None or user is None:
        return json_error(404, "not_sandbox", "Only in the local sandbox.")
    now = switch.clock.now()
    return jsonify(calls=[_redact(leg.state(now)) for leg in switch.device_calls(f"client:{monitor_identity(user)}")])


@monitor_bp.post("/calls/<call_sid>/<action>")
@login_required(*WATCHERS)
def monitor_action(call_sid: str, action: str) -> Any:
    """answer | hangup one of this supervisor's monitoring legs."""
    switch, user = _switch(), session_user()
    if switch is None or user is None:
        return json_error(404, "not_sandbox", "Only in the local sandbox.")
    if action not in ("answer", "hangup"):
        return json_error(400, "bad_action", "Use answer or hangup.")
    leg = switch.get(call_sid[:40])
    if leg is None or leg.to != f"client:{monitor_identity(user)}":
        return json_error(404, "not_found", "No such call for your browser.")
    try:
        {"answer": switch.answer, "hangup": switch.hang_up}[action](leg.call_sid)
    except NotRinging:
        return json_error(409, "not_ringing", "This call is not ringing any more.")
    return jsonify(_redact(leg.state(switch.clock.now())))
