"""Issue 15 "done when", against the real servers: a mail to the OLD support address in the IMAP mailbox
(dovecot) → `flask mail fetch` → a ticket; `flask mail send` → the acknowledgement with the reference arrives
at the SMTP server (aiosmtpd); the sender's reply to it → the same ticket; an agent between two calls is
offered it on her desk and answers; `mail send` delivers the answer threaded to the sender; the
supervisor's e-mail report counts it received and answered."""

from __future__ import annotations

import base64
import email.utils

import pytest

from callcenter.accounts.users import UserService
from callcenter.common.clock import LOCAL_TZ
from models import Call, Direction, MailMessage, Ticket, db

from .conftest import BACKENDS
from .mail_desk_support import Desk, agent_user

NEW, OLD = "bophanhotro@customs.gov.vn", "hotro.old@customs.gov.vn"


def first_mail() -> bytes:
    return (
        "From: =?utf-8?b?Q8O0bmcgdHkgVGjDoG5oIMSQ4bqhdA==?= <xnk@thanhdat.vn>\r\n"
        f"To: {OLD}\r\n"
        "Subject: =?utf-8?q?H=E1=BB=8Fi_v=E1=BB=81_t=E1=BB=9D_khai_h=E1=BA=A3i_quan?=\r\n"
        "Message-ID: <first-1@thanhdat.vn>\r\n"
        "Date: Sun, 22 Nov 2026 08:55:00 +0700\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Kính gửi Tổng đài, tờ khai số 305123456789 của chúng tôi bị lỗi. MST 0101234567.\r\n"
    ).encode()


def reply_to(ack: email.message.EmailMessage) -> bytes:
    return (
        "From: xnk@thanhdat.vn\r\n"
        f"To: {NEW}\r\n"
        f"Subject: Re: {ack['Subject']}\r\n"
        "Message-ID: <reply-2@thanhdat.vn>\r\n"
        f"In-Reply-To: {ack['Message-ID']}\r\n"
        f"References: <first-1@thanhdat.vn> {ack['Message-ID']}\r\n"
        f"Date: {email.utils.format_datetime(email.utils.localtime())}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Chúng tôi gửi thêm ảnh chụp màn hình.\r\n"
    ).encode()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_mail_to_the_old_address_becomes_a_ticket_is_acknowledged_and_the_reply_joins_it(
    app, clock, dovecot, smtp_server
) -> None:
    app.config.update(
        MAIL_IMAP_URL=dovecot.url(), MAIL_SMTP_URL=smtp_server.url(), MAIL_ADDRESSES=[NEW, OLD], MAIL_FROM=NEW
    )
    runner = app.test_cli_runner()
    dovecot.append(first_mail())

    fetched = runner.invoke(args=["mail", "fetch"])
    assert fetched.exit_code == 0, fetched.output
    assert fetched.output.startswith("1 new,"), fetched.output
    with app.app_context():
        ticket = db.session.query(Ticket).one()
        call = db.session.get(Call, ticket.call_id)
        assert call.channel == "email" and call.from_raw == "xnk@thanhdat.vn"
        ticket_id = ticket.id

    sent = runner.invoke(args=["mail", "send"])
    assert sent.output.startswith("1 sent"), sent.output
    [ack] = smtp_server.messages
    assert f"#{ticket_id}]" in ack["Subject"]
    assert ack["To"] == "xnk@thanhdat.vn" and NEW in ack["From"]
    assert ack["In-Reply-To"] == "<first-1@thanhdat.vn>"
    assert ack["Auto-Submitted"] == "auto-replied"
    assert f"#{ticket_id}" in ack.get_content()

    dovecot.append(reply_to(ack))
    clock.advance(600)
    fetched = runner.invoke(args=["mail", "fetch"])
    assert fetched.exit_code == 0, fetched.output
    assert fetched.output.startswith("0 new, 1 added to a ticket"), fetched.output
    with app.app_context():
        assert db.session.query(Ticket).count() == 1
        inbound = db.session.query(MailMessage).filter_by(direction=Direction.IN.value).all()
        assert {m.ticket_id for m in inbound} == {ticket_id} and len(inbound) == 2

    again = runner.invoke(args=["mail", "send"])
    assert again.output.startswith("0 sent"), "a reply on an acknowledged ticket gets no second ack"
    assert len(smtp_server.messages) == 1

    # An agent between two calls (available, nobody waiting for her) is offered it and answers.
    agent_user(app, clock, "lan", ["branch_2", "other", "accounts", "incidents", "single_window", "vi"])
    lan = Desk(app, "lan")
    offered = lan.mail()
    assert offered["ticket_id"] == ticket_id
    answer = "Kính gửi Quý công ty, tờ khai đã được xử lý."
    replied = lan.post("mail/reply", {"body": answer, "ticket_id": ticket_id})
    assert replied.status_code == 200, replied.get_data(as_text=True)
    clock.advance(60)
    delivered = runner.invoke(args=["mail", "send"])
    assert delivered.output.startswith("1 sent"), delivered.output
    answered = smtp_server.messages[-1]
    assert answered["To"] == "xnk@thanhdat.vn" and f"#{ticket_id}]" in answered["Subject"]
    assert answered["In-Reply-To"] == "<reply-2@thanhdat.vn>" and "<first-1@thanhdat.vn>" in answered["References"]
    assert "Auto-Submitted" not in answered and answer in answered.get_content()

    # The supervisor's e-mail report counts it.
    with app.app_context():
        UserService(db.session, clock).create("sup", "correct-horse-battery", "supervisor")
        db.session.commit()
    day = clock.now().astimezone(LOCAL_TZ).date()
    supervisor = app.test_client()
    basic = {"Authorization": "Basic " + base64.b64encode(b"sup:correct-horse-battery").decode()}
    report = supervisor.get(f"/api/reports/email?from={day.isoformat()}&to={day.isoformat()}", headers=basic)
    assert report.status_code == 200, report.get_data(as_text=True)
    total = report.get_json()["total"]
    assert (total["received"], total["replies_received"], total["answered"]) == (1, 1, 1), total
