"""A tiny stand-in for the intake's `ingest` (callcenter/mail/intake.py, INTAKE's work) so the transport's
tests do not depend on it: a Message-ID taken before is a duplicate; otherwise a new conversation. It
flags nothing itself: an oversized mail's flag must come from the IMAP round."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from typing import Any

from callcenter.mail.contact import open_conversation
from callcenter.mail.outbox import message_key
from models import Direction, MailMessage, db


@dataclass(frozen=True)
class StandInResult:
    ticket_id: int | None
    created: bool
    duplicate: bool
    acknowledged: bool = False
    reason: str | None = None


@dataclass
class StandInIntake:
    clock: Any
    fail_on: set[str] = field(default_factory=set)  # subjects that make ingest raise
    seen: list[tuple[bytes, str | None, int | None]] = field(default_factory=list)
    sizes: list[int | None] = field(default_factory=list)  # the server's size, for a header-only mail

    def ingest(
        self, raw: bytes, *, mailbox: str | None = None, uid: int | None = None, size: int | None = None
    ) -> StandInResult:
        self.seen.append((raw, mailbox, uid))
        self.sizes.append(size)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if str(message["Subject"]) in self.fail_on:
            raise RuntimeError("the intake broke")
        key = message_key(str(message["Message-ID"]))
        existing = db.session.query(MailMessage).filter_by(direction=Direction.IN.value, message_key=key).first()
        if existing is not None:
            return StandInResult(existing.ticket_id, created=False, duplicate=True)
        now = self.clock.now()
        ticket = open_conversation(
            db.session,
            sender=str(message["From"]),
            to_address=str(message["To"]),
            branch=2,
            problem_group=None,
            language="vi",
            at=now,
            # The intake's contract for a header-only oversized mail (callcenter/mail/intake.py `size`).
            needs_person=size is not None,
            flags="too_large" if size is not None else None,
        )
        db.session.add(
            MailMessage(
                ticket_id=ticket.id,
                direction=Direction.IN.value,
                message_id=str(message["Message-ID"]).strip("<>"),
                message_key=key,
                party=str(message["From"]),
                subject=str(message["Subject"]),
                size_bytes=len(raw),
                at=now,
            )
        )
        db.session.flush()
        return StandInResult(ticket.id, created=True, duplicate=False)


def mail(n: int | str, *, subject: str | None = None, body: str = "Xin chào, tôi cần hỗ trợ.") -> bytes:
    """A small plain-text mail with Message-ID <n@example.vn>."""
    return (
        f"From: Doanh nghiệp <dn{n}@example.vn>\r\n"
        f"To: hotro@customs.gov.vn\r\n"
        f"Subject: {subject or f'Hỏi số {n}'}\r\n"
        f"Message-ID: <{n}@example.vn>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"{body}\r\n"
    ).encode()
