"""The public answer API's rate limits are shared through the database (rate_counts, answers/limits.py):
two app instances on one database count together, a new window allows again, concurrent hits on
PostgreSQL lose nothing, old windows are purged, and a limiter that cannot reach its table lets a search
through (logged) and refuses a vote with 503."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from app import create_app
from callcenter.answers.limits import RateLimiter, count_hit, window_start
from callcenter.answers.search import fill_search_fields
from config import TestConfig
from models import AnswerEntry, AnswerFeedback, RateCount, db

from .answers_data_support import entry
from .conftest import BACKENDS

SEARCH = "/public/api/answers?q=thu"


def test_windows_start_on_multiples_of_their_length() -> None:
    at = datetime(2026, 11, 22, 2, 59, 59, 500000, tzinfo=UTC)
    assert window_start(at, 60) == datetime(2026, 11, 22, 2, 59, tzinfo=UTC)
    assert window_start(at, 3600) == datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_two_app_instances_on_one_database_share_the_limit(app, clock, database_url) -> None:
    """The fake clock stands at 02:00:00 UTC: both apps count in the window 02:00–02:01."""
    app.config["PUBLIC_ANSWER_SEARCHES"] = 3
    other = create_app(TestConfig, clock=clock, overrides={"DATABASE_URL": database_url, "PUBLIC_ANSWER_SEARCHES": 3})
    try:
        first, second = app.test_client(), other.test_client()
        assert [first.get(SEARCH).status_code for _ in range(2)] == [200, 200]
        assert second.get(SEARCH).status_code == 200, "the third of three, in the other app"
        refused = second.get(SEARCH)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
        assert refused.get_json()["error"] == "rate_limited"
        clock.advance(15)
        assert first.get(SEARCH).headers["Retry-After"] == "45", "the first app refuses too, 45 s before 02:01"
        assert second.get(SEARCH, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200, "per address"
        with app.app_context():
            counts = dict(db.session.execute(select(RateCount.key, RateCount.count)).tuples().all())
        assert counts == {"search:127.0.0.1": 3, "search:10.0.0.9": 1}, "refusals are not counted"
        clock.advance(45)  # 02:01:00: a new window
        assert [second.get(SEARCH).status_code for _ in range(4)] == [200, 200, 200, 429]
    finally:
        other.extensions["db"].engine.dispose()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_feedback_is_limited_per_entry_and_per_address(app, client, clock) -> None:
    app.config["PUBLIC_ANSWER_FEEDBACK"] = 3
    with app.app_context():
        ids = [entry(f"Câu hỏi {n}", at=clock.now() - timedelta(days=1)).id for n in range(3)]
        db.session.commit()
    vote = {"helped": True}
    assert client.post(f"/public/api/answers/{ids[0]}/feedback", json=vote).status_code == 200
    again = client.post(f"/public/api/answers/{ids[0]}/feedback", json=vote)
    assert again.status_code == 429 and again.headers["Retry-After"] == "3600", "once per entry an hour"
    assert client.post(f"/public/api/answers/{ids[1]}/feedback", json=vote).status_code == 200
    third = client.post(f"/public/api/answers/{ids[2]}/feedback", json=vote)
    assert third.status_code == 429, "3 an hour per address, the second try on the first entry among them"
    clock.advance(3600)
    assert client.post(f"/public/api/answers/{ids[2]}/feedback", json={"helped": False}).status_code == 200
    with app.app_context():  # each vote accepted is a dated row and a counter; the refused ones neither
        rows = db.session.execute(
            select(AnswerFeedback.entry_id, AnswerFeedback.at, AnswerFeedback.helped, AnswerFeedback.source)
            .order_by(AnswerFeedback.id)
        ).tuples().all()  # fmt: skip
        counters = [(e.helped, e.not_helped) for e in (db.session.get(AnswerEntry, i) for i in ids)]
    two, three = datetime(2026, 11, 22, 2, 0, tzinfo=UTC), datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    assert rows == [(ids[0], two, True, "public"), (ids[1], two, True, "public"), (ids[2], three, False, "public")]
    assert counters == [(1, 0), (1, 0), (0, 1)]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_old_windows_are_purged_when_a_key_opens_a_new_one(app, clock) -> None:
    with app.app_context():
        limiter = RateLimiter(db.engine, clock)
        assert limiter.hit("search:a", 5, window=60) == 0
        assert limiter.hit("feedback:a", 5, window=3600) == 0
        clock.advance(3600)  # 03:00:00: both windows started an hour ago, neither is older than that
        assert limiter.hit("search:a", 5, window=60) == 0
        assert db.session.scalar(select(func.count()).select_from(RateCount)) == 3
        clock.advance(1)
        assert limiter.hit("search:b", 5, window=60) == 0, "a new window (this key's first)"
        assert limiter.hit("search:b", 5, window=60) == 0, "the same window: no purge needed"
        rows = db.session.execute(select(RateCount.key, RateCount.window_start, RateCount.count)).tuples().all()
    three = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    assert sorted(rows) == [("search:a", three, 1), ("search:b", three, 2)]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_failing_limiter_lets_searches_through_and_refuses_votes(app, client, clock, database_url, caplog) -> None:
    with app.app_context():
        e = entry("Đổi mật khẩu", at=clock.now() - timedelta(days=1))
        fill_search_fields(e)
        db.session.commit()
    engine = create_engine(database_url)
    with engine.begin() as conn:  # the table is away (as good as a limiter whose statements fail)
        conn.execute(text("ALTER TABLE rate_counts RENAME TO rate_counts_away"))
    try:
        with caplog.at_level(logging.WARNING, logger="callcenter.answers.public_api"):
            assert client.get("/public/api/answers?q=doi mat khau").get_json()["hits"][0]["id"] == e.id
        assert "the public search's rate limiter failed" in caplog.text
        refused = client.post(f"/public/api/answers/{e.id}/feedback", json={"helped": True})
        assert refused.status_code == 503 and refused.get_json()["error"] == "database_unavailable"
        assert refused.headers["Retry-After"] == "60"
        with app.app_context():
            assert db.session.get(type(e), e.id).helped == 0, "the vote refused is not counted"
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE rate_counts_away RENAME TO rate_counts"))
        engine.dispose()


def test_concurrent_hits_on_postgresql_lose_no_count(postgres_url: str) -> None:
    """4 threads × 15 hits on one key, each on its own connection: with a limit of 100 all 60 are
    counted; on a second key with a limit of 25 exactly 25 are allowed and the row says 25."""
    engine = create_engine(postgres_url, pool_size=4)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE rate_counts"))
    now = datetime(2026, 11, 22, 2, 0, 30, tzinfo=UTC)
    allowed: dict[str, list[int]] = {"all": [], "some": []}
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def hits() -> None:
        try:
            barrier.wait()
            for _ in range(15):
                for key, limit in (("all", 100), ("some", 25)):
                    with engine.begin() as conn:
                        allowed[key].append(count_hit(conn, key, limit, 60, now))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=hits) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:
        counts = dict(conn.execute(text("SELECT key, count FROM rate_counts")).tuples().all())
    engine.dispose()
    assert errors == []
    assert counts == {"all": 60, "some": 25}
    assert allowed["all"].count(0) == 60
    assert (allowed["some"].count(0), allowed["some"].count(30)) == (25, 35), "refused: 30 s to 02:01"
