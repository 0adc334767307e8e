"""The answer base on the e-mail desk (issue 16 on issue 15's desk): the mail JSON gives the softphone the
e-mail's business code, problem group and language; the reply records the published answer the agent used
(once per ticket, in the reply's transaction) and refuses an unpublished one or any on branch-1 mail with
nothing sent and nothing recorded; an answered e-mail can be proposed as an answer, de-identified."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from callcenter.answers.service import AnswerService
from models import AnswerEntry, AnswerUse, MailMessage, MailWork, User, db

from .conftest import BACKENDS
from .mail_desk_support import Desk, agent_user, new_mail
from .mail_intake_support import desk_on, mail, reply_to

SENDER = "Nguyễn Thị Hoa <hoa.nguyen@congtyabc.vn>"
QUESTION = (
    "Kính gửi Tổng đài, tôi là Nguyễn Thị Hoa, kế toán công ty. Khai tờ khai IDA thì báo mật khẩu hết hạn, "
    "phải làm thế nào? Xin liên hệ hoa.nguyen@congtyabc.vn hoặc 0912 345 678, MST 0314409058."
)


def entry(app: Flask, clock: Any, *, publish: bool = True, codes: tuple[str, ...] = ("IDA",)) -> int:
    with app.app_context():
        service = AnswerService(db.session, clock)
        row = service.create(
            by="minh",
            title="Mật khẩu VNACCS hết hạn",
            question="Mật khẩu hết hạn khi khai tờ khai thì làm gì?",
            answer="Chọn Quên mật khẩu và xác thực bằng chữ ký số.",
            business_codes=list(codes),
            problem_group="accounts",
        )
        if publish:
            service.publish(row.id, "minh")
        db.session.commit()
        return row.id


def ingest(app: Flask, clock: Any, message: Any) -> int:
    with desk_on(app, clock) as desk:
        result = desk.ingest(message)
        db.session.commit()
        return result.ticket_id


def replies(app: Flask, ticket_id: int) -> int:
    with app.app_context():
        query = select(func.count()).where(MailMessage.ticket_id == ticket_id, MailMessage.kind == "reply")
        return db.session.scalar(query)


def uses(app: Flask) -> list[tuple[int, int, int | None]]:
    with app.app_context():
        return [(u.entry_id, u.ticket_id, u.agent_id) for u in db.session.scalars(select(AnswerUse))]


def entry_uses(app: Flask, entry_id: int) -> int:
    with app.app_context():
        return db.session.get(AnswerEntry, entry_id).uses


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_reply_records_the_published_answer_used_once(app: Flask, clock: Any, database_url: str) -> None:
    published, proposed = entry(app, clock), entry(app, clock, publish=False)
    first = mail(QUESTION, subject="Lỗi mật khẩu khi khai IDA", sender=SENDER)
    ticket = ingest(app, clock, first)
    agent_id = agent_user(app, clock, "lan")
    lan = Desk(app, "lan")
    shown = lan.mail()
    assert shown["ticket_id"] == ticket
    assert (shown["business_code"], shown["problem_group"], shown["language"], shown["branch"]) == (
        "IDA",
        "other",
        "vi",
        2,
    )

    body = {"ticket_id": ticket, "body": "Kính gửi chị, chọn Quên mật khẩu."}
    for wrong, message in (
        (proposed, "This answer is not published: choose one from the list."),
        (999_999, "This answer is not published: choose one from the list."),
        ("7", "Choose an answer from the list."),
        (True, "Choose an answer from the list."),
    ):
        refused = lan.post("mail/reply", {**body, "answer_id": wrong})
        assert refused.status_code == 400, wrong
        assert refused.get_json() == {"error": "bad_answer", "message": message}
    assert replies(app, ticket) == 0 and uses(app) == [], "nothing sent, nothing recorded"
    with app.app_context():
        assert db.session.get(MailWork, ticket).state == "assigned"

    sent = lan.post("mail/reply", {**body, "waiting": True, "answer_id": published})
    assert sent.status_code == 200, sent.get_json()
    assert replies(app, ticket) == 1
    assert uses(app) == [(published, ticket, agent_id)] and entry_uses(app, published) == 1

    clock.advance(3600)
    with desk_on(app, clock) as intake:
        intake.ingest(reply_to(first, "Vẫn chưa được, xin chỉ thêm.", sender=SENDER))
        db.session.commit()
    assert lan.mail()["ticket_id"] == ticket, "the customer wrote back: the same ticket, back on a desk"
    again = lan.post("mail/reply", {**body, "answer_id": published})
    assert again.status_code == 200
    assert replies(app, ticket) == 2
    assert uses(app) == [(published, ticket, agent_id)] and entry_uses(app, published) == 1, "once per ticket"


def test_branch_1_mail_never_records_an_answer(app: Flask, clock: Any) -> None:
    published = entry(app, clock)
    ticket = new_mail(app, clock, branch=1, group=None, body="Tố cáo cán bộ hải quan nhận tiền, tờ khai IDA.")
    agent_user(app, clock, "binh", ["branch_1", "vi"])
    binh = Desk(app, "binh")
    shown = binh.mail()
    assert (shown["ticket_id"], shown["branch"], shown["business_code"]) == (ticket, 1, None)
    refused = binh.post("mail/reply", {"ticket_id": ticket, "body": "Chúng tôi đã nhận.", "answer_id": published})
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "bad_answer", "message": "Branch-1 e-mails do not use the answer base."}
    with app.app_context():  # in her language
        db.session.scalars(select(User).where(User.username == "binh")).one().language = "vi"
        db.session.commit()
    refused = binh.post("mail/reply", {"ticket_id": ticket, "body": "Chúng tôi đã nhận.", "answer_id": published})
    assert refused.get_json()["message"] == "Thư điện tử nhánh 1 không dùng cơ sở câu trả lời."
    assert replies(app, ticket) == 0 and uses(app) == []
    assert binh.post("mail/reply", {"ticket_id": ticket, "body": "Chúng tôi đã nhận."}).status_code == 200
    assert replies(app, ticket) == 1 and uses(app) == []


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_answered_email_is_proposed_without_the_correspondents_data(
    app: Flask, clock: Any, database_url: str
) -> None:
    ticket = ingest(app, clock, mail(QUESTION, subject="Lỗi mật khẩu khi khai IDA", sender=SENDER))
    agent_user(app, clock, "lan")
    lan = Desk(app, "lan")
    assert lan.mail()["ticket_id"] == ticket

    def propose() -> Any:
        return lan.client.post("/api/answers/propose", json={"ticket_id": ticket}, headers={"X-CSRF-Token": lan.csrf})

    early = propose()
    assert early.status_code == 404, "not answered yet: not hers to propose"
    assert early.get_json()["message"] == (
        "You can propose an answer only from a call you wrapped up or an e-mail you answered."
    )
    answer = "Kính gửi chị Nguyễn Thị Hoa: chọn Quên mật khẩu trên VNACCS; thư trả lời gửi hoa.nguyen@congtyabc.vn."
    assert lan.post("mail/reply", {"ticket_id": ticket, "body": answer}).status_code == 200
    proposed = propose()
    assert proposed.status_code == 201, proposed.get_json()
    got = proposed.get_json()
    assert (got["status"], got["author"], got["business_codes"], got["language"]) == ("proposed", "lan", ["IDA"], "vi")
    assert got["question"] == (
        "Kính gửi Tổng đài, tôi là [người gọi], kế toán công ty. Khai tờ khai IDA thì báo mật khẩu hết hạn, "
        "phải làm thế nào? Xin liên hệ [người gọi] hoặc [số điện thoại], MST [người gọi]."
    )
    assert got["answer"] == "Kính gửi chị [người gọi]: chọn Quên mật khẩu trên VNACCS; thư trả lời gửi [người gọi]."
    assert propose().status_code == 409, "once per ticket"
