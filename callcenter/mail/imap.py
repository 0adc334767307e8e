"""Inbound mail over IMAP (issue 15): one intake round reads the new messages of one mailbox and hands each
to the intake (`ingest`), the one path every source uses.

MAIL_IMAP_URL: `imaps://user:password@host[:993]/Mailbox` (TLS from the first byte) or
`imap://user:password@host[:143]/Mailbox` (STARTTLS when the server offers it; plain only when it does
not, i.e. a local test server). The path names the mailbox (default INBOX); user and password may be
percent-encoded.

How far intake has read is a `MailCursor` (UIDVALIDITY + the last UID taken). A message is handed to
`ingest`, the result is committed together with the cursor's new position, and only then is the message
marked \\Seen on the server: a failure anywhere loses nothing (the next round takes the message again,
and its Message-ID makes a refetch a duplicate, never a second ticket). A new UIDVALIDITY (the mailbox
was recreated or restored) starts the cursor again from the first message, for the same reason.
A message over `max_message_bytes` is fetched only as its header and handed to `ingest` as such; the
intake keeps it as a stub flagged for a person.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from imapclient import IMAPClient
from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from callcenter.mail.settings import MailSettings
from models import MailCursor, MailWork

log = logging.getLogger(__name__)
BATCH = 25  # messages fetched per FETCH command
SEEN = b"\\Seen"

Ingest = Callable[..., Any]  # ingest(raw, *, mailbox, uid, size) -> IntakeResult (size: a header-only oversized mail)


class MailConfigError(ValueError):
    """MAIL_IMAP_URL / MAIL_SMTP_URL cannot be used as written."""


@dataclass(frozen=True)
class ImapTarget:
    host: str
    port: int
    tls: bool  # imaps: TLS from the start
    username: str
    password: str
    mailbox: str

    @classmethod
    def parse(cls, url: str) -> ImapTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname:
            raise MailConfigError("MAIL_IMAP_URL must look like imaps://user:password@host/INBOX")
        if not parts.username:
            raise MailConfigError("MAIL_IMAP_URL has no user name")
        tls = parts.scheme == "imaps"
        return cls(
            host=parts.hostname,
            port=parts.port or (993 if tls else 143),
            tls=tls,
            username=unquote(parts.username),
            password=unquote(parts.password or ""),
            mailbox=unquote(parts.path.strip("/")) or "INBOX",
        )

    @property
    def cursor_key(self) -> str:
        """The cursor's row: one per account and mailbox."""
        return f"{self.username}@{self.host}/{self.mailbox}"[:200]


@dataclass
class FetchReport:
    new: int = 0  # a new ticket
    added: int = 0  # threaded into an existing ticket
    duplicate: int = 0  # the same Message-ID taken before
    flagged: int = 0  # a new ticket that needs a person (unparseable, oversized, refused parts)
    oversized: int = 0
    uidvalidity_reset: bool = False
    error: str | None = None  # the round stopped here; the cursor stays before the failed message

    def summary(self) -> str:
        text = f"{self.new} new, {self.added} added to a ticket, {self.duplicate} duplicate, {self.flagged} flagged"
        if self.uidvalidity_reset:
            text += " (the mailbox's UIDVALIDITY changed: read again from the start)"
        if self.error:
            text += f"; stopped: {self.error}"
        return text


class ImapFetcher:
    """One mailbox over IMAP: `run_round(ingest)` and, between rounds, `idle_wait(seconds)`."""

    def __init__(
        self,
        session: Session,
        clock: Clock,
        settings: MailSettings,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        batch: int = BATCH,
    ) -> None:
        self.session = session
        self.clock = clock
        self.settings = settings
        self.target = ImapTarget.parse(settings.imap_url)
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.timeout = timeout
        self.batch = batch

    # -- the connection ---------------------------------------------------------------------------
    def connect(self) -> IMAPClient:
        """Logged in, the mailbox selected (read-write: \\Seen is set on what was taken)."""
        t = self.target
        client = IMAPClient(t.host, port=t.port, ssl=t.tls, ssl_context=self.ssl_context, timeout=self.timeout)
        try:
            if not t.tls and client.has_capability("STARTTLS"):
                client.starttls(self.ssl_context)
            client.login(t.username, t.password)
        except Exception:
            _close(client)
            raise
        return client

    # -- one round --------------------------------------------------------------------------------
    def run_round(self, ingest: Ingest) -> FetchReport:
        client = self.connect()
        try:
            return self.read(client, ingest)
        finally:
            _close(client)

    def read(self, client: IMAPClient, ingest: Ingest) -> FetchReport:
        """Take every message after the cursor in `client`'s mailbox."""
        report = FetchReport()
        status = client.select_folder(self.target.mailbox)
        uidvalidity = as_int32(int(status[b"UIDVALIDITY"]))
        cursor = self._cursor(uidvalidity, report)
        # "n:*" always names the newest message, even when its UID is below n.
        uids = sorted(uid for uid in client.search(["UID", f"{cursor.last_uid + 1}:*"]) if uid > cursor.last_uid)
        for start in range(0, len(uids), self.batch):
            chunk = uids[start : start + self.batch]
            sizes = client.fetch(chunk, ["RFC822.SIZE"])
            small = [u for u in chunk if int(sizes[u].get(b"RFC822.SIZE", 0)) <= self.settings.max_message_bytes]
            large = [u for u in chunk if u not in small]
            bodies = client.fetch(small, ["BODY.PEEK[]"]) if small else {}
            heads = client.fetch(large, ["BODY.PEEK[HEADER]"]) if large else {}
            for uid in chunk:
                oversized = uid not in bodies
                if oversized:
                    raw = heads.get(uid, {}).get(b"BODY[HEADER]") or b""
                    report.oversized += 1
                else:
                    raw = bodies[uid].get(b"BODY[]") or b""
                size = int(sizes[uid].get(b"RFC822.SIZE", 0)) if oversized else None
                if not self._take(client, ingest, cursor, uid, bytes(raw), report, size=size):
                    return report
        return report

    def _cursor(self, uidvalidity: int, report: FetchReport) -> MailCursor:
        key = self.target.cursor_key
        cursor = self.session.get(MailCursor, key)
        if cursor is None:
            cursor = MailCursor(mailbox=key, uidvalidity=uidvalidity, last_uid=0, updated_at=self.clock.now())
            self.session.add(cursor)
        elif cursor.uidvalidity != uidvalidity:
            log.warning(
                "mail: %s has a new UIDVALIDITY (%s → %s): reading it again", key, cursor.uidvalidity, uidvalidity
            )
            cursor.uidvalidity, cursor.last_uid, cursor.updated_at = uidvalidity, 0, self.clock.now()
            report.uidvalidity_reset = True
        self.session.commit()
        return cursor

    def _take(
        self,
        client: IMAPClient,
        ingest: Ingest,
        cursor: MailCursor,
        uid: int,
        raw: bytes,
        report: FetchReport,
        *,
        size: int | None = None,
    ) -> bool:
        """Ingest one message, commit it with the cursor, then mark it \\Seen. False: stop the round."""
        try:
            result = ingest(raw, mailbox=self.target.mailbox, uid=uid, size=size)  # size: only a header came
            cursor.last_uid, cursor.updated_at = uid, self.clock.now()
            flagged = _needs_person(self.session, result)
            self.session.commit()
        except Exception as exc:  # the database or the intake failed: keep the message for the next round
            self.session.rollback()
            log.exception("mail: intake of UID %s in %s failed; it is taken again next round", uid, cursor.mailbox)
            report.error = f"UID {uid}: {type(exc).__name__}: {exc}"[:300]
            return False
        if getattr(result, "duplicate", False):
            report.duplicate += 1
        elif getattr(result, "created", False):
            report.new += 1
            report.flagged += int(flagged)
        else:
            report.added += 1
        try:
            client.add_flags([uid], [SEEN], silent=True)
        except Exception:  # noqa: BLE001 - the mail is taken (cursor moved); \Seen is only for people
            log.warning("mail: could not mark UID %s \\Seen", uid, exc_info=True)
        return True

    # -- between rounds ---------------------------------------------------------------------------
    def idle_wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for new mail: IMAP IDLE when the server offers it, else sleep.
        True when the server announced something (run a round now)."""
        try:
            client = self.connect()
        except Exception:  # noqa: BLE001 - the server is down: wait, the next round reports it
            log.warning("mail: IMAP server unreachable; waiting %s s", seconds, exc_info=True)
            time.sleep(seconds)
            return False
        try:
            if not client.has_capability("IDLE"):
                time.sleep(seconds)
                return False
            client.select_folder(self.target.mailbox, readonly=True)
            client.idle()
            try:
                responses = client.idle_check(timeout=seconds)
            finally:
                client.idle_done()
            return any(b"EXISTS" in response for response in responses if isinstance(response, tuple))
        finally:
            _close(client)


def as_int32(value: int) -> int:
    """UIDVALIDITY is an unsigned 32-bit number; the cursor's column is a signed INTEGER (PostgreSQL int4):
    stored as the same 32 bits read signed (only compared for equality)."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _needs_person(session: Session, result: Any) -> bool:
    ticket_id = getattr(result, "ticket_id", None)
    if ticket_id is None:
        return False
    work = session.get(MailWork, ticket_id)
    return bool(work is not None and work.needs_person)


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - already gone
        try:
            client.shutdown()
        except Exception:  # noqa: BLE001
            log.debug("mail: IMAP connection already closed", exc_info=True)
