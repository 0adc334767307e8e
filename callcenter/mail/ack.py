"""The acknowledgement: a mail with the ticket reference, Vietnamese first then English, to a person who
wrote, and never to a robot (RFC 3834): not to auto-replies (Auto-Submitted other than "no", X-Autoreply,
X-Autorespond), bounces (Return-Path <>, mailer-daemon, postmaster, delivery reports), lists (Precedence
bulk/junk/list, List-Id, List-Unsubscribe), no-reply senders, our own addresses or a mail forged in their
name, and at most `acks_per_sender_per_hour` to one sender: that also ends a loop between two
auto-responders that ignore the conventions. Every decision is on the ticket's timeline with its reason
(`AckSkip`, labelled in callcenter/common/labels.py "ack_skip")."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.mail.parse import ParsedMail
from callcenter.mail.settings import MailSettings
from models import Direction, MailMessage, OutboundKind

ROBOT_LOCAL_PARTS = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|donotreply|bounces?|auto-?reply|autoresponder)([+\-._].*)?$"
)


class AckSkip(StrEnum):
    """Why a mail got no acknowledgement."""

    NO_SENDER = "no_sender"  # no From address: nobody to answer
    AUTO_SUBMITTED = "auto_submitted"  # RFC 3834 Auto-Submitted (auto-replied, auto-generated…)
    AUTO_REPLY_HEADER = "auto_reply_header"  # X-Autoreply / X-Autorespond
    PRECEDENCE = "precedence"  # Precedence: bulk, junk or list
    MAILING_LIST = "mailing_list"  # List-Id / List-Unsubscribe
    BOUNCE = "bounce"  # Return-Path <>, a delivery report
    ROBOT_SENDER = "robot_sender"  # mailer-daemon, postmaster, noreply…
    OWN_ADDRESS = "own_address"  # our own address (our mail coming back)
    SPOOFED_SENDER = "spoofed_sender"  # claims one of our addresses but we never sent it
    RATE_LIMITED = "rate_limited"  # this sender had its acknowledgements for the hour
    FOLLOW_UP = "follow_up"  # a reply on a ticket already acknowledged


def robot_reason(mail: ParsedMail, settings: MailSettings) -> AckSkip | None:
    """Why this mail must not be answered by a robot (None: it may be)."""
    h = mail.headers
    if not mail.sender:
        return AckSkip.NO_SENDER
    if mail.sender in settings.ours:
        return AckSkip.OWN_ADDRESS
    auto = h.get("auto-submitted", "").split(";")[0].strip().lower()
    if auto and auto != "no":
        return AckSkip.AUTO_SUBMITTED
    if "x-autoreply" in h or "x-autorespond" in h:
        return AckSkip.AUTO_REPLY_HEADER
    if h.get("precedence", "").strip().lower() in ("bulk", "junk", "list"):
        return AckSkip.PRECEDENCE
    if "list-id" in h or "list-unsubscribe" in h:
        return AckSkip.MAILING_LIST
    if h.get("return-path", "x").replace(" ", "") == "<>" or mail.content_type == "multipart/report":
        return AckSkip.BOUNCE
    if ROBOT_LOCAL_PARTS.match(mail.sender.partition("@")[0]):
        return AckSkip.ROBOT_SENDER
    return None


def acks_in_last_hour(session: Session, party_hash: str, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(MailMessage)
            .where(
                MailMessage.direction == Direction.OUT.value,
                MailMessage.kind == OutboundKind.ACK.value,
                MailMessage.party_hash == party_hash,
                MailMessage.at > now - timedelta(hours=1),
            )
        )
        or 0
    )


def ack_subject(ref: str, subject: str) -> str:
    base = re.sub(r"^\s*((re|fw|fwd|tl|tr)\s*:\s*)+", "", subject or "", flags=re.IGNORECASE).strip()
    words = "Đã nhận thư / Received" if not base else f"Re: {base}"
    return f"{ref} {words}"[:250]


def ack_body(
    ref: str,
    *,
    too_large: bool,
    refused: list[tuple[str, str]],
    max_attachment_mb: float,
    answers_url: str = "",
    suggestions: list[tuple[str, str]] | None = None,
) -> str:
    """The acknowledgement's text: Vietnamese, then English; `answers_url` (the public answer base, issue 16)
    is named when given (support mail, never a denunciation), then the `suggestions` (title, link) that
    may answer the mail (callcenter/mail/suggest.py)."""
    vi = [
        "Kính gửi Quý doanh nghiệp/Quý vị,",
        "",
        f"Tổng đài hỗ trợ 1900 9299 của Hải quan Việt Nam đã nhận được thư của Quý vị. Mã yêu cầu: {ref}.",
        "Cán bộ hỗ trợ sẽ trả lời trong thời gian sớm nhất. Khi gửi thêm thông tin, xin vui lòng trả lời thư "
        "này hoặc giữ nguyên mã yêu cầu trong tiêu đề.",
    ]
    en = [
        "Dear Sir or Madam,",
        "",
        f"The Vietnam Customs 1900 9299 support desk has received your e-mail. Your reference: {ref}.",
        "An officer will answer as soon as possible. To add information, please reply to this e-mail or keep "
        "the reference in the subject.",
    ]
    if answers_url:
        vi.append(f"Quý vị có thể tra cứu ngay câu trả lời cho các câu hỏi thường gặp tại: {answers_url}")
        en.append(f"You may find an answer to common questions right away at: {answers_url}")
    if answers_url and suggestions:
        vi.append("Các câu trả lời sau có thể giúp Quý vị:")
        vi.extend(f"  - {title}: {link}" for title, link in suggestions)
        en.append("These answers may help:")
        en.extend(f"  - {title}: {link}" for title, link in suggestions)
    if too_large:
        vi.append(
            "Lưu ý: thư của Quý vị vượt quá dung lượng cho phép nên chưa đọc được nội dung và tệp đính kèm. "
            f"Xin vui lòng gửi lại nội dung ngắn gọn, mỗi tệp đính kèm không quá {max_attachment_mb:g} MB."
        )
        en.append(
            "Note: your e-mail was larger than we accept, so its text and attachments could not be read. "
            f"Please send it again, shorter, with attachments of at most {max_attachment_mb:g} MB each."
        )
    if refused:
        why_vi = {"too_large": f"lớn hơn {max_attachment_mb:g} MB", "executable": "tệp chương trình chạy được"}
        why_en = {"too_large": f"larger than {max_attachment_mb:g} MB", "executable": "an executable program"}
        vi.append("Các tệp đính kèm sau không được tiếp nhận:")
        vi.extend(f"  - {name}: {why_vi.get(reason, reason)}" for name, reason in refused)
        en.append("These attachments were not accepted:")
        en.extend(f"  - {name}: {why_en.get(reason, reason)}" for name, reason in refused)
    vi += ["", "Trân trọng,", "Tổng đài hỗ trợ 1900 9299 - Cục Hải quan", ""]
    en += ["", "Kind regards,", "1900 9299 support desk - General Department of Vietnam Customs", ""]
    notice = "Đây là thư trả lời tự động. / This is an automatic reply."
    return "\n".join([*vi, "-" * 40, "", *en, notice])
