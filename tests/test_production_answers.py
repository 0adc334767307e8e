"""The public answer base on the production path (issue 16): PostgreSQL, HOTLINE_ENV=production, gunicorn
with two workers and the scheduler as processes. A supervisor publishes an answer through the JSON API; a
business searches through gunicorn without diacritics and finds it, says it helped, and the vote is
counted and dated (the period's report has it, the day before's does not); the search limit, set low
through the environment (PUBLIC_ANSWER_SEARCHES), holds across the workers: exactly `limit` searches
pass, the next is refused 429. One worker is kept busy with an unfinished request while the others are
answered, so both workers serve searches: with a limit counted in each worker's memory the next search
would pass (neither worker would have seen `limit`)."""

from __future__ import annotations

import base64
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from callcenter.common.clock import LOCAL_TZ

from .test_production import BIN, PASSWORD, database, running_desk  # noqa: F401 - database is a fixture

pytestmark = pytest.mark.production
LIMIT = 4


def _search(web: str, address: str, q: str = "thu tuc") -> requests.Response:
    """A search from `address` (behind the one trusted proxy: X-Forwarded-For names the client)."""
    return requests.get(f"{web}/public/api/answers", params={"q": q}, headers={"X-Forwarded-For": address}, timeout=10)


def _start_of_a_minute() -> None:
    """The limit counts per clock minute: start the counted searches well inside one."""
    second = datetime.now(UTC).second
    if second > 40:
        time.sleep(61 - second)


def test_the_public_answer_base_in_production(database: str, tmp_path: Path) -> None:  # noqa: F811
    with running_desk(database, tmp_path) as desk:
        desk.env["PUBLIC_ANSWER_SEARCHES"] = str(LIMIT)
        desk.flask("db", "upgrade")
        desk.flask("users", "create", "sup", "--role", "supervisor", "--password", PASSWORD)
        desk.start_web()
        desk.start("scheduler", [str(BIN / "flask"), "--app", "app", "scheduler", "run"])
        supervisor = {"Authorization": "Basic " + base64.b64encode(f"sup:{PASSWORD}".encode()).decode()}

        # The supervisor writes an answer and publishes it through the JSON API.
        created = requests.post(
            desk.web + "/api/answers",
            json={
                "title": "Đổi mật khẩu tài khoản VNACCS",
                "question": "Làm sao để đổi mật khẩu tài khoản VNACCS?",
                "answer": "Đăng nhập cổng thông tin, chọn Tài khoản, rồi Đổi mật khẩu.",
                "business_codes": ["IDA"],
                "problem_group": "accounts",
            },
            headers=supervisor,
            timeout=10,
        )
        assert created.status_code == 201, created.text
        entry_id = created.json()["id"]
        published = requests.post(f"{desk.web}/api/answers/{entry_id}/publish", headers=supervisor, timeout=10)
        assert published.status_code == 200 and published.json()["status"] == "published", published.text

        # A business searches without diacritics and says the answer helped.
        hits = _search(desk.web, "198.51.100.20", "doi mat khau vnaccs").json()["hits"]
        assert [h["id"] for h in hits] == [entry_id] and "author" not in hits[0]
        voted = requests.post(
            f"{desk.web}/public/api/answers/{entry_id}/feedback",
            json={"helped": True},
            headers={"X-Forwarded-For": "198.51.100.20"},
            timeout=10,
        )
        assert voted.status_code == 200 and voted.json() == {"thanks": True}, voted.text
        entry = requests.get(f"{desk.web}/api/answers/{entry_id}", headers=supervisor, timeout=10).json()
        assert (entry["helped"], entry["not_helped"]) == (1, 0)
        today = datetime.now(LOCAL_TZ).date()

        def report(day: object) -> dict:
            url = f"{desk.web}/api/reports/answers?from={day}&to={day}"
            reply = requests.get(url, headers=supervisor, timeout=10)
            assert reply.status_code == 200, reply.text
            return reply.json()

        now = report(today)
        assert (now["helped"], now["not_helped"]) == (1, 0), "dated today"
        assert [(v["entry_id"], v["helped"], v["helped_all_time"]) for v in now["feedback"]] == [(entry_id, 1, 1)]
        assert now["levers"]["deflect_share"]["helped"] == 1
        before = report(today - timedelta(days=1))
        assert (before["helped"], before["feedback"]) == (0, []), "not the day before"

        # The search limit across the two workers, for one client address.
        _start_of_a_minute()
        address = "203.0.113.7"
        held = socket.create_connection(("127.0.0.1", desk.web_port), timeout=10)
        try:
            # An unfinished request: the worker that accepts it waits for the rest (the listen queue hands
            # it out first), so the next searches are all answered by the other worker.
            held.sendall(
                (
                    "GET /public/api/answers?q=thu HTTP/1.1\r\n"
                    f"Host: 127.0.0.1:{desk.web_port}\r\nX-Forwarded-For: {address}\r\n"
                ).encode()
            )
            codes = [_search(desk.web, address).status_code for _ in range(LIMIT - 1)]
            assert codes == [200] * (LIMIT - 1)
            held.sendall(b"Connection: close\r\n\r\n")  # the held worker's search: the limit-th
            answer = b""
            while chunk := held.recv(65536):
                answer += chunk
        finally:
            held.close()
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        refused = _search(desk.web, address)
        assert refused.status_code == 429, "the limit is shared by the workers"
        assert refused.json()["error"] == "rate_limited" and 1 <= int(refused.headers["Retry-After"]) <= 60
        assert _search(desk.web, "203.0.113.8").status_code == 200, "another address has its own limit"
        assert "Traceback" not in desk.log("gunicorn"), desk.log("gunicorn")[-3000:]
