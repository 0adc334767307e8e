"""The e-mail channel on the production path (issue 15): PostgreSQL, HOTLINE_ENV=production, gunicorn and the
scheduler as processes, a real IMAP server (dovecot) and a real SMTP server (aiosmtpd). The operator sets
MAIL_IMAP_URL / MAIL_SMTP_URL / MAIL_ADDRESSES / MAIL_FROM as the README says; the scheduler's jobs take the
mail in (IMAP IDLE or polling) and send the acknowledgement; an agent answers from the desk and the
scheduler delivers the answer; the SMTP server is down for a while and nothing is lost."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
import requests

from .mail_servers import Dovecot, SmtpCapture, dovecot, mail_cert, smtp_server  # noqa: F401 - fixtures
from .test_production import (  # noqa: F401 - database is a fixture
    BIN,
    PASSWORD,
    database,
    running_desk,
    wait_until,
)

pytestmark = pytest.mark.production
NEW, OLD = "bophanhotro@customs.gov.vn", "hotro.old@customs.gov.vn"


def first_mail() -> bytes:
    return (
        "From: Công ty Thành Đạt <xnk@thanhdat.vn>\r\n"
        f"To: {OLD}\r\n"
        "Subject: =?utf-8?q?Kh=C3=B4ng_=C4=91=C4=83ng_nh=E1=BA=ADp_=C4=91=C6=B0=E1=BB=A3c?=\r\n"
        "Message-ID: <prod-1@thanhdat.vn>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Chúng tôi không đăng nhập được hệ thống VNACCS. MST 0101234567.\r\n"
    ).encode()


def test_mail_in_production_with_the_scheduler(
    database: str,  # noqa: F811
    tmp_path: Path,
    dovecot: Dovecot,  # noqa: F811
    smtp_server: SmtpCapture,  # noqa: F811
) -> None:
    with running_desk(database, tmp_path) as desk:
        desk.env.update(
            MAIL_IMAP_URL=dovecot.url(),
            MAIL_SMTP_URL=smtp_server.url(),
            MAIL_ADDRESSES=f"{NEW},{OLD}",
            MAIL_FROM=NEW,
            MAIL_FETCH_SECONDS="2",
            SSL_CERT_FILE=os.environ["SSL_CERT_FILE"],  # the test servers' certificate (tests/mail_servers.py)
        )
        desk.flask("db", "upgrade")
        desk.flask("users", "create", "sup", "--role", "supervisor", "--password", PASSWORD)
        desk.flask("users", "create", "lan", "--role", "agent", "--password", PASSWORD)
        desk.flask("agents", "create", "lan", "--name", "Nguyễn Thị Lan", "--skills", "branch_2,accounts,other,vi")
        desk.flask("rota", "overtime", "lan", "--hours", "4")
        desk.start_web()
        desk.start("scheduler", [str(BIN / "flask"), "--app", "app", "scheduler", "run"])
        supervisor = {"Authorization": "Basic " + base64.b64encode(f"sup:{PASSWORD}".encode()).decode()}

        # A business writes to the old address: the scheduler takes it in and acknowledges it.
        dovecot.append(first_mail())

        def email_tickets() -> list[dict]:
            reply = requests.get(desk.web + "/api/tickets?channel=email", headers=supervisor, timeout=5)
            assert reply.status_code == 200, reply.text
            return reply.json()["tickets"]

        tickets = wait_until(email_tickets, "the scheduler's IMAP round to make a ticket", seconds=60)
        ticket_id = tickets[0]["id"]
        wait_until(lambda: smtp_server.messages, "the acknowledgement at the SMTP server", seconds=60)
        ack = smtp_server.messages[0]
        assert f"#{ticket_id}]" in ack["Subject"] and ack["Auto-Submitted"] == "auto-replied"

        # The SMTP server refuses for a while (421); the agent answers; nothing is lost: the answer waits in
        # the outbox and is retried with backoff.
        smtp_server.reply = "421 4.3.2 Service not available, try later"
        cookie, csrf = desk.log_in("lan")
        headers = {**cookie, "X-CSRF-Token": csrf}
        state = requests.post(desk.web + "/agent/api/state", json={"state": "available"}, headers=headers, timeout=5)
        assert state.status_code == 200, state.text
        offered = requests.get(desk.web + "/agent/api/mail", headers=cookie, timeout=5).json()["mail"]
        assert offered and offered["ticket_id"] == ticket_id
        replied = requests.post(
            desk.web + "/agent/api/mail/reply",
            json={"ticket_id": ticket_id, "body": "Kính gửi Quý công ty, tài khoản đã được mở khóa."},
            headers=headers,
            timeout=5,
        )
        assert replied.status_code == 200, replied.text

        failing = "the send job to meet the refusal"
        wait_until(lambda: "MAIL_SEND_FAILED" in _kinds(desk, ticket_id, supervisor), failing, seconds=60)
        # The server is back: the scheduler's send job delivers the answer on a later attempt.
        smtp_server.reply = None
        wait_until(lambda: len(smtp_server.messages) >= 2, "the answer delivered after the outage", seconds=120)
        answer = smtp_server.messages[-1]
        assert answer["In-Reply-To"] == "<prod-1@thanhdat.vn>" and "mở khóa" in answer.get_content()


def _kinds(desk, ticket_id: int, supervisor: dict[str, str]) -> list[str]:
    """The ticket's timeline, as the supervisor's API gives it (the codes)."""
    reply = requests.get(f"{desk.web}/api/tickets/{ticket_id}", headers=supervisor, timeout=5).json()
    return [e["kind"] for e in reply.get("events", [])]
