"""Test data for the e-mail desk: conversations built the way intake builds them (open_conversation and an
inbound MailMessage), agents logged in on overtime, and the softphone session's JSON calls."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from callcenter.mail.contact import open_conversation
from models import Call, MailAttachment, MailMessage, db

from .test_softphone import PASSWORD, log_in, page_csrf

ALL = ["branch_1", "branch_2", "accounts", "incidents", "single_window", "other", "vi", "en"]


def new_mail(
    app: Flask,
    clock: Any,
    *,
    sender: str = "ketoan@congty.vn",
    subject: str = "Không đăng nhập được VNACCS",
    body: str = "Kính gửi bộ phận hỗ trợ, chúng tôi không đăng nhập được.",
    branch: int = 2,
    group: str | None = "accounts",
    html: str | None = None,
    attachment: bytes | None = None,
) -> int:
    """A new e-mail ticket in the backlog (waiting since now); returns the ticket id."""
    with app.app_context():
        now = clock.now()
        ticket = open_conversation(
            db.session,
            sender=sender,
            to_address="bophanhotro@customs.gov.vn",
            branch=branch,
            problem_group=group,
            language="vi",
            at=now,
        )
        message_id = f"{secrets.token_hex(6)}@congty.vn"
        message = MailMessage(
            ticket_id=ticket.id,
            direction="in",
            message_id=message_id,
            message_key=hashlib.sha256(message_id.encode()).hexdigest(),
            references="<older@congty.vn>",
            party=sender,
            subject=subject,
            body_text=body if html is None else None,
            body_html=html,
            size_bytes=len(body),
            at=now,
            mailbox_address="bophanhotro@customs.gov.vn",
        )
        if attachment is not None:
            message.attachments.append(
                MailAttachment(
                    filename="to-khai.pdf",
                    content_type="application/pdf",
                    size_bytes=len(attachment),
                    sha256=hashlib.sha256(attachment).hexdigest(),
                    data=attachment,
                )
            )
        db.session.add(message)
        db.session.commit()
        return ticket.id


def caller_in_queue(app: Flask, clock: Any, branch: int = 2, group: str | None = "accounts") -> str:
    """A caller Twilio holds in a queue, not offered to anyone (what dispatch would offer next)."""
    sid = "CA" + secrets.token_hex(16)
    with app.app_context():
        db.session.add(
            Call(
                call_sid=sid,
                started_at=clock.now(),
                stage="queued",
                branch=branch,
                problem_group=group,
                language="vi",
                queue_entered_at=clock.now(),
                queue_sid="QU" + "b2" * 16,
                caller_kind="number",
                dialled_known=True,
                menu_attempts=0,
            )
        )
        db.session.commit()
    return sid


def agent_user(app: Flask, clock: Any, name: str, skills: list[str] | None = None, *, login: bool = True) -> int:
    with app.app_context():
        UserService(db.session, clock).create(name, PASSWORD, "agent")
        service = AgentService(db.session, clock)
        agent = service.create(name, name.title(), skills or ALL)
        agent.overtime_until = clock.now() + timedelta(hours=8)
        if login:
            service.login(agent)
        db.session.commit()
        return agent.id


class Desk:
    """An agent's softphone session (login, CSRF) for the e-mail API."""

    def __init__(self, app: Flask, name: str) -> None:
        self.client: FlaskClient = app.test_client()
        log_in(self.client, name)
        self.csrf = page_csrf(self.client)

    def mail(self) -> dict[str, Any] | None:
        response = self.client.get("/agent/api/mail")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["mail"]

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(f"/agent/api/{path}", json=body, headers={"X-CSRF-Token": self.csrf})
