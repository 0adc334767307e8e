"""`flask mail fetch` / `flask mail send` and the scheduler's mail jobs (only where a server is configured,
under the leader lease)."""

from __future__ import annotations

import sys

import pytest

from callcenter.mail import jobs as mail_jobs
from callcenter.mail.capture import capture_of
from callcenter.mail.contact import open_conversation
from callcenter.mail.outbox import Outbox
from callcenter.mail.settings import MailSettings
from callcenter.ops import jobs
from callcenter.ops.leader import LeaderLease
from callcenter.ops.scheduler import build
from models import MailCursor, SendStatus, db

from .mail_servers import free_port
from .mail_standin import StandInIntake, mail


@pytest.fixture
def stand_in(app, clock, monkeypatch) -> StandInIntake:
    """The intake replaced by the tests' stand-in (the real one is INTAKE's)."""
    intake = StandInIntake(clock)
    monkeypatch.setattr(mail_jobs, "intake_ingest", lambda settings=None: intake.ingest)
    return intake


def test_mail_fetch_runs_one_round_and_says_what_it_took(app, clock, dovecot, stand_in) -> None:
    app.config.update(MAIL_IMAP_URL=dovecot.url(), MAIL_MAX_MESSAGE_BYTES=2000)
    dovecot.append(mail(1))
    dovecot.append(mail(2, body="x" * 3000))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "fetch"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 new, 0 added to a ticket, 0 duplicate, 1 flagged"
    with app.app_context():
        db.session.query(MailCursor).update({"last_uid": 0})
        db.session.commit()
    result = runner.invoke(args=["mail", "fetch"])
    assert result.output.strip() == "0 new, 0 added to a ticket, 2 duplicate, 0 flagged"


def test_mail_fetch_says_why_it_cannot_run(app, monkeypatch, stand_in) -> None:
    runner = app.test_cli_runner()
    app.config["MAIL_IMAP_URL"] = ""
    result = runner.invoke(args=["mail", "fetch"])
    assert result.exit_code == 1 and "MAIL_IMAP_URL is not set" in result.output

    app.config["MAIL_IMAP_URL"] = f"imap://hotline:x@127.0.0.1:{free_port()}/INBOX"
    result = runner.invoke(args=["mail", "fetch"])
    assert result.exit_code == 1 and "could not read the mailbox" in result.output

    app.config["MAIL_IMAP_URL"] = "pop3://nowhere"
    result = runner.invoke(args=["mail", "fetch"])
    assert result.exit_code == 1 and "imaps://user:password@host/INBOX" in result.output


def test_mail_fetch_without_the_intake_says_so(app, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, mail_jobs.INTAKE_MODULE, None)  # as if intake.py were not there
    app.config["MAIL_IMAP_URL"] = "imap://hotline:x@127.0.0.1/INBOX"
    result = app.test_cli_runner().invoke(args=["mail", "fetch"])
    assert result.exit_code == 1
    assert "mail intake is not installed yet" in result.output


def test_mail_fetch_exits_1_when_the_round_stopped(app, clock, dovecot, stand_in) -> None:
    app.config["MAIL_IMAP_URL"] = dovecot.url()
    dovecot.append(mail(1, subject="boom"))
    stand_in.fail_on.add("boom")
    result = app.test_cli_runner().invoke(args=["mail", "fetch"])
    assert result.exit_code == 1
    assert "stopped: UID 1: RuntimeError: the intake broke" in result.output


def test_mail_send_delivers_the_due_outbox(app, clock, smtp_server) -> None:
    with app.app_context():
        ticket = open_conversation(
            db.session,
            sender="dn@example.vn",
            to_address=None,
            branch=2,
            problem_group=None,
            language="vi",
            at=clock.now(),
        )
        row = Outbox(db.session, MailSettings.from_config(app.config)).queue(
            ticket, kind="ack", to="dn@example.vn", subject="Đã nhận", body_text="Cảm ơn.", at=clock.now()
        )
        db.session.commit()
        row_id = row.id
    runner = app.test_cli_runner()
    app.config["MAIL_SMTP_URL"] = ""
    result = runner.invoke(args=["mail", "send"])
    assert (
        result.output.strip()
        == "1 sent, 0 to retry later, 0 failed (via the in-memory capture (MAIL_SMTP_URL is not set))"
    )
    assert len(capture_of(app).messages()) == 1

    with app.app_context():
        db.session.get(type(row), row_id).status = SendStatus.QUEUED.value
        db.session.commit()
    app.config["MAIL_SMTP_URL"] = smtp_server.url()
    result = runner.invoke(args=["mail", "send"])
    assert result.output.strip() == "1 sent, 0 to retry later, 0 failed (via SMTP)"
    assert smtp_server.messages[0]["Subject"] == "Đã nhận"


def test_the_scheduler_has_mail_jobs_only_where_a_server_is_configured(app) -> None:
    assert {job.id for job in build(app).get_jobs()} == {spec.id for spec in jobs.JOBS}
    app.config.update(MAIL_IMAP_URL="imap://u:p@127.0.0.1/INBOX", MAIL_FETCH_SECONDS=45)
    intervals = {job.id: job.trigger.interval.total_seconds() for job in build(app).get_jobs()}
    assert intervals["mail_fetch"] == 45 and "mail_send" not in intervals
    app.config["MAIL_SMTP_URL"] = "smtp://u:p@127.0.0.1"
    intervals = {job.id: job.trigger.interval.total_seconds() for job in build(app).get_jobs()}
    assert intervals["mail_send"] == 15


def test_the_mail_jobs_run_as_leader_and_do_nothing_once_unconfigured(app, clock, dovecot, stand_in) -> None:
    app.config.update(MAIL_IMAP_URL=dovecot.url(), MAIL_FETCH_SECONDS=1)
    build(app)
    dovecot.append(mail(1))
    report = jobs.mail_fetch()
    assert report.new == 1 and report.error is None
    assert len(stand_in.seen) == 1

    app.config.update(MAIL_IMAP_URL="", MAIL_SMTP_URL="")
    assert jobs.mail_fetch() is None and jobs.mail_send() is None, "a job stored by an earlier configuration"

    app.config["MAIL_IMAP_URL"] = dovecot.url()
    clock.advance(31)  # this process's lease lapses; another host takes it
    with app.app_context():
        assert LeaderLease(clock, holder="another-host:9", ttl_seconds=300).acquire(db.session)
    dovecot.append(mail(2))
    assert jobs.mail_fetch() is None, "the other host holds the lease"
    assert len(stand_in.seen) == 1
