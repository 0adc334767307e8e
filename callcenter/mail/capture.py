"""Where the outbox delivers when no SMTP server is configured (the demo, the sandbox, tests): an in-memory
list the sandbox's "write to the hotline" page shows. Bounded: the oldest are dropped.

It lives in the web process: the scheduler (another process in the demo) never sends to it, since the send
job runs only with MAIL_SMTP_URL. The sandbox page delivers in its own process: it calls
`callcenter.mail.jobs.send_round()` (no MAIL_SMTP_URL: the due outbox goes here), then reads
`capture_of(current_app).messages()`."""

from __future__ import annotations

import threading
from collections import deque
from email.message import EmailMessage

from flask import Flask

KEEP = 200
EXTENSION = "mail_capture"


class CaptureTransport:
    """A `MailTransport` that keeps what it is given (thread-safe: the scheduler sends, pages read)."""

    def __init__(self, keep: int = KEEP) -> None:
        self._messages: deque[EmailMessage] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        with self._lock:
            self._messages.append(message)

    def messages(self) -> list[EmailMessage]:
        """What was sent, oldest first."""
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


def capture_of(app: Flask) -> CaptureTransport:
    """The app's capture (one per app, created on first use)."""
    capture = app.extensions.get(EXTENSION)
    if capture is None:
        capture = app.extensions.setdefault(EXTENSION, CaptureTransport())
    return capture
