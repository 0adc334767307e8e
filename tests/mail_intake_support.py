"""Helpers for the intake tests: hand-built mails and the intake on the test app's session."""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask import Flask
from sqlalchemy import select

from callcenter.common.clock import FakeClock
from callcenter.mail.intake import IntakeResult, MailIntake
from callcenter.mail.outbox import Outbox
from callcenter.mail.settings import MailSettings
from models import CallEvent, MailMessage, Ticket, db

DESK = "bophanhotro@customs.gov.vn"
OLD_DESK = "hotro@customs.gov.vn"
DENOUNCE = "tocao@customs.gov.vn"
CUSTOMER = "ketoan@congtyabc.vn"


def settings_for(app: Flask, **changes: Any) -> MailSettings:
    base = MailSettings.from_config(app.config)
    base = dataclasses.replace(base, addresses=(DESK, OLD_DESK), denunciation_addresses=(DENOUNCE,), from_address=DESK)
    return dataclasses.replace(base, **changes)


class Desk:
    """The intake on the app's session, and ways to look at what it did."""

    def __init__(self, app: Flask, clock: FakeClock, **changes: Any) -> None:
        self.app = app
        self.clock = clock
        self.settings = settings_for(app, **changes)

    def ingest(self, raw: bytes | EmailMessage, **kw: Any) -> IntakeResult:
        data = raw.as_bytes() if isinstance(raw, EmailMessage) else raw
        outbox = Outbox(db.session, self.settings)
        return MailIntake(db.session, self.clock, self.settings, outbox).ingest(data, **kw)

    def tickets(self) -> list[Ticket]:
        return list(db.session.scalars(select(Ticket).order_by(Ticket.id)))

    def messages(self, direction: str | None = None) -> list[MailMessage]:
        query = select(MailMessage).order_by(MailMessage.id)
        if direction:
            query = query.where(MailMessage.direction == direction)
        return list(db.session.scalars(query))

    def acks(self) -> list[MailMessage]:
        return [m for m in self.messages("out") if m.kind == "ack"]

    def events(self, ticket: Ticket) -> list[CallEvent]:
        return list(
            db.session.scalars(select(CallEvent).where(CallEvent.call_id == ticket.call_id).order_by(CallEvent.id))
        )

    def kinds(self, ticket: Ticket) -> list[str]:
        return [e.kind for e in self.events(ticket)]

    def build_ack(self, row: MailMessage) -> EmailMessage:
        return Outbox(db.session, self.settings).build(row)


@contextmanager
def desk_on(app: Flask, clock: FakeClock, **changes: Any) -> Iterator[Desk]:
    """The intake inside the app's context (each test module's `desk` fixture)."""
    with app.app_context():
        yield Desk(app, clock, **changes)


def mail(
    body: str = "Kính gửi Tổng đài, tờ khai của chúng tôi bị lỗi.",
    *,
    subject: str = "Hỏi về thủ tục",
    sender: str = f"Công ty ABC <{CUSTOMER}>",
    to: str = DESK,
    message_id: str | None = None,
    html: str | None = None,
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="congtyabc.vn")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def reply_to(
    original: EmailMessage | MailMessage, body: str = "Xin cảm ơn, còn một câu hỏi nữa.", **kw: Any
) -> EmailMessage:
    """A reply threaded the way mail programs do (In-Reply-To + References)."""
    if isinstance(original, MailMessage):
        mid, refs, subject = f"<{original.message_id}>", original.references or "", original.subject or ""
    else:
        mid, refs, subject = original["Message-ID"], original.get("References", ""), original["Subject"]
    return mail(
        body, subject=kw.pop("subject", f"Re: {subject}"), In_Reply_To=mid, References=f"{refs} {mid}".strip(), **kw
    )


def to_cp1258(text: str) -> bytes:
    """Vietnamese in windows-1258 as Vietnamese Windows writes it: base letters precomposed where the
    code page has them, the five tones as combining marks."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += base.encode("cp1258") + tones.encode("cp1258")
    return out
