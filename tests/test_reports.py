"""Reports through the API, from calls walked through the webhooks (sandbox, fake clock)."""

from __future__ import annotations

import csv
import io

import pytest

from .conftest import BACKENDS
from .test_call_flow import run_for


def place_calls(sandbox, clock) -> None:
    """09:00–09:10 Vietnam time: one answered after 12 s, one abandoned after 40 s, one short abandon
    (3 s), one hung up in the menu."""
    answered = sandbox.dial("0912000001", "19009299")
    sandbox.press(answered.call_sid, "1")  # branch 1
    run_for(sandbox, clock, 14)  # the intro plays, then 12 s waiting... counted from Twilio's QueueTime
    assert sandbox.answer_next("hotline-branch-1") is answered
    run_for(sandbox, clock, 60)
    sandbox.agent_hang_up(answered.call_sid)
    run_for(sandbox, clock, 10)
    for keys, wait in (("21", 40), ("24", 3)):
        caller = sandbox.dial("0912000002", "19009299")
        sandbox.press(caller.call_sid, keys[0])
        run_for(sandbox, clock, 6)
        sandbox.press(caller.call_sid, keys[1])
        run_for(sandbox, clock, 5 + wait)
        sandbox.hang_up(caller.call_sid)
        run_for(sandbox, clock, 3)
    menu = sandbox.dial("0912000003", "19009299")
    run_for(sandbox, clock, 4)
    sandbox.hang_up(menu.call_sid)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_abandonment_report_counts_what_happened_today(app, client, sandbox, clock, make_user) -> None:
    place_calls(sandbox, clock)
    sup = make_user("supervisor")
    body = client.get("/api/reports/abandonment?from=2026-11-22&to=2026-11-22", headers=sup).get_json()
    total = body["total"]
    assert (total["offered"], total["answered"], total["abandoned"], total["ivr_abandoned"]) == (3, 1, 2, 1)
    assert total["abandonment_rate"] == pytest.approx(66.7)
    assert total["short_abandoned"] == 1
    assert [g["key"] for g in body["groups"]] == ["2026-11-22"]
    by_group = client.get("/api/reports/service?from=2026-11-22&by=group", headers=sup).get_json()
    assert {g["key"]: g["offered"] for g in by_group["groups"]} == {None: 1, "accounts": 1, "other": 1}
    assert "+8491" not in str(body), "counts only"

    csv_reply = client.get("/api/reports/abandonment?from=2026-11-21&to=2026-11-22&format=csv", headers=sup)
    assert csv_reply.mimetype == "text/csv" and "attachment" in csv_reply.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_reply.get_data(as_text=True))))
    assert [r["day"] for r in rows] == ["2026-11-21", "2026-11-22", "total"]
    assert rows[0]["offered"] == "0" and rows[0]["abandonment_rate"] == "", "a day without calls: zeros"
    assert rows[2]["abandoned"] == "2"


def test_reports_need_a_reporting_role_and_sane_parameters(app, client, make_user) -> None:
    sup, agent = make_user("supervisor"), make_user("agent")
    assert client.get("/api/reports/abandonment", headers=agent).status_code == 403
    assert client.get("/api/reports/abandonment", headers=make_user("investigator")).status_code == 200
    for query in ("from=yesterday", "from=2026-11-22&to=2026-11-01", "by=caller", "formula=magic", "threshold=0"):
        reply = client.get(f"/api/reports/service?{query}", headers=sup)
        assert reply.status_code == 400 and reply.get_json()["message"], query
    assert client.get("/api/reports/everything", headers=sup).status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_wallboard_json_and_the_api_from_a_page_session_with_csrf(app, client, sandbox, clock, make_user) -> None:
    import re

    make_user("supervisor", username="sup", password="correct-horse-battery")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    login = client.post("/login", data={"username": "sup", "password": "correct-horse-battery", "csrf_token": token})
    assert login.headers["Location"].endswith("/supervisor/")
    board = client.get("/supervisor/").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', board).group(1)

    caller = sandbox.dial("0912000001", "19009299")
    sandbox.press(caller.call_sid, "1")
    run_for(sandbox, clock, 20)
    data = client.get("/api/wallboard").get_json()
    assert data["queues"]["1"]["waiting"] == 1 and data["queues"]["1"]["longest_wait_seconds"] > 0
    assert data["today"]["offered"] == 0 and data["announcement"] is None, "a waiting caller is not a figure yet"

    body = {"text_vi": "Hệ thống VNACCS đang gián đoạn.", "expires_at": "2026-11-22T18:00+07:00"}
    assert client.post("/api/announcements", json=body).status_code == 401, "a page session needs the CSRF token"
    made = client.post("/api/announcements", json=body, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.get_json()
    assert client.get("/api/wallboard").get_json()["announcement"]["text_vi"] == body["text_vi"]


def test_agent_report_through_the_api(app, client, clock, make_user) -> None:
    from datetime import timedelta

    from callcenter.agents.service import AgentService
    from models import db

    with app.app_context():
        agents = AgentService(db.session, clock)
        lan = agents.create("lan", "Lan", ["branch_2", "vi"])
        lan.overtime_until = clock.now() + timedelta(hours=4)
        agents.login(lan)
        clock.advance(600)
        agents.pause(lan, "lunch")
        clock.advance(300)
        db.session.commit()
    body = client.get("/api/reports/agents?from=2026-11-22", headers=make_user("supervisor")).get_json()
    (row,) = body["agents"]
    assert row["agent"] == "lan" and row["seconds_by_state"]["available"] == 600
    assert row["seconds_by_state"]["break"] == 300, "up to now, not to midnight"
    assert row["occupancy"] == 0.0 and row["handled"] == 0
