"""The answer base's report (issue 16) with numbers worked out by hand, on both databases, and through
the API (JSON and CSV, supervisors only)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from callcenter.reports.answers import build_answers
from models import AnswerEntry, db

from .answers_data_support import answered_call, entry, votes
from .conftest import BACKENDS

DAY = date(2026, 11, 20)
T = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


def seed() -> dict[str, int]:
    """Branch 2 on 20 Nov (Vietnam):
    c1 IDA/accounts, talk 300 + wrap-up 60 = 360 s, entry A used
    c2 IDA/accounts, talk 200 + wrap-up 40 = 240 s, entries A and B used
    c3 IDA/accounts, talk 500 + wrap-up 100 = 600 s, no answer
    c4 EDA/incidents, talk 400 + wrap-up 80 = 480 s, no answer
    c5 (no code)/single_window, talk 600, no wrap-up seconds = 600 s, no answer
    c6 abandoned in the queue (offered, never talked)
    Not counted: c7 branch 1 (IDA, 1000 s); c8 branch 2 on 21 Nov with entry B (outside the range).
    With an answer: (360 + 240) / 2 = 300 s; without: (600 + 480 + 600) / 3 = 560 s; shorter by
    (560 − 300) / 560 = 46.4 %."""
    a = entry("Quên mật khẩu VNACCS", codes=("IDA",), at=T - timedelta(days=30), uses=7, helped=4, not_helped=1)
    b = entry("Gia hạn chữ ký số", codes=("IDA", "EDA"), at=T - timedelta(days=30), uses=1)
    answered_call(1, T, talk=300, wrapup=60, group="accounts", code="IDA", used=(a,))
    answered_call(2, T + timedelta(minutes=20), talk=200, wrapup=40, group="accounts", code="IDA", used=(a, b))
    answered_call(3, T + timedelta(minutes=40), talk=500, wrapup=100, group="accounts", code="IDA")
    answered_call(4, T + timedelta(hours=1), talk=400, wrapup=80, group="incidents", code="EDA")
    answered_call(5, T + timedelta(hours=2), talk=600, wrapup=None, group="single_window")
    answered_call(6, T + timedelta(hours=3), talk=0, wrapup=None, group="accounts", outcome="queue_abandoned")
    answered_call(7, T + timedelta(hours=4), talk=1000, wrapup=0, branch=1, code="IDA")
    answered_call(8, T + timedelta(days=1), talk=100, wrapup=10, group="accounts", code="IDA", used=(b,))
    db.session.commit()
    return {"a": a.id, "b": b.id}


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_report_by_hand(app) -> None:
    with app.app_context():
        ids = seed()
        report = build_answers(db.session, DAY, DAY)
    a, b = ids["a"], ids["b"]
    assert report["handle_time"] == {
        "with_answer": {"calls": 2, "talked": 2, "aht_seconds": 300.0},
        "without_answer": {"calls": 3, "talked": 3, "aht_seconds": 560.0},
        "shorter_percent": 46.4,
    }
    assert report["by_business_code"] == [
        {
            "key": "IDA",
            "tickets": 3,
            "tickets_with_answer": 2,
            "entries": [
                {"entry_id": a, "title": "Quên mật khẩu VNACCS", "tickets": 2},
                {"entry_id": b, "title": "Gia hạn chữ ký số", "tickets": 1},
            ],
        },
        {"key": "EDA", "tickets": 1, "tickets_with_answer": 0, "entries": []},
    ]
    assert [(g["key"], g["tickets"], g["tickets_with_answer"]) for g in report["by_group"]] == [
        ("accounts", 3, 2),
        ("incidents", 1, 0),
        ("single_window", 1, 0),
    ]
    assert [(e["entry_id"], e["uses"], e["tickets"], e["uses_all_time"], e["helped"]) for e in report["reused"]] == [
        (a, 2, 2, 7, 4),
        (b, 1, 1, 1, 0),
    ]
    assert report["reused"][0]["business_codes"] == ["IDA"] and report["reused"][1]["business_codes"] == ["IDA", "EDA"]
    assert (report["entries_used"], report["entries_reused"], report["uses"]) == (2, 1, 3)


def seed_votes(ids: dict[str, int]) -> int:
    """On top of seed(): the Vietnam day 20 Nov is [19 Nov 17:00, 20 Nov 17:00) UTC.
    A (counters 4 helped, 1 not, from before): 2 helped at T and 1 not at T + 1 h in the day; 1 helped a
    second before it and 1 helped at its (exclusive) end: all-time 4 + 4 = 8 helped, 1 + 1 = 2 not.
    C (never used): 1 not helped at T + 2 h. Returns C's id."""
    a = db.session.get(AnswerEntry, ids["a"])
    c = entry("Tra cứu tờ khai", at=T - timedelta(days=30))
    start = datetime(2026, 11, 19, 17, 0, tzinfo=UTC)
    votes(a, T, helped=2)
    votes(a, T + timedelta(hours=1), not_helped=1)
    votes(a, start - timedelta(seconds=1), helped=1)
    votes(a, start + timedelta(days=1), helped=1)
    votes(c, T + timedelta(hours=2), not_helped=1)
    db.session.commit()
    return c.id


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_did_it_help_in_the_period_by_hand(app, client, make_user) -> None:
    with app.app_context():
        ids = seed()
        c = seed_votes(ids)
        report = build_answers(db.session, DAY, DAY)
    a, b = ids["a"], ids["b"]
    assert report["feedback"] == [
        {"entry_id": a, "title": "Quên mật khẩu VNACCS", "helped": 2, "not_helped": 1, "helped_all_time": 8,
         "not_helped_all_time": 2},
        {"entry_id": c, "title": "Tra cứu tờ khai", "helped": 0, "not_helped": 1, "helped_all_time": 0,
         "not_helped_all_time": 1},
    ]  # fmt: skip
    assert (report["helped"], report["not_helped"]) == (2, 2)
    period = [(e["entry_id"], e["helped_in_period"], e["not_helped_in_period"], e["helped"]) for e in report["reused"]]
    assert period == [(a, 2, 1, 8), (b, 0, 0, 0)]
    got = client.get("/api/reports/answers?from=2026-11-20&format=csv", headers=make_user("supervisor"))
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True))))
    assert [str(a), "Quên mật khẩu VNACCS", "accounts", "IDA", "2", "2", "8", "2", "2", "1"] in rows
    assert [str(c), "Tra cứu tờ khai", "0", "1", "0", "1"] in rows
    assert ["feedback_total", "", "2", "2"] in rows


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_no_calls_no_answers(app) -> None:
    with app.app_context():
        report = build_answers(db.session, DAY, DAY)
    assert report["handle_time"]["with_answer"] == {"calls": 0, "talked": 0, "aht_seconds": None}
    assert report["handle_time"]["shorter_percent"] is None
    assert report["by_business_code"] == report["by_group"] == report["reused"] == report["feedback"] == []
    assert (report["helped"], report["not_helped"]) == (0, 0)


def test_through_the_api_json_and_csv_for_supervisors(app, client, make_user) -> None:
    with app.app_context():
        seed()
    supervisor = make_user("supervisor")
    body = client.get("/api/reports/answers?from=2026-11-20&to=2026-11-20", headers=supervisor).get_json()
    assert body["kind"] == "answers" and body["handle_time"]["shorter_percent"] == 46.4
    got = client.get("/api/reports/answers?from=2026-11-20&format=csv", headers=supervisor)
    assert got.mimetype == "text/csv" and "answers-2026-11-20-2026-11-20.csv" in got.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True))))
    assert rows[1] == ["with_answer", "2", "2", "300.0"] and rows[2] == ["without_answer", "3", "3", "560.0"]
    assert ["IDA", "3", "2", "#1×2 #2×1"] in rows
    assert client.get("/api/reports/answers", headers=make_user("investigator")).status_code == 403
    assert client.get("/api/reports/answers", headers=make_user("agent")).status_code == 403
    bad = client.get("/api/reports/answers?from=2026-11-21&to=2026-11-20", headers=supervisor)
    assert bad.status_code == 400 and "from" in bad.get_json()["message"]
