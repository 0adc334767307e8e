"""The e-mail channel's rounds, composed from the app's configuration: an intake round over IMAP and a send
round of the outbox. The scheduler runs them (callcenter/ops/jobs.py: `mail_fetch` every MAIL_FETCH_SECONDS
when MAIL_IMAP_URL is set, `mail_send` every 15 s when MAIL_SMTP_URL is set, under the leader lease);
`flask --app app mail fetch` / `mail send` run one by hand. Both run inside an app context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app

from callcenter.mail.capture import capture_of
from callcenter.mail.imap import FetchReport, ImapFetcher, Ingest
from callcenter.mail.outbox import MailTransport, Outbox, SendReport
from callcenter.mail.settings import MailSettings
from callcenter.mail.smtp import SmtpTransport
from models import db

log = logging.getLogger(__name__)
SEND_SECONDS = 15
INTAKE_MODULE = "callcenter.mail.intake"


class IntakeMissing(RuntimeError):
    """The intake (callcenter/mail/intake.py) is not part of this build."""


def mail_settings() -> MailSettings:
    return MailSettings.from_config(current_app.config)


def _clock() -> Any:
    return current_app.extensions["clock"]


def intake_ingest(settings: MailSettings | None = None) -> Ingest:
    """The intake's `ingest` on the app's session and clock (imported here, when a round needs it)."""
    settings = settings or mail_settings()
    try:
        from callcenter.mail.intake import MailIntake
    except ModuleNotFoundError as exc:
        if exc.name != INTAKE_MODULE:
            raise
        raise IntakeMissing("mail intake is not installed yet") from exc
    return MailIntake(db.session, _clock(), settings, Outbox(db.session, settings)).ingest


def transport(settings: MailSettings | None = None) -> MailTransport:
    """SMTP when MAIL_SMTP_URL is set; otherwise the app's in-memory capture (demo, sandbox)."""
    settings = settings or mail_settings()
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url)
    return capture_of(current_app._get_current_object())  # type: ignore[attr-defined]


def fetch_round(ingest: Ingest | None = None, fetcher_factory: Callable[..., ImapFetcher] = ImapFetcher) -> FetchReport:
    """One intake round over MAIL_IMAP_URL (must be set)."""
    settings = mail_settings()
    if not settings.imap_url:
        raise RuntimeError("MAIL_IMAP_URL is not set")
    fetcher = fetcher_factory(db.session, _clock(), settings)
    return fetcher.run_round(ingest or intake_ingest(settings))


def send_round(mail_transport: MailTransport | None = None) -> SendReport:
    """Hand the due outbox to the SMTP server (or the capture when none is configured)."""
    settings = mail_settings()
    return Outbox(db.session, settings).send_due(mail_transport or transport(settings), _clock().now())


def fetch_job() -> FetchReport | None:
    """The scheduler's intake: a round, then wait for new mail with IDLE (most of the interval) and take
    what it announces at once; without IDLE the interval is the polling period."""
    settings = mail_settings()
    if not settings.imap_url:  # a job stored by an earlier configuration
        return None
    ingest = intake_ingest(settings)
    fetcher = ImapFetcher(db.session, _clock(), settings)
    report = fetcher.run_round(ingest)
    _log(report)
    if fetcher.idle_wait(max(1.0, settings.fetch_seconds * 0.8)):
        report = fetcher.run_round(ingest)
        _log(report)
    return report


def send_job() -> SendReport | None:
    if not mail_settings().smtp_url:
        return None
    report = send_round()
    if report.retried or report.failed:
        log.warning("mail: outbox %s sent, %s to retry, %s failed", report.sent, report.retried, report.failed)
    return report


def _log(report: FetchReport) -> None:
    if report.error:
        log.warning("mail: intake round stopped: %s", report.summary())
    elif report.new or report.added or report.duplicate:
        log.info("mail: %s", report.summary())
