"""The agent's e-mail desk (JSON, the softphone's session + CSRF like every /agent/api route):

- GET  /agent/api/mail: the e-mail on her desk with its thread; when she has none and may take one, the
  oldest she is skilled for is offered first (the lazy blended offer: callcenter/mail/desk.py);
- POST /agent/api/mail/draft     {"ticket_id", "draft"}: autosaved by the page every few seconds;
- POST /agent/api/mail/reply     {"ticket_id", "body", "waiting": bool, "answer_id"?}: the answer to the sender;
  answer_id (optional): the published answer-base entry she used (branch 2 only), recorded once per ticket;
- POST /agent/api/mail/state     {"ticket_id", "state": "waiting" | "escalated" | "closed", "note"?};
- POST /agent/api/mail/reclassify {"ticket_id", "branch": 1}: a denunciation by mail;
- GET  /api/tickets/<id>/mail: an e-mail ticket's thread, for the ticket page (readers of tickets);
- GET  /mail/attachments/<id>: an attachment, as a download, to whoever may read that conversation's text
  (the agent whose desk it is on; readers of tickets by the branch-1 need-to-know rule).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from flask_babel import gettext as _
from sqlalchemy import select

from callcenter.accounts.api_auth import current_user, require_role
from callcenter.accounts.roles import AGENTS, ALL_ROLES, WATCHERS
from callcenter.accounts.session_auth import login_required, session_user
from callcenter.common.http import json_error, json_object
from callcenter.mail.desk import MailDesk, MailDeskError, current_work
from callcenter.mail.settings import MailSettings
from callcenter.mail.thread import may_read_text, thread_json
from callcenter.queue.callbacks import CallbackPolicy
from callcenter.tickets.calls_api import record_view
from models import Agent, MailAttachment, MailMessage, MailState, MailWork, Role, Ticket, User, db

bp = Blueprint("mail_desk", __name__)


def _desk() -> MailDesk:
    config = current_app.config
    return MailDesk(
        db.session,
        current_app.extensions["clock"],
        MailSettings.from_config(config),
        CallbackPolicy.from_config(config),
    )


def mail_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """An agent-only JSON endpoint with her agent profile (404 without one)."""

    @wraps(view)
    def guarded(**kwargs: Any) -> Any:
        user = session_user()
        assert user is not None
        agent = db.session.scalars(select(Agent).where(Agent.username == user.username)).first()
        if agent is None:
            return json_error(
                404, "no_agent_profile", _("%(username)s has no agent profile yet.", username=user.username)
            )
        return view(user, agent, **kwargs)

    return login_required(*AGENTS)(guarded)


def _mail_json(user: User, agent: Agent, work: MailWork | None) -> Any:
    if work is None:
        return jsonify(mail=None)
    ticket = db.session.get(Ticket, work.ticket_id)
    assert ticket is not None
    body = thread_json(db.session, ticket, ticket.call, user.role, on_her_desk=True)
    body.update(draft=work.draft or "", draft_saved_at=work.draft_saved_at.isoformat() if work.draft_saved_at else None)
    record_view(ticket.call, user)
    return jsonify(mail=body)


@bp.get("/agent/api/mail")
@mail_view
def mine(user: User, agent: Agent) -> Any:
    """Her e-mail (offered now when she has none, is available and no caller waits for her)."""
    work = _desk().offer(agent)
    db.session.commit()
    return _mail_json(user, agent, work)


def _act(user: User, agent: Agent, work: Callable[[], object], *, show: bool = True) -> Any:
    try:
        work()
        db.session.commit()
    except MailDeskError as exc:
        db.session.rollback()
        return json_error(exc.status, exc.code, str(exc))
    if not show:
        return jsonify(saved=True)
    return _mail_json(user, agent, current_work(db.session, agent.id))


@bp.post("/agent/api/mail/draft")
@mail_view
def draft(user: User, agent: Agent) -> Any:
    body = json_object()
    return _act(user, agent, lambda: _desk().save_draft(agent, body.get("ticket_id"), body.get("draft")), show=False)


@bp.post("/agent/api/mail/reply")
@mail_view
def reply(user: User, agent: Agent) -> Any:
    body = json_object()
    waiting = body.get("waiting", False)
    if not isinstance(waiting, bool):
        return json_error(400, "bad_input", _('"waiting" is true or false.'))
    used = body.get("answer_id")
    return _act(
        user,
        agent,
        lambda: _desk().reply(agent, body.get("ticket_id"), body.get("body"), waiting=waiting, answer_id=used),
    )


@bp.post("/agent/api/mail/state")
@mail_view
def change_state(user: User, agent: Agent) -> Any:
    body = json_object()
    desk = _desk()
    return _act(user, agent, lambda: desk.set_state(agent, body.get("ticket_id"), body.get("state"), body.get("note")))


@bp.post("/agent/api/mail/reclassify")
@mail_view
def reclassify(user: User, agent: Agent) -> Any:
    body = json_object()
    return _act(user, agent, lambda: _desk().reclassify(agent, body.get("ticket_id"), body.get("branch")))


@bp.get("/api/tickets/<int:ticket_id>/mail")
@require_role(*WATCHERS)
def ticket_thread(ticket_id: int) -> Any:
    """An e-mail ticket's messages in and out (the ticket page shows them); need-to-know as the ticket."""
    user = current_user()
    assert user is not None
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.call.channel != "email":
        return json_error(404, "not_found", _("Ticket %(id)s is not an e-mail ticket.", id=ticket_id))
    body = thread_json(db.session, ticket, ticket.call, user.role)
    record_view(ticket.call, user)
    return jsonify(body)


@bp.get("/mail/attachments/<int:attachment_id>")
@login_required(*ALL_ROLES)
def attachment(attachment_id: int) -> Any:
    """One attachment, always as a download (never shown inline), to whoever may read its conversation."""
    user = session_user()
    assert user is not None
    row = db.session.get(MailAttachment, attachment_id)
    if row is None or row.data is None or row.refused:
        return json_error(404, "not_found", _("There is no such attachment."))
    message = db.session.get(MailMessage, row.message_id)
    ticket = db.session.get(Ticket, message.ticket_id) if message else None
    if ticket is None:
        return json_error(404, "not_found", _("There is no such attachment."))
    if user.role == Role.AGENT.value:
        agent = db.session.scalars(select(Agent).where(Agent.username == user.username)).first()
        work = db.session.get(MailWork, ticket.id)
        on_desk = agent is not None and work is not None and work.agent_id == agent.id
        allowed = on_desk and work is not None and work.state == MailState.ASSIGNED.value
    else:
        allowed = may_read_text(ticket.call.branch, user.role)
    if not allowed:
        return json_error(403, "need_to_know", _("This attachment belongs to a conversation you may not read."))
    record_view(ticket.call, user, attachment=row.id)
    response = Response(row.data, mimetype="application/octet-stream")
    response.headers.set("Content-Disposition", "attachment", filename=row.filename or f"attachment-{row.id}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
