"""An e-mail ticket's thread as the pages show it (the softphone's e-mail panel, the ticket page).

Need-to-know (the contact's branch, `tickets.visibility`): the sender's address of a branch-1 (or
unknown-branch) conversation is shown to investigators only. Its text too, on the ticket pages and the
API; the agent whose desk it is on (a branch_1-skilled agent, who must read it to answer, as she hears a
branch-1 caller) sees the text without the address. Bodies are text: a message's sanitised HTML is
reduced to its text here, and the pages put text in the page as text (never as HTML).
"""

from __future__ import annotations

import html
from typing import Any

import nh3
from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.common.http import iso
from callcenter.tickets.visibility import caller_visible
from models import Call, MailAttachment, MailMessage, MailWork, Ticket

BLOCKS = ("</p>", "<br>", "<br/>", "<br />", "</div>", "</li>", "</tr>", "</h1>", "</h2>", "</h3>")


def html_to_text(markup: str) -> str:
    """The text of (sanitised) HTML: block ends become line breaks, every tag goes, entities are decoded."""
    for block in BLOCKS:
        markup = markup.replace(block, block + "\n").replace(block.upper(), block + "\n")
    text = html.unescape(nh3.clean(markup, tags=set()))
    return "\n".join(line.rstrip() for line in text.splitlines()).strip()


def message_text(message: MailMessage) -> str:
    return message.body_text or (html_to_text(message.body_html) if message.body_html else "")


def may_read_text(work_or_branch: int | None, role: str, on_her_desk: bool = False) -> bool:
    """The text of a conversation: whoever may see its sender, and the agent it is on the desk of."""
    return on_her_desk or caller_visible(work_or_branch, role)


def thread_json(
    session: Session, ticket: Ticket, call: Call, role: str, *, on_her_desk: bool = False
) -> dict[str, Any]:
    """The conversation: sender (or hidden), subject, every message in and out with its attachments."""
    sender_visible = caller_visible(call.branch, role)
    text_visible = may_read_text(call.branch, role, on_her_desk)
    work = session.get(MailWork, ticket.id)
    messages = session.scalars(
        select(MailMessage).where(MailMessage.ticket_id == ticket.id).order_by(MailMessage.at, MailMessage.id)
    ).all()
    first_in = next((m for m in messages if m.direction == "in"), None)
    return {
        "ticket_id": ticket.id,
        "call_sid": call.call_sid,
        "channel": call.channel,
        "branch": call.branch,
        "problem_group": ticket.problem_group,
        "business_code": ticket.business_code if sender_visible else None,  # from intake (or the agent)
        "language": call.language,
        "sender": call.from_raw if sender_visible else None,
        "sender_hidden": not sender_visible,
        "text_hidden": not text_visible,
        "subject": (first_in.subject if first_in else None) if text_visible else None,
        "state": work.state if work else None,
        "received_at": iso(work.received_at) if work else iso(call.started_at),
        "waiting_since": iso(work.waiting_since) if work else None,
        "first_response_at": iso(work.first_response_at) if work else None,
        "needs_person": bool(work and work.needs_person),
        "messages": [_message(m, sender_visible, text_visible) for m in messages],
    }


def _message(m: MailMessage, sender_visible: bool, text_visible: bool) -> dict[str, Any]:
    return {
        "id": m.id,
        "direction": m.direction,
        "kind": m.kind,
        "at": iso(m.at),
        "party": m.party if sender_visible else None,
        "subject": m.subject if text_visible else None,
        "body": message_text(m) if text_visible else None,
        "status": m.status,
        "auto_submitted": m.auto_submitted,
        "attachments": [_attachment(a) for a in m.attachments] if text_visible else [],
    }


def _attachment(a: MailAttachment) -> dict[str, Any]:
    kept = a.data is not None and not a.refused
    return {
        "id": a.id,
        "filename": a.filename,
        "content_type": a.content_type,
        "size_bytes": a.size_bytes,
        "refused": a.refused,
        "url": url_for("mail_desk.attachment", attachment_id=a.id) if kept else None,
    }
