"""The e-mail channel's settings, read once from the app's configuration (see config, MAIL_*)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from callcenter.common.public_links import answers_url


def normal_address(raw: str | None) -> str:
    """An address as the desk compares it: the addr-spec of `raw`, lower case ("" when there is none)."""
    return parseaddr(raw or "")[1].strip().lower()


@dataclass(frozen=True)
class MailSettings:
    imap_url: str
    smtp_url: str
    addresses: tuple[str, ...]  # every support address, old ones included (normalised)
    denunciation_addresses: tuple[str, ...]  # mail to these is branch 1
    from_address: str
    max_message_bytes: int
    max_attachment_bytes: int
    acks_per_sender_per_hour: int
    response_target_hours: int
    fetch_seconds: int
    answers_url: str = ""  # the public answer base the acknowledgement names (issue 16)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        def addresses(name: str) -> tuple[str, ...]:
            return tuple(a for a in (normal_address(x) for x in config.get(name) or []) if a)

        return cls(
            imap_url=config.get("MAIL_IMAP_URL") or "",
            smtp_url=config.get("MAIL_SMTP_URL") or "",
            addresses=addresses("MAIL_ADDRESSES"),
            denunciation_addresses=addresses("MAIL_DENUNCIATION_ADDRESSES"),
            from_address=normal_address(config.get("MAIL_FROM")) or "bophanhotro@customs.gov.vn",
            max_message_bytes=int(config.get("MAIL_MAX_MESSAGE_BYTES") or 25 * 1024 * 1024),
            max_attachment_bytes=int(config.get("MAIL_MAX_ATTACHMENT_BYTES") or 1024 * 1024),
            acks_per_sender_per_hour=int(config.get("MAIL_ACKS_PER_SENDER_PER_HOUR") or 3),
            response_target_hours=int(config.get("MAIL_RESPONSE_TARGET_HOURS") or 8),
            fetch_seconds=int(config.get("MAIL_FETCH_SECONDS") or 30),
            answers_url=answers_url(config) if config.get("PUBLIC_BASE_URL") else "",
        )

    @property
    def ours(self) -> frozenset[str]:
        """Every address of the desk: mail from one of them is our own (never acknowledged)."""
        return frozenset((*self.addresses, *self.denunciation_addresses, self.from_address))

    @property
    def domain(self) -> str:
        """The domain our Message-IDs carry."""
        return self.from_address.rpartition("@")[2] or "hotline.invalid"
