"""The demo's answer base (issue 16): nearly thirty published answers for the four problem groups, in
Vietnamese with some English versions, entered through AnswerService (folded for search), used on the
demo's calls of their group and voted on."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from callcenter.ops.demo_answers import DEMO_ANSWERS, seed_answers
from models import AnswerEntry, AnswerFeedback, AnswerUse, db

from .answers_data_support import answered_call
from .conftest import BACKENDS

VIETNAMESE = re.compile("[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]")


def test_the_texts() -> None:
    assert 25 <= len(DEMO_ANSWERS) <= 40
    groups = {e[0] for e in DEMO_ANSWERS}
    assert groups == {"accounts", "incidents", "single_window", "other"}
    for group in groups:
        assert sum(1 for e in DEMO_ANSWERS if e[0] == group) >= 5, group
        assert any(e[0] == group and e[2] == "en" for e in DEMO_ANSWERS), f"an English version in {group}"
    for _group, codes, language, title, question, answer, *_ in DEMO_ANSWERS:
        assert len(title) <= 200 and all(re.fullmatch(r"[A-Z]{3}", c) for c in codes)
        if language == "vi":
            assert all(VIETNAMESE.search(t) for t in (title, question, answer)), title
    assert len({e[3] for e in DEMO_ANSWERS}) == len(DEMO_ANSWERS), "titles are unique"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_seeded_through_the_service(app, clock) -> None:
    t = datetime(2026, 11, 21, 3, tzinfo=UTC)
    with app.app_context():
        for n in range(12):
            answered_call(n, t + timedelta(minutes=10 * n), talk=200, wrapup=30, group="accounts", code="IDA")
        lines = list(seed_answers(db.session, clock))
        assert lines == [f"seeded {len(DEMO_ANSWERS)} published answers, used on 12 demo calls"]
        entries = db.session.scalars(select(AnswerEntry).order_by(AnswerEntry.id)).all()
        assert len(entries) == len(DEMO_ANSWERS) and {e.status for e in entries} == {"published"}
        first = entries[0]
        assert first.title == "Quên mật khẩu tài khoản người sử dụng VNACCS"
        assert "quen mat khau tai khoan nguoi su dung vnaccs" in first.search_text
        assert first.codes_text == " IDA EDA " and first.reviewer == "supervisor"
        assert (first.uses, first.helped, first.not_helped) == (6, 14, 2)
        assert db.session.scalar(select(func.count()).select_from(AnswerUse)) == 12, "the 12 accounts calls"
        votes = db.session.execute(
            select(AnswerFeedback.entry_id, AnswerFeedback.helped, func.count(), func.min(AnswerFeedback.at),
                   func.max(AnswerFeedback.at))
            .group_by(AnswerFeedback.entry_id, AnswerFeedback.helped)
        ).all()  # fmt: skip
        dated = {(entry_id, helped): n for entry_id, helped, n, _first, _last in votes}
        for e in entries:  # the dated answers are the counters, vote for vote
            assert (dated.get((e.id, True), 0), dated.get((e.id, False), 0)) == (e.helped, e.not_helped), e.title
        assert dated[(first.id, True)] == 14 and dated[(first.id, False)] == 2
        now = clock.now()
        assert first.published_at == now - timedelta(days=3), "published at the start of the demo's history"
        assert all(now - timedelta(days=3) < row[3] and row[4] < now for row in votes), "spread over the history"
        assert list(seed_answers(db.session, clock)) == [], "once"
