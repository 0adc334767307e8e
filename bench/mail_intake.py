"""E-mail intake throughput (issue 15, "Speed"): 10,000 varied messages through `MailIntake.ingest`, the
one path IMAP, the sandbox page and the tests use; messages per second and the share of the time spent
outside parsing (storage, threading, rules, acknowledgements, encryption, commits).

    .venv/bin/python bench/mail_intake.py                            # SQLite (temporary file)
    .venv/bin/python bench/mail_intake.py --create-database \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hotline_mail_intake

The messages (built here, deterministic): plain UTF-8 Vietnamese, HTML only and multipart/alternative,
windows-1258 bodies, RFC 2047 encoded-word subjects, replies threaded by In-Reply-To/References to
earlier ones, a reply naming the ticket in the subject only, a 200 KB screenshot attachment, auto-replies
(Auto-Submitted, Precedence: bulk), mailer-daemon bounces, and every 50th message fetched twice (the
same Message-ID: a duplicate). Each is ingested and committed on its own, as the IMAP round does.

The parse step (`callcenter.mail.parse.parse`, the intake's own) is timed separately over the same
messages. Share outside parsing = 1 − parse time / ingest time.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from email.header import Header
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from bench.database import bench_database  # noqa: E402
from callcenter.common.clock import SystemClock  # noqa: E402
from callcenter.mail import parse as mail_parse  # noqa: E402
from callcenter.mail.intake import MailIntake  # noqa: E402
from callcenter.mail.outbox import Outbox  # noqa: E402
from callcenter.mail.settings import MailSettings  # noqa: E402
from config import TestConfig  # noqa: E402
from models import db  # noqa: E402

SUBJECTS = [
    "Quên mật khẩu tài khoản VNACCS",
    "Chữ ký số hết hạn, không khai được tờ khai IDA",
    "Lỗi cổng Một cửa quốc gia khi nộp hồ sơ",
    "Cập nhật địa chỉ doanh nghiệp sau sáp nhập tỉnh",
    "Mã số thuế không đồng bộ, đăng ký VNACCS thất bại",
    "Hỏi về thủ tục hoàn thuế nhập khẩu",
]
BODY = (
    "Kính gửi Bộ phận hỗ trợ,\n\nCông ty chúng tôi (MST 0101234567) gặp lỗi khi khai báo nghiệp vụ {code} "
    "tại Chi cục Hải quan {unit}. Hệ thống báo lỗi E{err:04d}. Xin hướng dẫn cách xử lý.\n\nTrân trọng,\n{name}\n"
)
UNITS = ["Hà Nội", "Hải Phòng", "TP. Hồ Chí Minh", "Đà Nẵng", "Bắc Ninh", "Quảng Ninh"]
CODES = ["IDA", "EDA", "IDC", "EDC", "MSB", "HYS"]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200 * 1024)  # a 200 KB "screenshot"


TONES = "\u0300\u0301\u0303\u0309\u0323"  # the combining tone marks windows-1258 has


def cp1258_safe(text: str) -> str:
    """`text` with each letter windows-1258 lacks written as its base letter (with horn, breve or
    circumflex, which the code page has) and a combining tone mark: how that code page writes Vietnamese."""
    out = []
    for char in text:
        try:
            char.encode("cp1258")
            out.append(char)
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in TONES)
        candidate = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES)) + tones
        try:
            candidate.encode("cp1258")
            out.append(candidate)
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def build_messages(count: int, to: str = "bophanhotro@customs.gov.vn", seed: int = 15) -> list[bytes]:
    """`count` varied messages (see the module's docstring), deterministic for a seed."""
    rng = random.Random(seed)
    sent: list[str] = []
    out: list[bytes] = []
    # Every message not threaded and not a duplicate opens a ticket; in a fresh database their ids run
    # 1, 2, 3…, so a reply naming its ticket in the subject can name the right one (from the same sender).
    opened: list[tuple[int, str]] = []  # (ticket id, the customer who opened it)
    robots = 0  # tickets opened by auto-replies and bounces
    for i in range(count):
        if i and i % 50 == 0:
            out.append(out[-1])  # fetched twice: the same Message-ID
            continue
        msg = EmailMessage()
        sender = f"doanhnghiep{rng.randrange(count // 3)}@example.vn"
        kind = i % 10
        subject = rng.choice(SUBJECTS)
        body = BODY.format(
            code=rng.choice(CODES), unit=rng.choice(UNITS), err=rng.randrange(10000), name="Nguyễn Văn A"
        )
        msg["Message-ID"] = f"<bench-{i}@example.vn>"
        msg["To"] = to
        msg["Date"] = "Thu, 03 Dec 2026 09:00:00 +0700"
        if kind == 9:
            msg["From"] = "MAILER-DAEMON@mx.example.vn"
            msg["Subject"] = "Undelivered Mail Returned to Sender"
            msg["Auto-Submitted"] = "auto-replied"
            msg.set_content("This is the mail system. Your message could not be delivered.")
        elif kind == 8:
            msg["From"] = sender
            msg["Subject"] = "Trả lời tự động: " + subject
            msg["Auto-Submitted"] = "auto-replied"
            msg["Precedence"] = "bulk"
            msg.set_content("Tôi đang nghỉ phép đến thứ Hai.")
        else:
            threaded = (kind in (1, 2) and bool(sent)) or (kind == 3 and bool(opened))
            if kind == 3 and opened:
                ticket, sender = rng.choice(opened)
            msg["From"] = f"Nguyễn Văn A <{sender}>"
            if kind in (1, 2) and sent:
                parent = rng.choice(sent)
                msg["Subject"] = "Re: " + subject
                msg["In-Reply-To"] = parent
                msg["References"] = parent
            elif kind == 3 and sent:
                msg["Subject"] = f"Re: [1900 9299 #{ticket}] {subject}"  # the reference only
            elif kind == 4:
                msg["Subject"] = Header(subject, "utf-8").encode(maxlinelen=998)  # RFC 2047, pre-encoded
            else:
                msg["Subject"] = subject
            if kind == 5:
                msg.set_content(cp1258_safe(body), charset="windows-1258", cte="quoted-printable")
            elif kind == 6:
                msg.set_content(body)
                msg.add_alternative(f"<html><body><p>{body.replace(chr(10), '<br>')}</p></body></html>", subtype="html")
            elif kind == 7:
                msg.set_content(f"<html><body><p>{body}</p><script>alert(1)</script></body></html>", subtype="html")
            else:
                msg.set_content(body)
            if i % 40 == 0:
                msg.add_attachment(PNG, maintype="image", subtype="png", filename="loi-vnaccs.png")
            sent.append(msg["Message-ID"])
            if not threaded:
                opened.append((len(opened) + 1 + robots, sender))
        if kind in (8, 9):
            robots += 1  # auto-replies and bounces are kept as tickets too (not acknowledged)
        out.append(msg.as_bytes())
    return out


def parser() -> tuple[str, Callable[[bytes], Any]]:
    """The intake's own parse step (timed on its own: the share of time outside parsing)."""
    return "callcenter.mail.parse.parse", mail_parse.parse


def main() -> None:
    argp = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    argp.add_argument("--database-url", default=None)
    argp.add_argument("--create-database", action="store_true", help="create (and drop) that PostgreSQL db")
    argp.add_argument("--messages", type=int, default=10_000)
    args = argp.parse_args()

    raws = build_messages(args.messages)
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/mail_intake.db"
    with bench_database(url, create=args.create_database):  # migrated; created and dropped when asked
        app = create_app(TestConfig, overrides={"DATABASE_URL": url, "SANDBOX_ENABLED": False})
        with app.app_context():
            settings = MailSettings.from_config(app.config)
            intake = MailIntake(db.session, SystemClock(), settings, Outbox(db.session, settings))
            outcomes: dict[str, int] = {}
            started = time.perf_counter()
            for raw in raws:
                result = intake.ingest(raw, mailbox="INBOX")
                db.session.commit()
                key = "duplicate" if result.duplicate else "new ticket" if result.created else "threaded"
                outcomes[key] = outcomes.get(key, 0) + 1
            ingest_seconds = time.perf_counter() - started
        app.extensions["db"].engine.dispose()
    name, parse = parser()
    started = time.perf_counter()
    for raw in raws:
        parse(raw)
    parse_seconds = time.perf_counter() - started
    size = sum(len(r) for r in raws) / 1e6
    print(f"mail intake, {url.split(':')[0]}, {len(raws)} messages ({size:.1f} MB): {outcomes}")
    print(f"  ingest {ingest_seconds:.1f} s = {len(raws) / ingest_seconds:.0f} messages/s")
    print(
        f"  parse alone ({name}) {parse_seconds:.1f} s; share outside parsing {1 - parse_seconds / ingest_seconds:.0%}"
    )


if __name__ == "__main__":
    main()
