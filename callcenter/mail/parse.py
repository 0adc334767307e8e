"""Reading a mail as bytes: the stdlib `email` package (policy.default), any charset (UTF-8, windows-1258,
RFC 2047 encoded words), text preferred, HTML sanitised, attachments as bytes (never opened: an archive is
kept as it came, never decompressed).

`parse` raises `Unparseable` when the MIME structure is broken (a multipart without its boundary, no
header at all); `headers_only` reads just the header block (a message over the size limit, or a broken
one, so it can still be threaded and answered)."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import errors as email_errors
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from callcenter.mail.sanitize import html_to_text, normal_text, safe_html

# Defects after which the parts of a mail cannot be trusted: keep it raw, a person looks at it.
FATAL_DEFECTS = (
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.MultipartInvariantViolationDefect,
    email_errors.MissingHeaderBodySeparatorDefect,
)
HEADER_SCAN_BYTES = 256 * 1024  # where the header block of an oversized mail must end


class Unparseable(ValueError):
    """The bytes are not a mail we can take apart."""


@dataclass
class Part:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    headers: dict[str, str]  # lower-case name → value (the first of each), for the acknowledgement rules
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    from_header: str
    sender: str  # the From address, lower case ("" when none)
    recipients: list[str]  # To, Cc, Delivered-To, X-Original-To (lower case)
    subject: str
    text: str = ""
    html: str | None = None  # sanitised
    attachments: list[Part] = field(default_factory=list)
    date: datetime | None = None
    content_type: str = "text/plain"


def _ids(value: str | None) -> list[str]:
    """Message ids in a References / In-Reply-To header, without their angle brackets."""
    found = re.findall(r"<([^<>\s]+)>", value or "")
    if not found and value and value.strip() and " " not in value.strip():
        found = [value.strip()]
    return found


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 — a header the registry cannot read: take its raw text
        value = None
        for key, raw in message.raw_items():
            if key.lower() == name.lower():
                value = raw
                break
    return normal_text(str(value)).strip() if value is not None else ""


def _addresses(message: Message, *names: str) -> list[str]:
    """The addr-specs in these headers, lower case (a display name's comma never splits an address)."""
    out: list[str] = []
    for name in names:
        found: list[str] = []
        try:
            for header in message.get_all(name) or []:
                parsed = getattr(header, "addresses", None)
                if parsed is None:
                    found += [a for _d, a in getaddresses([str(header)])]
                else:
                    found += [a.addr_spec for a in parsed]
        except Exception:  # noqa: BLE001 — a header the registry cannot read: its raw text
            raws = [raw for key, raw in message.raw_items() if key.lower() == name.lower()]
            found = [a for _d, a in getaddresses(raws)]
        for address in found:
            address = address.strip().strip("<>").lower()
            if "@" in address and address not in out:
                out.append(address)
    return out


def display_name(from_header: str) -> str:
    """The display name of a From header ("Nguyễn Thị Hoa" of "Nguyễn Thị Hoa <hoa@congty.vn>"), or ""."""
    name, _address = parseaddr(from_header or "")
    return " ".join(name.split())


def _envelope(message: Message) -> ParsedMail:
    headers: dict[str, str] = {}
    for key in dict.fromkeys(k.lower() for k in message.keys()):
        headers[key] = _header(message, key)
    message_id = (_ids(headers.get("message-id")) or [None])[0]
    in_reply_to = (_ids(headers.get("in-reply-to")) or [None])[0]
    references = _ids(headers.get("references"))
    if in_reply_to and in_reply_to not in references:
        references.append(in_reply_to)
    from_header = headers.get("from", "")
    date = None
    try:
        date = parsedate_to_datetime(headers["date"]) if headers.get("date") else None
    except (TypeError, ValueError, IndexError):
        date = None
    return ParsedMail(
        headers=headers,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        from_header=from_header,
        sender=(_addresses(message, "from") or [""])[0],
        recipients=_addresses(message, "to", "cc", "delivered-to", "x-original-to"),
        subject=re.sub(r"\s+", " ", headers.get("subject", "")).strip(),
        date=date,
        content_type=message.get_content_type(),
    )


def headers_only(raw: bytes) -> ParsedMail:
    """The header block alone (best effort: never raises)."""
    cut = re.search(rb"\r?\n\r?\n", raw[:HEADER_SCAN_BYTES])
    block = raw[: cut.end()] if cut else raw[:HEADER_SCAN_BYTES]
    try:
        message = BytesHeaderParser(policy=policy.default).parsebytes(block)
        return _envelope(message)
    except Exception:  # noqa: BLE001
        return ParsedMail(
            headers={},
            message_id=None,
            in_reply_to=None,
            references=[],
            from_header="",
            sender="",
            recipients=[],
            subject="",
        )


def header_block(raw: bytes) -> bytes:
    cut = re.search(rb"\r?\n\r?\n", raw[:HEADER_SCAN_BYTES])
    return raw[: cut.end()] if cut else raw[:HEADER_SCAN_BYTES]


def _decode_text(part: Message) -> str:
    """A text part in its charset; an unknown or lying charset falls back to UTF-8, then windows-1258."""
    payload = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "utf-8").lower()
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    for candidate in (charset, "utf-8", "cp1258"):
        try:
            return normal_text(payload.decode(candidate))
        except (UnicodeDecodeError, LookupError):
            continue
    return normal_text(payload.decode("utf-8", "replace"))


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001
        name = ""
    return normal_text(str(name)).strip().replace("/", "_").replace("\\", "_")


def _collect(message: Message, found: ParsedMail, bodies: dict[str, list[str]]) -> None:
    """Walk the parts (not into attached messages: a forwarded .eml is one attachment)."""
    for part in message.iter_parts() if message.get_content_maintype() == "multipart" else [message]:
        kind = part.get_content_type()
        name = _filename(part)
        if part.get_content_maintype() == "message":
            inner = part.get_payload()
            inner_message = inner[0] if isinstance(inner, list) and inner else inner
            try:
                data = inner_message.as_bytes() if isinstance(inner_message, Message) else b""
            except Exception:  # noqa: BLE001 — kept as near as it came
                data = str(inner_message).encode("utf-8", "replace")
            found.attachments.append(Part(name or "message.eml", kind, data))
            continue
        if part.get_content_maintype() == "multipart":
            _collect(part, found, bodies)
            continue
        if kind in ("text/plain", "text/html") and part.get_content_disposition() != "attachment" and not name:
            bodies.setdefault(kind, []).append(_decode_text(part))
            continue
        data = part.get_payload(decode=True) or b""  # base64/QP undone; an archive stays an archive
        found.attachments.append(Part(name or f"part-{len(found.attachments) + 1}", kind, data))


def parse(raw: bytes) -> ParsedMail:
    """The whole mail; raises Unparseable when its structure is broken."""
    if not raw.strip():
        raise Unparseable("empty")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # noqa: BLE001
        raise Unparseable(type(exc).__name__) from exc
    if not list(message.keys()):
        raise Unparseable("no headers")
    defects = list(message.defects)
    for part in message.walk():
        defects.extend(part.defects)
    fatal = [d for d in defects if isinstance(d, FATAL_DEFECTS)]
    if fatal:
        raise Unparseable(type(fatal[0]).__name__)
    try:
        found = _envelope(message)
        bodies: dict[str, list[str]] = {}
        _collect(message, found, bodies)
    except Unparseable:
        raise
    except Exception as exc:  # noqa: BLE001
        raise Unparseable(type(exc).__name__) from exc
    html = "\n".join(bodies.get("text/html", []))
    if html:
        found.html = safe_html(html).strip()
    plain = "\n\n".join(t.strip() for t in bodies.get("text/plain", []) if t.strip())
    found.text = plain or (html_to_text(found.html) if found.html else "")
    return found


def stable_message_id(raw: bytes) -> str:
    """A mail without a Message-ID gets one made from its bytes: the same mail fetched twice is one."""
    return f"{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid"
