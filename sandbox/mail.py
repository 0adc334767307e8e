"""The demo's "write to the hotline" page (issue 15): with no mail server, a person writes an e-mail here
(From, To among MAIL_ADDRESSES, Subject, text, an attachment) and it goes through the same intake path as
mail fetched over IMAP (`callcenter.mail.intake.MailIntake.ingest` with the RFC 5322 bytes). The page shows
the mails the desk sent back to that address (acknowledgements and answers, from the outbox: the sandbox
has no SMTP server, so they are shown whatever their sending status)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from callcenter.mail.contact import sender_index
from callcenter.mail.outbox import Outbox
from callcenter.mail.settings import MailSettings
from models import Direction, MailMessage, db

from .views import bp

MAX_UPLOAD = 4 * 1024 * 1024  # the page's own limit (intake keeps attachments up to MAIL_MAX_ATTACHMENT_BYTES)


def build_message(
    sender: str, to: str, subject: str, body: str, attachment: tuple[str, str, bytes] | None, at: Any
) -> bytes:
    """The RFC 5322 bytes a mail client would send."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(domain=(parseaddr(sender)[1].rpartition("@")[2] or "sandbox.invalid"))
    message.set_content(body or "", charset="utf-8")
    if attachment is not None:
        filename, content_type, data = attachment
        main, _slash, sub = (content_type or "application/octet-stream").partition("/")
        message.add_attachment(data, maintype=main or "application", subtype=sub or "octet-stream", filename=filename)
    return message.as_bytes()


def ingest(raw: bytes) -> Any:
    """Hand the message to intake, the one path every source uses; returns its IntakeResult."""
    from callcenter.mail.intake import MailIntake  # the intake helper's module (issue 15)

    settings = MailSettings.from_config(current_app.config)
    intake = MailIntake(db.session, current_app.extensions["clock"], settings, Outbox(db.session, settings))
    result = intake.ingest(raw)
    db.session.commit()
    return result


def replies_to(address: str) -> list[MailMessage]:
    """What the desk sent to `address`, newest first."""
    wanted = sender_index(address)
    if not wanted:
        return []
    query = select(MailMessage).where(MailMessage.direction == Direction.OUT.value, MailMessage.party_hash == wanted)
    return list(db.session.scalars(query.order_by(MailMessage.at.desc(), MailMessage.id.desc()).limit(50)))


@bp.get("/mail")
def mail_page() -> str:
    addresses = MailSettings.from_config(current_app.config).addresses
    sender = (request.args.get("from") or "ketoan@congty-demo.vn")[:320]
    return render_template(
        "sandbox_mail.html",
        addresses=addresses,
        sender=sender,
        replies=replies_to(sender),
        ticket=request.args.get("ticket"),
        problem=request.args.get("problem"),
    )


@bp.post("/mail")
def mail_send() -> Any:
    request.max_content_length = MAX_UPLOAD  # this page only: an attachment (the app's default is 64 KB)
    form = request.form
    sender = (form.get("from") or "").strip()[:320]
    to = (form.get("to") or "").strip()[:320]
    addresses = MailSettings.from_config(current_app.config).addresses
    if not parseaddr(sender)[1] or "@" not in sender:
        return redirect(url_for("sandbox.mail_page", **{"from": sender, "problem": "Write your address in From."}))
    if to not in addresses:
        return redirect(url_for("sandbox.mail_page", **{"from": sender, "problem": "Choose one of the addresses."}))
    upload = request.files.get("attachment")
    attachment = None
    if upload is not None and upload.filename:
        attachment = (upload.filename, upload.mimetype or "application/octet-stream", upload.read())
    raw = build_message(
        sender,
        to,
        (form.get("subject") or "")[:500],
        (form.get("body") or "")[:20000],
        attachment,
        current_app.extensions["clock"].now(),
    )
    result = ingest(raw)
    ticket = getattr(result, "ticket_id", None)
    return redirect(url_for("sandbox.mail_page", **{"from": sender, "ticket": ticket or ""}))
