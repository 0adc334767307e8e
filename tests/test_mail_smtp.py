"""The outbox over SMTP against a real server (aiosmtpd with STARTTLS and AUTH, tests/mail_servers.py):
threading headers, RFC 3834 on the acknowledgement, a 5xx is final, a 4xx or a server that is down is
retried with backoff on the app's clock; the capture when no server is configured; send_due's rules."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest

from callcenter.mail import jobs
from callcenter.mail.capture import capture_of
from callcenter.mail.contact import open_conversation
from callcenter.mail.imap import MailConfigError
from callcenter.mail.outbox import MAX_ATTEMPTS, MailSendError, Outbox
from callcenter.mail.settings import MailSettings
from callcenter.mail.smtp import SmtpTarget, SmtpTransport
from models import CallEvent, EventKind, MailMessage, SendStatus, db

from .conftest import BACKENDS
from .mail_servers import free_port


def queue(app, clock, kind: str = "ack", **extra) -> MailMessage:
    settings = MailSettings.from_config(app.config)
    ticket = open_conversation(
        db.session, sender="dn@example.vn", to_address=None, branch=2, problem_group=None, language="vi", at=clock.now()
    )
    row = Outbox(db.session, settings).queue(
        ticket,
        kind=kind,
        to="dn@example.vn",
        subject=extra.pop("subject", "Re: Hỏi về C/O"),
        body_text="Tổng đài đã nhận thư của Quý doanh nghiệp.",
        at=clock.now(),
        **extra,
    )
    db.session.commit()
    return row


def test_the_url_decides_tls_and_credentials() -> None:
    t = SmtpTarget.parse("smtp://u%40x:p%2Fw@mail.customs.gov.vn")
    assert (t.scheme, t.host, t.port, t.username, t.password) == ("smtp", "mail.customs.gov.vn", 587, "u@x", "p/w")
    assert SmtpTarget.parse("smtps://h").port == 465
    assert SmtpTarget.parse("smtp+insecure://localhost").port == 25
    with pytest.raises(MailConfigError):
        SmtpTarget.parse("http://h")


def test_the_outbox_goes_out_over_starttls_and_auth_with_threading_headers(app, clock, smtp_server) -> None:
    app.config["MAIL_SMTP_URL"] = smtp_server.url()
    with app.app_context():
        ack = queue(app, clock, "ack", in_reply_to="<q1@example.vn>", references=["q0@example.vn", "q1@example.vn"])
        reply = queue(app, clock, "reply", in_reply_to="q1@example.vn")
        report = jobs.send_round()
        assert (report.sent, report.retried, report.failed) == (2, 0, 0)
        assert smtp_server.logins == ["hotline", "hotline"]
        first, second = smtp_server.messages
        assert first["Message-ID"] == f"<{ack.message_id}>"
        assert first["In-Reply-To"] == "<q1@example.vn>"
        assert first["References"] == "<q0@example.vn> <q1@example.vn>"
        assert first["Auto-Submitted"] == "auto-replied"
        assert second["Auto-Submitted"] is None and second["In-Reply-To"] == "<q1@example.vn>"
        assert first["Subject"] == "Re: Hỏi về C/O"
        assert "Tổng đài đã nhận thư" in first.get_content()
        assert smtp_server.envelopes[0].rcpt_tos == ["dn@example.vn"]
        db.session.refresh(reply)
        assert reply.status == SendStatus.SENT and reply.sent_at == clock.now() and reply.attempts == 1


def test_a_5xx_reply_is_final_and_on_the_timeline(app, clock, smtp_server) -> None:
    app.config["MAIL_SMTP_URL"] = smtp_server.url()
    smtp_server.reply = "550 5.1.1 No such user"
    with app.app_context():
        row = queue(app, clock)
        report = jobs.send_round()
        assert (report.sent, report.failed) == (0, 1)
        db.session.refresh(row)
        assert row.status == SendStatus.FAILED and "550" in row.last_error
        event = db.session.query(CallEvent).filter_by(kind=EventKind.MAIL_SEND_FAILED.value).one()
        assert event.data["final"] is True


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_4xx_reply_and_a_server_that_is_down_are_retried_with_backoff(app, clock, smtp_server) -> None:
    down = f"smtp://hotline:x@127.0.0.1:{free_port()}"
    with app.app_context():
        row = queue(app, clock)
        app.config["MAIL_SMTP_URL"] = down
        assert jobs.send_round().retried == 1
        db.session.refresh(row)
        assert row.status == SendStatus.QUEUED and row.next_attempt_at == clock.now() + timedelta(seconds=30)

        clock.advance(29)
        assert jobs.send_round().retried == 0, "not due yet"
        clock.advance(1)
        app.config["MAIL_SMTP_URL"] = smtp_server.url()
        smtp_server.reply = "451 4.3.0 Try again later"
        assert jobs.send_round().retried == 1
        db.session.refresh(row)
        assert row.attempts == 2 and row.next_attempt_at == clock.now() + timedelta(seconds=60)
        assert "451" in row.last_error

        clock.advance(60)
        smtp_server.reply = None
        assert jobs.send_round().sent == 1
        db.session.refresh(row)
        assert row.status == SendStatus.SENT and row.attempts == 3 and row.last_error is None
        assert len(smtp_server.messages) == 1


def test_smtp_without_starttls_is_refused_unless_the_url_says_insecure(app, clock) -> None:
    from aiosmtpd.controller import Controller

    from .mail_servers import SmtpCapture

    plain = SmtpCapture(port=free_port())
    controller = Controller(plain, hostname="127.0.0.1", port=plain.port)
    controller.start()
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@b.vn", "c@d.vn", "x"
        message.set_content("y")
        with pytest.raises(MailSendError, match="STARTTLS") as refused:
            SmtpTransport(f"smtp://127.0.0.1:{plain.port}").send(message)
        assert refused.value.permanent is False
        assert plain.messages == []
        SmtpTransport(f"smtp+insecure://127.0.0.1:{plain.port}").send(message)
        assert len(plain.messages) == 1
    finally:
        controller.stop()


def test_without_an_smtp_server_the_outbox_goes_to_the_capture(app, clock) -> None:
    app.config["MAIL_SMTP_URL"] = ""
    with app.app_context():
        row = queue(app, clock)
        assert jobs.send_round().sent == 1
        captured = capture_of(app).messages()
        assert [m["Message-ID"] for m in captured] == [f"<{row.message_id}>"]


class Flaky:
    def __init__(self, *errors: MailSendError | None) -> None:
        self.errors = list(errors)
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        error = self.errors.pop(0) if self.errors else None
        if error:
            raise error
        self.sent.append(message)


def test_send_due_sends_oldest_first_within_the_limit_and_gives_up_after_max_attempts(app, clock) -> None:
    with app.app_context():
        settings = MailSettings.from_config(app.config)
        rows = []
        for n in range(3):
            rows.append(queue(app, clock, subject=f"thư {n}"))
            clock.advance(1)
        outbox = Outbox(db.session, settings)
        transport = Flaky()
        assert outbox.send_due(transport, clock.now(), limit=2).sent == 2
        assert [m["Subject"] for m in transport.sent] == ["thư 0", "thư 1"]
        assert outbox.send_due(transport, clock.now()).sent == 1

        stubborn = queue(app, clock)
        always = Flaky(*[MailSendError("421 busy")] * MAX_ATTEMPTS)
        for _ in range(MAX_ATTEMPTS):
            outbox.send_due(always, clock.now())
            clock.advance(3600)
        db.session.refresh(stubborn)
        assert stubborn.status == SendStatus.FAILED and stubborn.attempts == MAX_ATTEMPTS
        assert outbox.send_due(always, clock.now()).failed == 0, "a failed mail is never tried again"
