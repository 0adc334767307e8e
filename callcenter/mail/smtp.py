"""Outbound mail over SMTP (issue 15): the outbox's `MailTransport` in production.

MAIL_SMTP_URL:
- `smtp://user:password@host[:587]`: submission; STARTTLS is required (a server that does not offer it
  is refused: credentials and customers' mail never cross the network in clear), then AUTH when the URL
  has a user;
- `smtps://user:password@host[:465]`: TLS from the first byte, then AUTH;
- `smtp+insecure://host[:25]`: no TLS at all, for a local test or relay server on the same machine only.
User and password may be percent-encoded.

Errors: a 4xx reply, a refused or dropped connection, a timeout → `MailSendError` (the outbox retries it
with backoff); a 5xx reply (no such user, refused content, bad credentials) → `MailSendError(permanent=True)`
(the outbox marks it failed, on the ticket's timeline).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from callcenter.mail.imap import MailConfigError
from callcenter.mail.outbox import MailSendError

SCHEMES = {"smtp": 587, "smtps": 465, "smtp+insecure": 25}


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    username: str
    password: str

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise MailConfigError("MAIL_SMTP_URL must look like smtp://user:password@host:587")
        return cls(
            scheme=parts.scheme,
            host=parts.hostname,
            port=parts.port or SCHEMES[parts.scheme],
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )


class SmtpTransport:
    """Sends each message on its own connection (the outbox sends a few a minute; no pool to go stale)."""

    def __init__(self, url: str, *, ssl_context: ssl.SSLContext | None = None, timeout: float = 30.0) -> None:
        self.target = SmtpTarget.parse(url)
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as smtp:
                if self.target.username:
                    smtp.login(self.target.username, self.target.password)
                smtp.send_message(message)
        except MailSendError:
            raise
        except smtplib.SMTPRecipientsRefused as exc:  # every recipient refused: the worst reply decides
            codes = [code for code, _ in exc.recipients.values()]
            raise MailSendError(
                f"recipients refused: {exc.recipients}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except smtplib.SMTPResponseException as exc:
            detail = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            raise MailSendError(f"{exc.smtp_code} {detail}", permanent=exc.smtp_code >= 500) from exc
        except (OSError, smtplib.SMTPException) as exc:  # refused, reset, timeout, TLS failure, disconnected
            raise MailSendError(f"{type(exc).__name__}: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        t = self.target
        if t.scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(t.host, t.port, timeout=self.timeout, context=self.ssl_context)
            smtp.ehlo()
            return smtp
        smtp = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if t.scheme == "smtp":
                if not smtp.has_extn("starttls"):
                    raise MailSendError(f"{t.host}:{t.port} does not offer STARTTLS (use smtps:// or fix the server)")
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
        return smtp
