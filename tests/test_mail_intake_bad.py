"""Intake's bad input (issue 15): each gets a defined outcome and nothing is lost: an oversized mail,
broken MIME, no sender, an executable, a zip bomb (stored, never opened), robots that must not be
answered, the per-sender rate limit and a loop between two auto-responders, a spoofed sender."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage

import pytest

from callcenter.common.labels import VOCABULARIES
from callcenter.mail.ack import AckSkip
from models import MailWork, db

from .conftest import BACKENDS
from .mail_intake_support import CUSTOMER, DESK, desk_on, mail


@pytest.fixture
def desk(app, clock):
    with desk_on(app, clock) as on:
        yield on


def test_every_reason_for_no_acknowledgement_has_a_label() -> None:
    assert sorted(VOCABULARIES["ack_skip"]) == sorted(reason.value for reason in AckSkip)


def test_a_30_mb_message_is_not_parsed_but_kept_as_a_stub_and_the_sender_told(desk, monkeypatch) -> None:
    import callcenter.mail.intake as intake

    message = mail("Gửi kèm hồ sơ", subject="Hồ sơ lớn")
    message.add_attachment(b"\x00" * (30 * 1024 * 1024), maintype="application", subtype="pdf", filename="hs.pdf")
    raw = message.as_bytes()
    assert len(raw) > 30 * 1024 * 1024 > desk.settings.max_message_bytes

    def never(_raw):
        raise AssertionError("an oversized mail must not be parsed")

    monkeypatch.setattr(intake, "parse", never)
    result = desk.ingest(raw)
    assert result.created and result.acknowledged and "too_large" in result.flags
    (row,) = desk.messages("in")
    assert row.subject == "Hồ sơ lớn" and row.party == CUSTOMER and row.body_text is None
    assert row.raw.startswith(b"From:") and len(row.raw) < 4096, "a stub: the header block only"
    assert row.size_bytes == len(raw) and row.attachments == []
    work = db.session.get(MailWork, result.ticket_id)
    assert work.needs_person and work.flags == "too_large"
    (ack,) = desk.acks()
    assert "vượt quá dung lượng" in ack.body_text and "larger than we accept" in ack.body_text


def test_a_header_only_mail_whose_server_size_is_too_large_is_the_same_stub(desk) -> None:
    """The IMAP round fetches only the header of a mail over the limit and passes the server's size."""
    head = mail("", subject="Hồ sơ rất lớn").as_bytes().split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    result = desk.ingest(head, size=40 * 1024 * 1024)
    assert result.created and result.acknowledged and "too_large" in result.flags
    (row,) = desk.messages("in")
    assert row.size_bytes == 40 * 1024 * 1024 and row.subject == "Hồ sơ rất lớn"
    (ack,) = desk.acks()
    assert "larger than we accept" in ack.body_text


MALFORMED = (
    b"From: Cong ty <" + CUSTOMER.encode() + b">\r\n"
    b"To: " + DESK.encode() + b"\r\n"
    b"Subject: broken\r\n"
    b"Message-ID: <broken-1@congtyabc.vn>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed\r\n\r\n"  # no boundary
    b"--zzz\r\nContent-Type: text/plain\r\n\r\nnoi dung\r\n--zzz--\r\n"
)


def test_malformed_mime_is_kept_raw_on_a_ticket_for_a_person(desk) -> None:
    result = desk.ingest(MALFORMED)
    assert result.created and "unparseable" in result.flags
    (row,) = desk.messages("in")
    assert row.raw == MALFORMED, "nothing is lost: the bytes as they came"
    assert row.party == CUSTOMER and row.subject == "broken"
    work = db.session.get(MailWork, result.ticket_id)
    assert work.needs_person and "unparseable" in work.flags
    assert result.acknowledged, "the sender is known: told the reference, a person reads the mail"
    assert desk.ingest(MALFORMED).duplicate, "its Message-ID still dedupes it"


def test_bytes_that_are_no_mail_at_all_are_kept_too(desk) -> None:
    garbage = b"\x00\xff\xfe not a mail \x89PNG"
    result = desk.ingest(garbage)
    assert result.created and not result.acknowledged and result.reason == "no_sender"
    assert set(result.flags) == {"unparseable", "no_sender"}
    assert desk.messages("in")[0].raw == garbage


def test_a_mail_without_from_is_flagged_and_not_acknowledged(desk) -> None:
    result = desk.ingest(mail(sender=""))
    assert result.created and not result.acknowledged and result.reason == "no_sender"
    (ticket,) = desk.tickets()
    assert db.session.get(MailWork, ticket.id).flags == "no_sender" and desk.acks() == []
    assert desk.kinds(ticket) == ["MAIL_RECEIVED", "MAIL_NOT_ACKNOWLEDGED"]
    assert desk.events(ticket)[-1].data["reason"] == "no_sender"


def test_executables_are_refused_by_name_type_or_content(desk) -> None:
    message = mail()
    message.add_attachment(b"MZ\x90\x00 program", maintype="application", subtype="octet-stream", filename="hd.exe")
    message.add_attachment(b"echo hi", maintype="application", subtype="x-msdownload", filename="run")
    message.add_attachment(b"MZ\x90\x00 renamed", maintype="application", subtype="pdf", filename="hoadon.pdf")
    message.add_attachment(b"WScript.Echo 1", maintype="text", subtype="plain", filename="a.VBS")
    message.add_attachment(b"%PDF-1.4 ok", maintype="application", subtype="pdf", filename="to-khai.pdf")
    result = desk.ingest(message)
    parts = desk.messages("in")[0].attachments
    assert [(p.filename, p.refused) for p in parts] == [
        ("hd.exe", "executable"),
        ("run", "executable"),
        ("hoadon.pdf", "executable"),
        ("a.VBS", "executable"),
        ("to-khai.pdf", None),
    ]
    assert all(p.data is None for p in parts[:4]) and parts[4].data == b"%PDF-1.4 ok"
    assert "attachment_refused" in result.flags
    assert "hd.exe" in desk.acks()[0].body_text


def test_a_zip_bomb_is_stored_as_bytes_and_never_opened(desk, monkeypatch) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("bomb.txt", b"\x00" * (50 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 100 * 1024, "50 MB of zeros compress to a few kilobytes"

    def opened(*args, **kwargs):
        raise AssertionError("intake must never open an archive")

    for module, name in (
        (zipfile.ZipFile, "__init__"),
        (zipfile, "is_zipfile"),
        (__import__("gzip"), "decompress"),
        (__import__("zlib"), "decompress"),
        (__import__("tarfile"), "open"),
        (__import__("shutil"), "unpack_archive"),
    ):
        monkeypatch.setattr(module, name, opened)
    message = mail()
    message.add_attachment(bomb, maintype="application", subtype="zip", filename="hoso.zip")
    result = desk.ingest(message)
    (part,) = desk.messages("in")[0].attachments
    assert (part.filename, part.refused, part.size_bytes, part.data) == ("hoso.zip", None, len(bomb), bomb)
    assert result.acknowledged and result.flags == ()


ROBOTS = [
    ({"Auto_Submitted": "auto-replied"}, "auto_submitted"),
    ({"Auto_Submitted": "auto-generated; owner-email=x@y.vn"}, "auto_submitted"),
    ({"X_Autoreply": "yes"}, "auto_reply_header"),
    ({"X_Autorespond": "Vacation"}, "auto_reply_header"),
    ({"Precedence": "bulk"}, "precedence"),
    ({"Precedence": "junk"}, "precedence"),
    ({"Precedence": "list"}, "precedence"),
    ({"List_Id": "<ban-tin.congtyabc.vn>"}, "mailing_list"),
    ({"List_Unsubscribe": "<mailto:unsub@congtyabc.vn>"}, "mailing_list"),
    ({"Return_Path": "<>"}, "bounce"),
    ({"sender": "MAILER-DAEMON@mx.congtyabc.vn"}, "robot_sender"),
    ({"sender": "postmaster@congtyabc.vn"}, "robot_sender"),
    ({"sender": "noreply@congtyabc.vn"}, "robot_sender"),
    ({"sender": "no-reply@congtyabc.vn"}, "robot_sender"),
]


@pytest.mark.parametrize(("headers", "reason"), ROBOTS, ids=[r for _h, r in ROBOTS])
def test_robots_get_no_acknowledgement_and_the_reason_is_on_the_timeline(desk, headers, reason) -> None:
    result = desk.ingest(mail(**headers))
    assert result.created and not result.acknowledged and result.reason == reason
    (ticket,) = desk.tickets()
    assert desk.events(ticket)[-1].kind == "MAIL_NOT_ACKNOWLEDGED" and desk.events(ticket)[-1].data == {
        "reason": reason
    }
    assert desk.acks() == [] and desk.messages("in")[0].auto_submitted == reason


def test_auto_submitted_no_is_a_person(desk) -> None:
    assert desk.ingest(mail(Auto_Submitted="no")).acknowledged


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_at_most_n_acknowledgements_per_sender_per_hour(desk, clock) -> None:
    results = [desk.ingest(mail(f"Câu hỏi số {n}", subject=f"Câu hỏi {n}")) for n in range(5)]
    assert [r.acknowledged for r in results] == [True, True, True, False, False]
    assert [r.reason for r in results[3:]] == ["rate_limited", "rate_limited"]
    assert len(desk.tickets()) == 5, "every mail is still a ticket"
    assert desk.ingest(mail(sender="other@dn.vn")).acknowledged, "the limit is per sender"
    clock.advance(3601)
    assert desk.ingest(mail("Sau một giờ", subject="Lại hỏi")).acknowledged


def _auto_reply_to(ack: EmailMessage, *, polite: bool, n: int) -> EmailMessage:
    """Another desk's auto-responder answering our acknowledgement."""
    if polite:  # RFC 3834: marked, threaded
        return mail(
            "Tôi đang nghỉ phép.",
            subject=f"Auto: {ack['Subject']}",
            Auto_Submitted="auto-replied",
            In_Reply_To=ack["Message-ID"],
            References=ack["Message-ID"],
        )
    # A rude one: no marks, no threading, a fresh subject each time.
    return mail("Thư của bạn đã được nhận.", subject=f"Xác nhận #{n}")


@pytest.mark.parametrize("polite", [True, False], ids=["marked", "unmarked"])
def test_a_loop_between_two_auto_responders_ends(desk, polite) -> None:
    first = desk.ingest(mail())
    assert first.acknowledged
    answered = 0
    for n in range(50):  # each of our acknowledgements gets the other robot's answer, which we ingest
        acks = desk.acks()
        if answered == len(acks):
            break
        answered += 1
        desk.ingest(_auto_reply_to(desk.build_ack(acks[answered - 1]), polite=polite, n=n))
    assert len(desk.acks()) == (1 if polite else desk.settings.acks_per_sender_per_hour)
    assert answered == len(desk.acks()), "the loop stopped on its own"


def test_a_spoofed_sender_is_flagged_and_never_acknowledged(desk) -> None:
    spoof = mail("Vui lòng chuyển khoản phí hải quan vào tài khoản sau", sender=f"Tổng đài <{DESK}>")
    result = desk.ingest(spoof)
    assert result.created and not result.acknowledged and result.reason == "spoofed_sender"
    assert result.flags == ("spoofed_sender",)
    work = db.session.get(MailWork, result.ticket_id)
    assert work.needs_person and work.flags == "spoofed_sender" and desk.acks() == []


def test_our_own_mail_coming_back_changes_nothing(desk) -> None:
    desk.ingest(mail())
    (ack,) = desk.acks()
    echo = desk.build_ack(ack)
    result = desk.ingest(echo)
    assert result.duplicate and result.reason == "own_address" and not result.acknowledged
    assert len(desk.tickets()) == 1 and len(desk.messages("in")) == 1 and len(desk.acks()) == 1
