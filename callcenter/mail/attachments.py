"""Attachments: kept as bytes (with their SHA-256) up to the size limit; larger ones and executable
programs refused (their name, type, size and hash on record, not their bytes). An archive (zip, rar, 7z,
gz…) within the limit is kept as it came: it is never opened or decompressed here, so a zip bomb is just a
few kilobytes of bytes."""

from __future__ import annotations

import hashlib

from callcenter.mail.parse import Part
from models import MailAttachment

EXECUTABLE_EXTENSIONS = frozenset(
    {".exe", ".bat", ".cmd", ".com", ".js", ".vbs", ".scr", ".msi", ".ps1", ".jse", ".vbe", ".wsf", ".hta",
     ".pif", ".cpl", ".jar", ".lnk", ".dll", ".sh"}
)  # fmt: skip
EXECUTABLE_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-dosexec",
        "application/x-executable",
        "application/vnd.microsoft.portable-executable",
        "application/x-msi",
        "application/x-ms-installer",
        "application/x-bat",
        "application/x-sh",
        "application/javascript",
        "application/x-javascript",
        "text/javascript",
        "text/vbscript",
        "application/x-vbscript",
        "application/hta",
        "application/java-archive",
    }
)
ARCHIVE_EXTENSIONS = frozenset({".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".zst", ".cab"})
NAME_BYTES = MailAttachment.__table__.c.filename.type.plaintext_bytes or 255


class Refusal:
    TOO_LARGE = "too_large"
    EXECUTABLE = "executable"


def _extension(filename: str) -> str:
    name = filename.lower().rstrip(". ")
    return name[name.rfind(".") :] if "." in name else ""


def is_executable(filename: str, content_type: str, data: bytes) -> bool:
    """By name, by declared type, or by a Windows program's "MZ" header (a renamed .exe)."""
    return (
        _extension(filename) in EXECUTABLE_EXTENSIONS or content_type.lower() in EXECUTABLE_TYPES or data[:2] == b"MZ"
    )


def is_archive(filename: str) -> bool:
    return _extension(filename) in ARCHIVE_EXTENSIONS


def _clip(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def keep(part: Part, max_bytes: int) -> MailAttachment:
    """The attachment row of `part`: with its bytes, or refused with the reason."""
    refused = None
    if is_executable(part.filename, part.content_type, part.data):
        refused = Refusal.EXECUTABLE
    elif len(part.data) > max_bytes:
        refused = Refusal.TOO_LARGE
    return MailAttachment(
        filename=_clip(part.filename or "attachment", NAME_BYTES),
        content_type=part.content_type[:127],
        size_bytes=len(part.data),
        sha256=hashlib.sha256(part.data).hexdigest(),
        data=None if refused else part.data,
        refused=refused,
    )
