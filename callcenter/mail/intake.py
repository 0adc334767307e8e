"""Intake: one mail (bytes) becomes a message on a ticket: the one path every source uses (the IMAP
round, the sandbox's "write to the hotline" page, the tests). `MailIntake.ingest` commits one
transaction per mail; what it decided is in the `IntakeResult`.

Defined outcomes for bad input (issue 15), nothing lost:
- over `max_message_bytes`: not parsed; the header block kept as a stub on a ticket flagged `too_large`,
  and the acknowledgement tells the sender it was too large;
- broken MIME: the raw bytes kept (`MailMessage.raw`), the ticket flagged `unparseable`;
- no From: a ticket flagged `no_sender`, no acknowledgement;
- From one of our addresses but not a mail we sent: a ticket flagged `spoofed_sender`, never acknowledged
  (our own mail coming back, e.g. a copy to ourselves, is recognised by its Message-ID and changes nothing);
- the same Message-ID again: `duplicate`, nothing changes (no Message-ID: one made from the bytes' hash).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from callcenter.mail.ack import AckSkip, ack_body, ack_subject, acks_in_last_hour, robot_reason
from callcenter.mail.attachments import keep
from callcenter.mail.contact import add_event, open_conversation, sender_index
from callcenter.mail.extract import business_code, fold, tax_code
from callcenter.mail.outbox import Outbox, message_key
from callcenter.mail.parse import (
    ParsedMail,
    Unparseable,
    display_name,
    header_block,
    headers_only,
    parse,
    stable_message_id,
)
from callcenter.mail.rules import propose_group
from callcenter.mail.settings import MailSettings
from callcenter.mail.suggest import suggested_answers
from callcenter.mail.threading import find_ticket, reference
from models import (
    Call,
    Direction,
    EventKind,
    MailMessage,
    MailState,
    MailWork,
    OutboundKind,
    Ticket,
    TicketStatus,
)

SENDER_BYTES = Call.__table__.c.from_raw.type.plaintext_bytes or 127
PARTY_BYTES = MailMessage.__table__.c.party.type.plaintext_bytes or 255
QUESTION_CHARS = 4000
REOPENED_BY_REPLY = (MailState.WAITING.value, MailState.ANSWERED.value, MailState.CLOSED.value)
ENGLISH_HINTS = (" the ", " please ", "dear ", " thank", " hello", " we ", " our ")


class Flag:
    """Why a ticket needs a person (MailWork.flags, comma-separated)."""

    TOO_LARGE = "too_large"
    UNPARSEABLE = "unparseable"
    NO_SENDER = "no_sender"
    SPOOFED_SENDER = "spoofed_sender"
    ATTACHMENT_REFUSED = "attachment_refused"


@dataclass(frozen=True)
class IntakeResult:
    ticket_id: int | None  # the ticket the mail is on (a duplicate: the ticket it is already on)
    created: bool = False  # a new conversation (ticket) was opened
    duplicate: bool = False  # already taken (same Message-ID) or our own mail coming back: nothing changed
    acknowledged: bool = False  # an acknowledgement was queued in the outbox
    reason: str | None = None  # why not acknowledged (an `AckSkip` code), None when acknowledged
    message_row_id: int | None = None  # the stored MailMessage
    flags: tuple[str, ...] = field(default_factory=tuple)  # why the ticket needs a person (`Flag`)


def _clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def _language(mail: ParsedMail) -> str:
    text = f" {mail.subject} {mail.text[:2000]} ".lower()
    if fold(text) != " ".join(text.split()) or not any(hint in text for hint in ENGLISH_HINTS):
        return "vi"  # diacritics, or nothing English in it: the desk's default
    return "en"


class MailIntake:
    def __init__(self, session: Session, clock: Clock, settings: MailSettings, outbox: Outbox) -> None:
        self.session = session
        self.clock = clock
        self.settings = settings
        self.outbox = outbox

    # -- reading -------------------------------------------------------------------------------
    def _read(self, raw: bytes, size: int | None) -> tuple[ParsedMail, list[str], bytes | None]:
        """The mail, the flags reading it raised, and what to keep of the raw bytes."""
        if max(size or 0, len(raw)) > self.settings.max_message_bytes:
            return headers_only(raw), [Flag.TOO_LARGE], header_block(raw)
        try:
            return parse(raw), [], None
        except Unparseable:
            return headers_only(raw), [Flag.UNPARSEABLE], raw

    def ingest(
        self, raw: bytes, *, mailbox: str | None = None, uid: int | None = None, size: int | None = None
    ) -> IntakeResult:
        """Take one mail. `size`: the message's size on the server when only its header was fetched (a
        mail over MAIL_MAX_MESSAGE_BYTES): it is then a stub flagged too_large and the sender is told."""
        now = self.clock.now()
        mail, flags, keep_raw = self._read(raw, size)
        message_id = (mail.message_id or stable_message_id(raw))[:998]
        key = message_key(message_id)
        seen = self.session.scalar(
            select(MailMessage.ticket_id).where(
                MailMessage.direction == Direction.IN.value, MailMessage.message_key == key
            )
        )
        if seen is not None:
            return IntakeResult(ticket_id=seen, duplicate=True, reason="duplicate")
        ours = mail.sender in self.settings.ours
        if ours:
            sent = self.session.scalar(
                select(MailMessage.ticket_id).where(
                    MailMessage.direction == Direction.OUT.value, MailMessage.message_key == key
                )
            )
            if sent is not None:  # our own mail coming back (a copy to ourselves): nothing to do
                return IntakeResult(ticket_id=sent, duplicate=True, reason=AckSkip.OWN_ADDRESS.value)
            flags.append(Flag.SPOOFED_SENDER)
        if not mail.sender:
            flags.append(Flag.NO_SENDER)
        sender_hash = sender_index(mail.sender) if mail.sender else None
        try:
            total = max(size or 0, len(raw))  # a header-only mail: its size on the server
            return self._store(raw, mail, message_id, key, flags, keep_raw, sender_hash, now, mailbox, uid, total)
        except IntegrityError:  # the same mail taken at the same moment by another round
            self.session.rollback()
            seen = self.session.scalar(
                select(MailMessage.ticket_id).where(
                    MailMessage.direction == Direction.IN.value, MailMessage.message_key == key
                )
            )
            if seen is None:
                raise
            return IntakeResult(ticket_id=seen, duplicate=True, reason="duplicate")

    # -- writing -------------------------------------------------------------------------------
    def _store(
        self,
        raw: bytes,
        mail: ParsedMail,
        message_id: str,
        key: str,
        flags: list[str],
        keep_raw: bytes | None,
        sender_hash: str | None,
        now: datetime,
        mailbox: str | None,
        uid: int | None,
        total: int,
    ) -> IntakeResult:
        attachments = [keep(part, self.settings.max_attachment_bytes) for part in mail.attachments]
        refused = [(a.filename, a.refused) for a in attachments if a.refused]
        if refused:
            flags.append(Flag.ATTACHMENT_REFUSED)
        reached = next((r for r in mail.recipients if r in self.settings.ours), self.settings.from_address)
        ticket_id = find_ticket(self.session, mail.references, mail.subject, sender_hash)
        created = ticket_id is None
        if created:
            ticket = self._open(mail, reached, flags, now)
        else:
            ticket = self.session.get(Ticket, ticket_id)
            assert ticket is not None
            self._reply(ticket, flags, now, customer=Flag.SPOOFED_SENDER not in flags)
        self._codes(ticket, mail)
        row = MailMessage(
            ticket_id=ticket.id,
            direction=Direction.IN.value,
            message_id=message_id,
            message_key=key,
            in_reply_to=(mail.in_reply_to or None) and mail.in_reply_to[:998],
            references=" ".join(f"<{r}>" for r in mail.references) or None,
            party=_clip(mail.sender or mail.from_header or None, PARTY_BYTES),
            party_hash=sender_hash,
            party_name=_clip(display_name(mail.from_header) or None, PARTY_BYTES),
            to_addrs=", ".join(mail.recipients) or None,
            mailbox_address=reached[:320],
            subject=mail.subject or None,
            body_text=mail.text or None,
            body_html=mail.html,
            raw=keep_raw,
            size_bytes=total,
            at=now,
            attachments=attachments,
        )
        self.session.add(row)
        self.session.flush()
        add_event(
            self.session,
            ticket.call_id,
            EventKind.MAIL_RECEIVED.value,
            now,
            message=row.id,
            attachments=len(attachments) - len(refused),
            refused=len(refused),
            flags=list(flags),
            mailbox=mailbox,
            uid=uid,
        )
        acknowledged, reason = self._acknowledge(ticket, row, mail, flags, refused, created, sender_hash, now)
        self.session.commit()
        return IntakeResult(
            ticket_id=ticket.id,
            created=created,
            acknowledged=acknowledged,
            reason=reason,
            message_row_id=row.id,
            flags=tuple(flags),
        )

    def _open(self, mail: ParsedMail, reached: str, flags: list[str], now: datetime) -> Ticket:
        denounced = any(r in self.settings.denunciation_addresses for r in mail.recipients)
        branch = 1 if denounced else 2
        group = None if denounced else propose_group(self.session, mail.subject, mail.text)
        ticket = open_conversation(
            self.session,
            sender=_clip(mail.sender, SENDER_BYTES) or "",
            to_address=reached,
            branch=branch,
            problem_group=group,
            language=_language(mail),
            at=now,
            needs_person=bool(flags),
            flags=",".join(flags)[:200] or None,
        )
        ticket.question = (mail.subject or mail.text)[:QUESTION_CHARS] or None
        return ticket

    def _reply(self, ticket: Ticket, flags: list[str], now: datetime, *, customer: bool) -> None:
        """A further mail on the ticket: back in the backlog when it was waiting for the customer."""
        work = self.session.get(MailWork, ticket.id)
        if work is None:
            return
        if flags:
            known = [f for f in (work.flags or "").split(",") if f]
            work.flags = ",".join(dict.fromkeys([*known, *flags]))[:200]
            work.needs_person = True
        if customer and work.state in REOPENED_BY_REPLY:
            before = work.state
            work.state = MailState.NEW.value
            work.waiting_since = now  # (agent_id stays: who answered last, for the desk to prefer her)
            if ticket.status == TicketStatus.CLOSED.value:
                ticket.status = TicketStatus.OPEN.value
                ticket.closed_at = None
            add_event(self.session, ticket.call_id, EventKind.MAIL_STATE.value, now, state=work.state, before=before)

    def _codes(self, ticket: Ticket, mail: ParsedMail) -> None:
        words = f"{mail.subject}\n{mail.text}"
        if ticket.tax_code is None:
            ticket.tax_code = tax_code(words)
        if ticket.business_code is None:
            ticket.business_code = business_code(words)

    def _acknowledge(
        self,
        ticket: Ticket,
        row: MailMessage,
        mail: ParsedMail,
        flags: list[str],
        refused: list[tuple[str, str | None]],
        created: bool,
        sender_hash: str | None,
        now: datetime,
    ) -> tuple[bool, str | None]:
        reason: AckSkip | None
        if Flag.SPOOFED_SENDER in flags:
            reason = AckSkip.SPOOFED_SENDER
        else:
            reason = robot_reason(mail, self.settings)
        news = Flag.TOO_LARGE in flags or bool(refused)  # something the sender must hear even on a reply
        if reason is None and not created and not news:
            reason = AckSkip.FOLLOW_UP
        if reason is None and sender_hash is not None:
            if acks_in_last_hour(self.session, sender_hash, now) >= self.settings.acks_per_sender_per_hour:
                reason = AckSkip.RATE_LIMITED
        if reason is not None:
            row.auto_submitted = reason.value
            add_event(self.session, ticket.call_id, EventKind.MAIL_NOT_ACKNOWLEDGED.value, now, reason=reason.value)
            return False, reason.value
        ref = reference(ticket.id)
        answers_url = self.settings.answers_url if ticket.branch != 1 else ""
        suggestions = suggested_answers(self.session, self.clock, ticket, mail.subject, answers_url)
        ack = self.outbox.queue(
            ticket,
            kind=OutboundKind.ACK.value,
            to=mail.sender,
            subject=ack_subject(ref, mail.subject),
            body_text=ack_body(
                ref,
                too_large=Flag.TOO_LARGE in flags,
                refused=[(name, why or "") for name, why in refused],
                max_attachment_mb=self.settings.max_attachment_bytes / (1024 * 1024),
                answers_url=answers_url,
                suggestions=suggestions,
            ),
            at=now,
            in_reply_to=row.message_id,
            references=[*mail.references, row.message_id],
        )
        add_event(self.session, ticket.call_id, EventKind.MAIL_ACKNOWLEDGED.value, now, message=ack.id)
        return True, None
