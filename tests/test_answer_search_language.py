"""The answer base's language preference (issue 16): `prefer_language` ranks the caller's language first, inside
the one rank expression (answers/search.py), never filtering; exact orders and scores, on both databases.

Every entry below holds the words "password" and "expired" (group accounts, code IDA); the phrase is
"password expired". Popularity = 2 · (helped − not helped) + uses, held within ±499,999:

| entry | language | phrase | popularity        |
|-------|----------|--------|-------------------|
| E1    | en       | yes    | 3                 |
| E2    | en       | no     | 100               |
| E3    | en       | yes    | −20,000,000 → −499,999 |
| V1    | vi       | no     | 1                 |
| V2    | vi       | yes    | 0                 |
| V3    | vi       | no     | 50,000,000 → 499,999 |
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from callcenter.answers.search import AnswerSearch, fill_search_fields
from models import AnswerEntry, db

from .conftest import BACKENDS

TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)

ENTRIES = {
    # name: (title, question, answer, language, helped, not_helped, uses)
    "E1": ("Password expired", "My VNACCS password expired", "Change it on the portal.", "en", 0, 0, 3),
    "E2": ("Expired certificate", "Token expired; which password?", "Renew it, then the password.", "en", 50, 0, 0),
    "E3": ("Password expired again", "Old advice", "Outdated.", "en", 0, 10_000_000, 0),
    "V1": ("Lỗi expired khi nhập password", "Nhập password báo expired", "Liên hệ hỗ trợ.", "vi", 0, 0, 1),
    "V2": ("Password expired trên VNACCS", "Báo lỗi password expired", "Đổi mật khẩu.", "vi", 0, 0, 0),
    "V3": ("Đổi password khi chứng thư expired", "Chứng thư expired thì sao?", "Đổi cả hai.", "vi", 0, 0, 50_000_000),
}


def add_entries(session: Session) -> dict[int, str]:
    """The entries above, published; their names by id."""
    names = {}
    for name, (title, question, answer, language, helped, not_helped, uses) in ENTRIES.items():
        entry = AnswerEntry(
            title=title, question=question, answer=answer, business_codes=["IDA"], problem_group="accounts",
            language=language, status="published", helped=helped, not_helped=not_helped, uses=uses, links=[],
            created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        fill_search_fields(entry)
        session.add(entry)
        session.flush()
        names[entry.id] = name
    session.commit()
    return names


@pytest.fixture
def ranked(database_url: str) -> Iterator[Any]:
    engine = create_engine(database_url)
    with Session(engine) as session:
        names = add_entries(session)

        def run(text: str, **kw: Any) -> list[tuple[str, int]]:
            return [(names[h.entry_id], h.score) for h in AnswerSearch(session).search(text, today=TODAY, **kw)]

        yield run
    engine.dispose()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_preferred_language_comes_first_then_the_phrase_then_the_votes(ranked: Any) -> None:
    # no preference: the phrase first (E1, V2, E3: even E3's bad votes keep it above every non-phrase entry)
    assert ranked("password expired") == [
        ("E1", 1_000_003), ("V2", 1_000_000), ("E3", 500_001), ("V3", 499_999), ("E2", 100), ("V1", 1),
    ]  # fmt: skip
    # Vietnamese first, even V3 and V1 without the phrase above E1 with it
    assert ranked("password expired", prefer_language="vi") == [
        ("V2", 11_000_000), ("V3", 10_499_999), ("V1", 10_000_001), ("E1", 1_000_003), ("E3", 500_001), ("E2", 100),
    ]  # fmt: skip
    assert ranked("Password Expired", prefer_language="en") == [
        ("E1", 11_000_003), ("E3", 10_500_001), ("E2", 10_000_100), ("V2", 1_000_000), ("V3", 499_999), ("V1", 1),
    ]  # fmt: skip


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_preference_ranks_the_screen_pop_and_never_filters(ranked: Any) -> None:
    # the screen pop's lists (a code, a group, no words): the caller's language first, then the votes
    by_code = [("E2", 10_000_100), ("E1", 10_000_003), ("E3", 9_500_001), ("V3", 499_999), ("V1", 1), ("V2", 0)]
    assert ranked("", business_code="IDA", prefer_language="en") == by_code
    assert ranked("", group="accounts", prefer_language="en", limit=3) == by_code[:3]
    assert ranked("", group="accounts", prefer_language="vi", limit=4) == [
        ("V3", 10_499_999), ("V1", 10_000_001), ("V2", 10_000_000), ("E2", 100),
    ]  # fmt: skip
    # one word (no phrase): the language, then the votes
    assert [name for name, _ in ranked("expir", prefer_language="vi")] == ["V3", "V1", "V2", "E2", "E1", "E3"]
    # `language` is the filter; a preference for the other language changes nothing in what it keeps
    assert ranked("password expired", language="vi", prefer_language="en") == [
        ("V2", 1_000_000), ("V3", 499_999), ("V1", 1),
    ]  # fmt: skip


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_prefer_on_the_desk_and_public_apis(app: Flask, client: FlaskClient, make_user: Any) -> None:
    with app.app_context():
        names = add_entries(db.session)
    agent = make_user("agent", "lan")

    def order(path: str, **headers: Any) -> list[str]:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_json()
        return [names[h["id"]] for h in response.get_json()["hits"]]

    assert order("/api/answers?q=password+expired&prefer=en", **agent) == ["E1", "E3", "E2", "V2", "V3", "V1"]
    assert order("/api/answers?q=password+expired&prefer=vi", **agent) == ["V2", "V3", "V1", "E1", "E3", "E2"]
    assert order("/api/answers?q=password+expired&prefer=", **agent) == ["E1", "V2", "E3", "V3", "E2", "V1"]
    assert order("/api/answers?q=password+expired", **agent) == ["E1", "V2", "E3", "V3", "E2", "V1"]
    assert order("/api/answers?group=accounts&lang=vi&prefer=en&limit=2", **agent) == ["V3", "V1"]
    assert order("/public/api/answers?q=password+expired&prefer=en") == ["E1", "E3", "E2", "V2", "V3", "V1"]
    assert order("/public/api/answers?code=IDA&prefer=vi&limit=2") == ["V3", "V1"]
    for path, headers in (("/api/answers?q=password&prefer=fr", agent), ("/public/api/answers?prefer=EN", {})):
        refused = client.get(path, headers={**headers, "Accept-Language": "vi"})
        assert refused.status_code == 400
        assert refused.get_json() == {
            "error": "bad_input", "message": "prefer là ngôn ngữ hiển thị trước: vi hoặc en.",
        }  # fmt: skip
        english = client.get(path, headers={**headers, "Accept-Language": "en"}).get_json()
        assert english["message"] == "prefer is the language to show first: vi or en."
