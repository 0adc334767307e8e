"""Intake (issue 15): a mail becomes a ticket: read in any charset, HTML made safe, attachments kept,
branch and problem group, tax and business codes, the acknowledgement with the reference, threading."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from callcenter.mail.threading import reference
from models import Call, MailRule, MailState, MailWork, db

from .conftest import BACKENDS
from .mail_intake_support import CUSTOMER, DENOUNCE, DESK, OLD_DESK, desk_on, mail, reply_to, to_cp1258


@pytest.fixture
def desk(app, clock):
    with desk_on(app, clock) as on:
        yield on


VI_TEXT = "Công ty chúng tôi không đăng nhập được hệ thống VNACCS, xin hướng dẫn."


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_mail_becomes_a_ticket_with_its_message_and_an_acknowledgement(desk) -> None:
    result = desk.ingest(mail(VI_TEXT, subject="Không đăng nhập được"))
    assert result.created and result.acknowledged and not result.duplicate and result.reason is None
    (ticket,) = desk.tickets()
    assert result.ticket_id == ticket.id and ticket.branch == 2 and ticket.question == "Không đăng nhập được"
    call = db.session.get(Call, ticket.call_id)
    assert (call.channel, call.caller_kind, call.from_raw, call.stage) == ("email", "email", CUSTOMER, "ended")
    work = db.session.get(MailWork, ticket.id)
    assert work.state == MailState.NEW and work.waiting_since is not None and not work.needs_person
    (message,) = desk.messages("in")
    assert message.body_text == VI_TEXT and message.party == CUSTOMER and message.mailbox_address == DESK
    (ack,) = desk.acks()
    ref = reference(ticket.id)
    assert ref == f"[1900 9299 #{ticket.id}]"
    assert ack.subject == f"{ref} Re: Không đăng nhập được" and ack.party == CUSTOMER
    assert ref in ack.body_text
    assert ack.body_text.index("Tổng đài hỗ trợ") < ack.body_text.index("support desk"), "Vietnamese first"
    answers = "https://hotline.example.test/answers"  # PUBLIC_BASE_URL + "/answers": the answer base (issue 16)
    assert f"tra cứu ngay câu trả lời cho các câu hỏi thường gặp tại: {answers}" in ack.body_text
    assert f"common questions right away at: {answers}" in ack.body_text
    built = desk.build_ack(ack)
    assert built["Auto-Submitted"] == "auto-replied" and built["In-Reply-To"] == f"<{message.message_id}>"
    assert desk.kinds(ticket) == ["MAIL_RECEIVED", "MAIL_ACKNOWLEDGED"]


def test_windows_1258_body_and_encoded_word_subject_read_correctly(desk) -> None:
    text = "Xin hỏi thủ tục nhập khẩu hàng hóa, thuế giá trị gia tăng."
    raw = (
        b"From: =?utf-8?b?" + __import__("base64").b64encode("Nguyễn Văn A".encode()) + b"?= <a@dn.vn>\r\n"
        b"To: " + DESK.encode() + b"\r\n"
        b"Subject: =?windows-1258?Q?" + b"".join(b"=%02X" % c for c in to_cp1258("Thuế nhập khẩu")) + b"?=\r\n"
        b"Message-ID: <cp1258@dn.vn>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=windows-1258\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + to_cp1258(text) + b"\r\n"
    )
    assert text.encode("utf-8") not in raw, "the bytes really are windows-1258"
    result = desk.ingest(raw)
    (message,) = desk.messages("in")
    assert result.created and message.subject == "Thuế nhập khẩu" and message.body_text == text


def test_html_is_sanitised_and_gives_the_text_when_there_is_no_plain_part(desk) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = CUSTOMER, DESK, "HTML"
    message.set_content(
        '<p onclick="steal()">Xin chào <b>Tổng đài</b></p><script>alert(1)</script>'
        '<a href="javascript:evil()">bấm</a><img src="https://tracker.example/p.gif"><p>Dòng hai</p>',
        subtype="html",
    )
    desk.ingest(message)
    (row,) = desk.messages("in")
    assert "script" not in row.body_html and "onclick" not in row.body_html and "javascript" not in row.body_html
    assert "tracker" not in row.body_html and "<b>Tổng đài</b>" in row.body_html
    assert row.body_text == "Xin chào Tổng đài\nbấm\nDòng hai"


def test_plain_text_is_preferred_over_html(desk) -> None:
    desk.ingest(mail("Nội dung thuần văn bản", html="<p>Nội dung HTML</p>"))
    (row,) = desk.messages("in")
    assert row.body_text == "Nội dung thuần văn bản" and row.body_html == "<p>Nội dung HTML</p>"


def test_attachments_within_the_limit_are_kept_with_their_hash(desk) -> None:
    message = mail()
    shot = b"\x89PNG\r\n\x1a\n" + b"x" * 1000
    message.add_attachment(shot, maintype="image", subtype="png", filename="màn hình lỗi.png")
    message.add_attachment(b"y" * (1024 * 1024 + 1), maintype="application", subtype="pdf", filename="big.pdf")
    result = desk.ingest(message)
    kept, big = desk.messages("in")[0].attachments
    assert (kept.filename, kept.content_type, kept.data, kept.refused) == ("màn hình lỗi.png", "image/png", shot, None)
    assert len(kept.sha256) == 64
    assert (big.refused, big.data, big.size_bytes) == ("too_large", None, 1024 * 1024 + 1)
    assert "attachment_refused" in result.flags and result.acknowledged
    (ack,) = desk.acks()
    assert "big.pdf" in ack.body_text and "1 MB" in ack.body_text, "the sender is told why"


def test_mail_to_the_denunciation_address_is_branch_1_without_a_group(desk) -> None:
    desk.ingest(mail("Tố cáo công ty X buôn lậu", subject="Tố cáo", to=DENOUNCE))
    (ticket,) = desk.tickets()
    assert (ticket.branch, ticket.problem_group) == (1, None)
    assert db.session.get(MailWork, ticket.id).branch == 1
    (ack,) = desk.acks()
    assert "/answers" not in ack.body_text, "a denunciation is not sent to the answer base"


def test_the_old_address_is_the_desks_too(desk) -> None:
    desk.ingest(mail(to=OLD_DESK))
    assert desk.messages("in")[0].mailbox_address == OLD_DESK and desk.tickets()[0].branch == 2


def test_rules_propose_a_group_case_and_diacritic_insensitively_in_position_order(desk) -> None:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    db.session.add_all(
        [
            MailRule(position=20, words="mật khẩu, chữ ký số", problem_group="accounts", created_at=at),
            MailRule(position=10, words="MAT KHAU VNACCS", problem_group="incidents", created_at=at),
            MailRule(position=5, words="mật khẩu", problem_group="single_window", active=False, created_at=at),
            MailRule(position=30, words="một cửa", problem_group="single_window", created_at=at),
        ]
    )
    db.session.commit()
    desk.ingest(mail("Tôi quên Mật Khẩu đăng nhập", subject="hỗ trợ"))
    desk.ingest(mail("Xin cấp lại mật khẩu vnaccs", subject="hỗ trợ"))
    desk.ingest(mail("Cổng Một Cửa quốc gia lỗi", subject="hỗ trợ"))
    desk.ingest(mail("Cảm ơn", subject="Chữ ký số hết hạn"))
    desk.ingest(mail("Hỏi chung", subject="Câu hỏi"))
    groups = [t.problem_group for t in desk.tickets()]
    assert groups == ["accounts", "incidents", "single_window", "accounts", "other"]


def test_tax_code_and_business_code_are_picked_out_of_the_mail(desk) -> None:
    desk.ingest(mail("Gọi 0912345678. MST: 0314409058, tờ khai IDA bị lỗi trên VNACCS.", subject="Lỗi"))
    desk.ingest(mail("Chi nhánh 0100100079-001 khai EDA", subject="Hỏi"))
    desk.ingest(mail("Số 0314409059 sai số kiểm tra, mã ABC không có", subject="Hỏi"))
    first, second, third = desk.tickets()
    assert (first.tax_code, first.business_code) == ("0314409058", "IDA")
    assert (second.tax_code, second.business_code) == ("0100100079-001", "EDA")
    assert (third.tax_code, third.business_code) == (None, None)


# -- threading --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_reply_to_the_acknowledgement_threads_and_puts_the_work_back_in_the_backlog(desk, clock) -> None:
    first = desk.ingest(mail())
    work = db.session.get(MailWork, first.ticket_id)
    work.state = MailState.WAITING.value
    db.session.commit()
    clock.advance(3600)
    (ack,) = desk.acks()
    result = desk.ingest(reply_to(ack))
    assert (result.ticket_id, result.created, result.acknowledged, result.reason) == (
        first.ticket_id,
        False,
        False,
        "follow_up",
    )
    db.session.refresh(work)
    assert work.state == MailState.NEW and work.waiting_since == clock.now()
    (ticket,) = desk.tickets()
    assert desk.kinds(ticket)[-3:] == ["MAIL_STATE", "MAIL_RECEIVED", "MAIL_NOT_ACKNOWLEDGED"]


def test_a_colleague_in_cc_replying_threads_by_references(desk) -> None:
    original = mail()
    first = desk.ingest(original)
    colleague = reply_to(original, sender="Trần Thị B <truongphong@congtyabc.vn>", subject="Re: bổ sung")
    assert desk.ingest(colleague).ticket_id == first.ticket_id
    assert len(desk.tickets()) == 1


def test_a_reply_to_an_agents_answer_threads(desk) -> None:
    from callcenter.mail.outbox import Outbox
    from models import Ticket

    first = desk.ingest(mail())
    ticket = db.session.get(Ticket, first.ticket_id)
    answer = Outbox(db.session, desk.settings).queue(
        ticket, kind="reply", to=CUSTOMER, subject="Trả lời", body_text="...", at=desk.clock.now()
    )
    db.session.commit()
    assert desk.ingest(reply_to(answer, subject="Câu hỏi khác hẳn")).ticket_id == first.ticket_id


def test_a_forwarded_mail_with_the_reference_from_the_sender_threads(desk) -> None:
    first = desk.ingest(mail())
    ref = reference(first.ticket_id)
    forwarded = mail("---------- Forwarded message ---------\nnội dung cũ", subject=f"Fwd: {ref} Re: Hỏi về thủ tục")
    assert desk.ingest(forwarded).ticket_id == first.ticket_id
    assert desk.ingest(mail(subject=f"Bổ sung [#{first.ticket_id}]")).ticket_id == first.ticket_id
    assert len(desk.tickets()) == 1


def test_a_stranger_cannot_put_mail_into_a_ticket_by_typing_its_reference(desk) -> None:
    first = desk.ingest(mail())
    other = desk.ingest(mail(subject=f"Re: {reference(first.ticket_id)}", sender="la@nguoikhac.vn"))
    assert other.created and other.ticket_id != first.ticket_id


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_same_message_id_fetched_twice_is_a_duplicate_and_changes_nothing(desk) -> None:
    original = mail()
    first = desk.ingest(original, mailbox="INBOX", uid=7)
    again = desk.ingest(original, mailbox="INBOX", uid=8)
    assert again.duplicate and again.ticket_id == first.ticket_id and not again.created and not again.acknowledged
    assert len(desk.messages("in")) == 1 and len(desk.acks()) == 1 and len(desk.tickets()) == 1


def test_a_mail_without_message_id_gets_a_stable_one_from_its_bytes(desk) -> None:
    raw = f"From: {CUSTOMER}\r\nTo: {DESK}\r\nSubject: no id\r\n\r\nHello\r\n".encode()
    first, again = desk.ingest(raw), desk.ingest(raw)
    assert first.created and again.duplicate and len(desk.tickets()) == 1
    assert desk.messages("in")[0].message_id.endswith("@no-message-id.invalid")


def test_a_closed_tickets_reply_reopens_it(desk) -> None:
    from models import Ticket

    original = mail()
    first = desk.ingest(original)
    ticket = db.session.get(Ticket, first.ticket_id)
    ticket.status, ticket.closed_at = "closed", desk.clock.now()
    db.session.get(MailWork, ticket.id).state = MailState.CLOSED.value
    db.session.commit()
    desk.ingest(reply_to(original))
    db.session.refresh(ticket)
    assert ticket.status == "open" and db.session.get(MailWork, ticket.id).state == MailState.NEW
    assert len(db.session.scalars(select(Ticket)).all()) == 1


def test_a_display_name_with_a_comma_in_an_encoded_word_is_not_an_address(desk) -> None:
    raw = (
        b"From: =?utf-8?b?" + __import__("base64").b64encode("Nguyễn, Văn A".encode()) + b"?= <A.Nguyen@DN.vn>\r\n"
        b"To: " + DESK.encode() + b"\r\nSubject: x\r\nMessage-ID: <comma@dn.vn>\r\n\r\nHello\r\n"
    )
    desk.ingest(raw)
    assert desk.messages("in")[0].party == "a.nguyen@dn.vn" and desk.acks()[0].party == "a.nguyen@dn.vn"


def test_a_forwarded_message_attached_is_one_attachment(desk) -> None:
    inner = mail("Thư gốc của khách hàng", subject="Gốc")
    outer = mail("Chuyển tiếp thư bên dưới", subject="Fwd: Gốc")
    outer.add_attachment(inner)
    desk.ingest(outer)
    (row,) = desk.messages("in")
    (part,) = row.attachments
    assert row.body_text == "Chuyển tiếp thư bên dưới" and part.content_type == "message/rfc822"
    assert "Thư gốc của khách hàng".encode() in part.data and "Thư gốc" not in row.body_text
