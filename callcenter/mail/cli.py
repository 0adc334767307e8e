"""`flask --app app mail fetch` (one intake round over MAIL_IMAP_URL) and `flask --app app mail send` (the
due outbox over MAIL_SMTP_URL, or into the in-memory capture when none is set)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from callcenter.mail import jobs
from callcenter.mail.imap import MailConfigError

mail_cli = AppGroup("mail", help="The e-mail channel: fetch new mail (IMAP), send the outbox (SMTP).")


@mail_cli.command("fetch")
def mail_fetch() -> None:
    """One intake round: every new message of the mailbox becomes (or joins) a ticket."""
    settings = jobs.mail_settings()
    if not settings.imap_url:
        raise click.ClickException("MAIL_IMAP_URL is not set: there is no mailbox to read")
    try:
        report = jobs.fetch_round()
    except jobs.IntakeMissing as exc:
        raise click.ClickException(str(exc)) from exc
    except MailConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - the server is down or refused us: say so, exit 1
        raise click.ClickException(f"could not read the mailbox: {type(exc).__name__}: {exc}") from exc
    click.echo(report.summary())
    if report.error:
        raise SystemExit(1)


@mail_cli.command("send")
def mail_send() -> None:
    """Send the due outbox (acknowledgements, answers); what the server does not take waits and is retried."""
    settings = jobs.mail_settings()
    try:
        report = jobs.send_round()
    except MailConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    where = "SMTP" if settings.smtp_url else "the in-memory capture (MAIL_SMTP_URL is not set)"
    click.echo(f"{report.sent} sent, {report.retried} to retry later, {report.failed} failed (via {where})")
