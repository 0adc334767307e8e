"""People over JSON: users and roles (admins), agent profiles with skills, and every agent's state, which
supervisors may force (log a softphone off, end a stuck break). The People page builds on it.

    GET   /api/people/users                        admin: users with roles (never a password or token)
    POST  /api/people/users                        admin: {username, role, password}
    POST  /api/people/users/<username>/password    admin: {password} (a reset; not echoed)
    POST  /api/people/users/<username>/deactivate  admin (and /activate)
    GET   /api/people/agents                       supervisor, admin: profiles, skills, state now
    POST  /api/people/agents                       admin: {username, name, skills, identity?}
    PATCH /api/people/agents/<username>            admin: {name?, skills?}
    POST  /api/people/agents/<username>/deactivate admin (and /activate)
    POST  /api/people/agents/<username>/force      supervisor, admin: {state: offline | available}
    GET   /api/people/sessions                     admin: open page logins (who, since, last seen, address)
    POST  /api/people/sessions/<id>/end            admin: end one (that browser is logged out at its next click)

A field to correct answers 400, an unknown name 404, a rule (exists already, not an agent login, not
yourself, not from this state) 409, each with a message for a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, request, session
from sqlalchemy.orm.exc import StaleDataError

from callcenter.accounts.api_auth import current_user, require_role
from callcenter.accounts.roles import SUPERVISORS
from callcenter.accounts.session_auth import session_store
from callcenter.accounts.sessions import digest
from callcenter.accounts.users import UserService
from callcenter.agents.people import GROUP_SKILLS, SKILL_LABELS, Invalid, NotFound, PeopleError, PeopleService
from callcenter.agents.service import AgentService
from callcenter.common.http import BadInput, Refusal, guarded, iso, json_error
from callcenter.queue.kick import kick_dispatch
from callcenter.rota.service import RotaService
from models import Role, db

bp = Blueprint("people_api", __name__, url_prefix="/api/people")
ADMINS = (Role.ADMIN.value,)


def _service() -> PeopleService:
    clock = current_app.extensions["clock"]
    return PeopleService(
        db.session,
        UserService(db.session, clock),
        AgentService(db.session, clock),
        presence_timeout=int(current_app.config["PRESENCE_TIMEOUT_SECONDS"]),
    )


def _actor() -> str:
    user = current_user()
    assert user is not None  # require_role ran
    return user.username


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadInput("Send a JSON object.")
    return body


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{name} is required.")
    return value


REFUSALS: list[Refusal] = [
    (BadInput, 400, "bad_input", None),
    (NotFound, 404, "not_found", None),
    (Invalid, 400, "bad_input", None),
    (PeopleError, 409, "not_allowed", None),
    # the dispatcher (or the agent) changed the agent at the same moment
    (StaleDataError, 409, "changed", "The agent's state just changed; look again and retry."),
]


def _guarded(work: Callable[[], Any]) -> Any:
    """Run a change and commit; bad input → 400, unknown → 404, a rule → 409."""
    return guarded(db.session, work, REFUSALS)


def _kicking(result: Any) -> Any:
    """After a committed change: a dispatch round (an offer withdrawn, an agent available again)."""
    status = result[1] if isinstance(result, tuple) else result.status_code
    if status < 400:
        kick_dispatch()
    return result


def _agent_json(service: PeopleService, *agents: Any) -> list[dict[str, Any]]:
    clock = current_app.extensions["clock"]
    rota = RotaService(db.session, clock)
    on_duty = rota.on_duty(clock.now())
    return [service.agent_json(a, rota, on_duty) for a in agents]


# -- users (admins) ------------------------------------------------------------------------------
@bp.get("/users")
@require_role(*ADMINS)
def list_users() -> Any:
    service = _service()
    return jsonify(users=[service.user_json(u) for u in service.list_users()], roles=[r.value for r in Role])


@bp.post("/users")
@require_role(*ADMINS)
def create_user() -> Any:
    def work() -> Any:
        body, service = _body(), _service()
        password = body.get("password")
        if not isinstance(password, str):
            raise BadInput("password is required.")
        user = service.create_user(_text(body, "username"), password, str(body.get("role") or ""))
        return jsonify(service.user_json(user)), 201

    return _guarded(work)


@bp.post("/users/<username>/password")
@require_role(*ADMINS)
def reset_password(username: str) -> Any:
    def work() -> Any:
        password = _body().get("password")
        if not isinstance(password, str):
            raise BadInput("password is required.")
        user = _service().reset_password(username, password)
        return jsonify(
            username=user.username,
            message=f"The password of {user.username} is changed; their open page sessions are ended.",
        )

    return _guarded(work)


@bp.post("/users/<username>/<action>")
@require_role(*ADMINS)
def user_active(username: str, action: str) -> Any:
    if action not in ("activate", "deactivate"):
        return json_error(404, "not_found", "Use /activate or /deactivate.")

    def work() -> Any:
        service = _service()
        change = service.set_user_active(username, action == "activate", actor=_actor())
        return jsonify(user=service.user_json(service.user(username)), message=change.message)

    return _kicking(_guarded(work))  # a call ringing for them may be waiting again


# -- agents (supervisors read and force; admins change) -------------------------------------------
@bp.get("/agents")
@require_role(*SUPERVISORS)
def list_agents() -> Any:
    service = _service()
    return jsonify(
        agents=_agent_json(service, *service.list_agents()),
        skills=[{"skill": k, "label": v} for k, v in SKILL_LABELS.items()],
        problem_groups=list(GROUP_SKILLS),
    )


@bp.post("/agents")
@require_role(*ADMINS)
def create_agent() -> Any:
    def work() -> Any:
        body, service = _body(), _service()
        if "skills" not in body:
            raise BadInput('skills are required, e.g. ["branch_2", "accounts", "vi"].')
        identity = body.get("identity")
        agent = service.create_agent(
            _text(body, "username"),
            str(body.get("name") or ""),
            body["skills"],
            identity if isinstance(identity, str) else None,
        )
        return jsonify(_agent_json(service, agent)[0]), 201

    return _guarded(work)


@bp.patch("/agents/<username>")
@require_role(*ADMINS)
def edit_agent(username: str) -> Any:
    def work() -> Any:
        body, service = _body(), _service()
        name = body.get("name")
        agent = service.edit_agent(username, name=None if name is None else str(name), skills=body.get("skills"))
        return jsonify(_agent_json(service, agent)[0])

    return _guarded(work)


@bp.post("/agents/<username>/force")
@require_role(*SUPERVISORS)
def force(username: str) -> Any:
    """{state: "offline"} logs a softphone off (any state); {state: "available"} ends a break."""

    def work() -> Any:
        service = _service()
        change = service.force(username, _text(_body(), "state").strip(), actor=_actor())
        return jsonify(agent=_agent_json(service, service.agent(username))[0], message=change.message)

    return _kicking(_guarded(work))  # an agent available again, or a call they were offered waiting again


@bp.post("/agents/<username>/<action>")
@require_role(*ADMINS)
def agent_active(username: str, action: str) -> Any:
    if action not in ("activate", "deactivate"):
        return json_error(404, "not_found", "Use /activate, /deactivate or /force.")

    def work() -> Any:
        service = _service()
        change = service.set_agent_active(username, action == "activate", actor=_actor())
        return jsonify(agent=_agent_json(service, service.agent(username))[0], message=change.message)

    return _kicking(_guarded(work))


# -- page sessions (admins) ------------------------------------------------------------------------
SESSION_ID = re.compile(r"[0-9a-f]{64}")


@bp.get("/sessions")
@require_role(*ADMINS)
def list_sessions() -> Any:
    """Open page logins, most recently seen first; `current` marks the admin's own."""
    token = session.get("sid")
    mine = digest(token) if isinstance(token, str) and token else None
    return jsonify(
        sessions=[
            {
                "id": row.id,
                "username": user.username,
                "role": user.role,
                "created_at": iso(row.created_at),
                "last_seen_at": iso(row.last_seen_at),
                "address": row.address,
                "user_agent": row.user_agent,
                "current": row.id == mine,
            }
            for row, user in session_store().active()
        ]
    )


@bp.post("/sessions/<session_id>/end")
@require_role(*ADMINS)
def end_session(session_id: str) -> Any:
    """End one page login now (the cookie stops working at its next request)."""

    def work() -> Any:
        row = session_store().end_by_id(session_id) if SESSION_ID.fullmatch(session_id) else None
        if row is None:
            raise NotFound("There is no such session.")
        return jsonify(id=row.id, ended_at=iso(row.ended_at), message="The session is ended.")

    return _guarded(work)
