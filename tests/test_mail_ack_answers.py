"""The acknowledgement suggests answers (issue 16 on issue 15): a branch-2 mail's acknowledgement lists up to
three published answers for its business code, then its problem group, then its subject's words, in the
mail's language first, each with a link that searches its title on the public page; never on branch 1,
never a retired or unpublished answer, no gap counted for a subject that finds nothing, and the
acknowledgement still goes out when the search fails."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from callcenter.answers.search import AnswerSearch
from callcenter.answers.service import AnswerService
from models import AnswerSearchMiss, MailRule, db

from .conftest import BACKENDS
from .mail_intake_support import DENOUNCE, desk_on, mail

BASE = "https://hotline.example.test/answers"
VI_HEAD, EN_HEAD = "Các câu trả lời sau có thể giúp Quý vị:", "These answers may help:"


def answer(
    desk: Any,
    title: str,
    *,
    codes: tuple[str, ...] = ("IDA",),
    group: str = "incidents",
    language: str = "vi",
    uses: int = 0,
    status: str = "published",
) -> int:
    service = AnswerService(db.session, desk.clock)
    row = service.create(
        by="minh",
        title=title,
        question=f"Hỏi: {title}",
        answer=f"Trả lời: {title}",
        business_codes=list(codes),
        problem_group=group,
        language=language,
    )
    if status in ("published", "retired"):
        service.publish(row.id, "minh")
    if status == "retired":
        service.retire(row.id, "minh")
    row.uses = uses
    db.session.commit()
    return row.id


@pytest.fixture
def desk(app: Flask, clock: Any) -> Any:
    with desk_on(app, clock) as on:
        yield on


def misses() -> int:
    return db.session.scalar(select(func.count()).select_from(AnswerSearchMiss))


def suggestion_lines(body: str) -> tuple[list[str], list[str]]:
    """The lines after each heading that name an answer ("  - …"), Vietnamese then English."""

    def after(head: str) -> list[str]:
        lines = body.splitlines()
        if head not in lines:
            return []
        rest = lines[lines.index(head) + 1 :]
        return [line for line in rest[: next((i for i, x in enumerate(rest) if not x.startswith("  - ")), None)]]

    return after(VI_HEAD), after(EN_HEAD)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_branch_2_acknowledgement_lists_the_codes_published_answers_in_its_language_first(
    desk: Any, database_url: str
) -> None:
    answer(desk, "Sửa tờ khai IDA sau thông quan", uses=5)
    answer(desk, "Khai báo IDA lần đầu", uses=1)
    answer(desk, "Mật khẩu VNACCS hết hạn")
    answer(desk, "IDA declaration rejected", language="en", uses=40)  # the other language: after the three
    answer(desk, "Tờ khai IDA cũ", uses=100, status="retired")
    answer(desk, "Nháp trả lời IDA", uses=50, status="proposed")
    answer(desk, "Chữ ký số hết hạn", codes=("IDC",), uses=90)
    result = desk.ingest(mail("Tờ khai IDA của chúng tôi bị từ chối, xin hướng dẫn.", subject="Lỗi khai tờ khai"))
    assert result.acknowledged
    (ack,) = desk.acks()
    expected = [
        f"  - Sửa tờ khai IDA sau thông quan: {BASE}?q=S%E1%BB%ADa+t%E1%BB%9D+khai+IDA+sau+th%C3%B4ng+quan",
        f"  - Khai báo IDA lần đầu: {BASE}?q=Khai+b%C3%A1o+IDA+l%E1%BA%A7n+%C4%91%E1%BA%A7u",
        f"  - Mật khẩu VNACCS hết hạn: {BASE}?q=M%E1%BA%ADt+kh%E1%BA%A9u+VNACCS+h%E1%BA%BFt+h%E1%BA%A1n",
    ]
    assert suggestion_lines(ack.body_text) == (expected, expected)
    lines = ack.body_text.splitlines()
    vi_link = lines.index(f"Quý vị có thể tra cứu ngay câu trả lời cho các câu hỏi thường gặp tại: {BASE}")
    en_link = lines.index(f"You may find an answer to common questions right away at: {BASE}")
    assert lines[vi_link + 1] == VI_HEAD and lines[en_link + 1] == EN_HEAD, "right under the page's link"
    assert "IDA declaration rejected" not in ack.body_text
    assert "Tờ khai IDA cũ" not in ack.body_text and "Nháp trả lời IDA" not in ack.body_text
    assert misses() == 0


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_codes_answers_come_first_then_the_groups(desk: Any, database_url: str) -> None:
    db.session.add(MailRule(position=1, words="treo", problem_group="incidents", created_at=desk.clock.now()))
    answer(desk, "Khai báo IDA lần đầu", group="accounts")
    answer(desk, "Hệ thống VNACCS chậm", codes=(), uses=3)
    answer(desk, "Chữ ký số hết hạn", codes=(), group="accounts", uses=9)
    desk.ingest(mail("Khai tờ khai IDA thì hệ thống bị treo.", subject="Hỏi gấp"))
    (ticket,) = desk.tickets()
    assert (ticket.business_code, ticket.problem_group) == ("IDA", "incidents")
    expected = [
        f"  - Khai báo IDA lần đầu: {BASE}?q=Khai+b%C3%A1o+IDA+l%E1%BA%A7n+%C4%91%E1%BA%A7u",
        f"  - Hệ thống VNACCS chậm: {BASE}?q=H%E1%BB%87+th%E1%BB%91ng+VNACCS+ch%E1%BA%ADm",
    ]
    assert suggestion_lines(desk.acks()[0].body_text) == (expected, expected)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_without_a_code_the_subjects_words_find_them_and_a_miss_is_no_gap(desk: Any, database_url: str) -> None:
    answer(desk, "Mật khẩu VNACCS hết hạn", codes=())
    answer(desk, "Tờ khai IDA cũ", codes=(), status="retired")
    desk.ingest(mail("Xin hướng dẫn giúp.", subject="Re: mat khau VNACCS"))
    desk.ingest(mail("Xin hướng dẫn giúp.", subject="Tờ khai IDA cũ", sender="b@congtyxyz.vn"))
    desk.ingest(mail("Xin hướng dẫn giúp.", subject="Thuế bảo vệ môi trường", sender="c@congtydef.vn"))
    found, retired, nothing = desk.acks()
    line = f"  - Mật khẩu VNACCS hết hạn: {BASE}?q=M%E1%BA%ADt+kh%E1%BA%A9u+VNACCS+h%E1%BA%BFt+h%E1%BA%A1n"
    assert suggestion_lines(found.body_text) == ([line], [line])
    for ack in (retired, nothing):
        assert VI_HEAD not in ack.body_text and EN_HEAD not in ack.body_text and "?q=" not in ack.body_text
    assert misses() == 0, "the acknowledgement's guesses are not the businesses' gaps"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_branch_1_and_no_public_address_get_no_suggestions(app: Flask, desk: Any, database_url: str) -> None:
    answer(desk, "Sửa tờ khai IDA sau thông quan")
    desk.ingest(mail("Tố cáo cán bộ nhận tiền khi thông quan tờ khai IDA.", subject="Tố cáo", to=DENOUNCE))
    (denounced,) = desk.acks()
    assert desk.tickets()[0].branch == 1
    assert "Sửa tờ khai" not in denounced.body_text and "?q=" not in denounced.body_text
    with desk_on(app, desk.clock, answers_url="") as quiet:
        quiet.ingest(mail("Tờ khai IDA bị lỗi.", subject="Lỗi IDA", sender="b@congtyxyz.vn"))
    assert "Sửa tờ khai" not in desk.acks()[1].body_text


def test_a_failing_search_sends_the_acknowledgement_without_suggestions(desk: Any, monkeypatch: Any) -> None:
    answer(desk, "Sửa tờ khai IDA sau thông quan")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the index is gone")

    monkeypatch.setattr(AnswerSearch, "search", broken)
    result = desk.ingest(mail("Tờ khai IDA bị lỗi.", subject="Lỗi IDA"))
    assert result.created and result.acknowledged
    (ack,) = desk.acks()
    assert VI_HEAD not in ack.body_text and "Sửa tờ khai" not in ack.body_text
    assert f"right away at: {BASE}" in ack.body_text, "the rest of the acknowledgement as always"
    assert len(desk.messages("in")) == 1
