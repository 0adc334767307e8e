"""The agents report and the service report count the same answered calls (issue 14's papercut: the
agents report said "2 calls" beside the service report's "658 answered" for the same days of the demo).

Both read the calls: the service report sums them per day or branch, the agents report per agent who
took them (`reports.service.totals_by_agent`), so the agents' answered calls plus those with no agent on
record are the service report's answered, and the same for callbacks completed, handled and AHT."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from callcenter.agents.service import AgentService
from callcenter.ops.demo import HISTORY_DAYS, prepare_demo
from callcenter.reports.metrics import LOCAL_TZ
from models import Call, Callback, CallbackStatus, CallOutcome, CallStage, db


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def call(queued: datetime, outcome: str, agent: Any = None, *, wait: int = 10, talk: int = 0, wrap: int = 0) -> Call:
    """A finished call as the call service (and the demo's history) leaves it."""
    sid = f"CA{random.getrandbits(128):032x}"
    answered = queued + timedelta(seconds=wait) if outcome == CallOutcome.ANSWERED else None
    left = queued + timedelta(seconds=wait)
    return Call(
        call_sid=sid,
        from_raw="+84912345678",
        caller_e164="+84912345678",
        branch=2,
        problem_group="accounts",
        stage=CallStage.ENDED,
        outcome=outcome,
        started_at=queued - timedelta(seconds=30),
        queue_name="hotline-branch-2",
        queue_entered_at=queued,
        queue_exited_at=left,
        queue_wait_seconds=wait,
        answered_at=answered,
        ended_at=left + timedelta(seconds=talk),
        agent_id=None if agent is None else agent.id,
        wrapup_seconds=wrap or None,
    )


def get(client: Any, headers: dict[str, str], path: str) -> dict[str, Any]:
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_the_agents_report_counts_the_service_reports_answered_calls_by_hand(app, client, make_user) -> None:
    """2026-11-21 in Vietnam (UTC 20th 17:00 – 21st 17:00): worked out by hand below."""
    with app.app_context():
        agents = AgentService(db.session, app.extensions["clock"])
        lan = agents.create("lan", "Lan", ["branch_2", "vi"])
        minh = agents.create("minh", "Minh", ["branch_2", "vi"])
        db.session.add_all(
            [
                call(at(21, 3), CallOutcome.ANSWERED, lan, wait=10, talk=300, wrap=60),
                call(at(21, 4), CallOutcome.ANSWERED, lan, wait=30, talk=200, wrap=40),
                call(at(21, 5), CallOutcome.ANSWERED, minh, wait=15, talk=100, wrap=20),
                call(at(21, 6), CallOutcome.ANSWERED, None, wait=5, talk=50),  # the sandbox's Agents box
                call(at(21, 7), CallOutcome.QUEUE_ABANDONED, wait=90),
                call(at(21, 16, 59), CallOutcome.ANSWERED, minh, wait=150, talk=120),  # 23:59, answered after midnight
                call(at(20, 16, 30), CallOutcome.ANSWERED, lan, talk=600, wrap=60),  # 23:30 the day before
            ]
        )
        asked = call(at(21, 8), CallOutcome.CALLBACK_REQUESTED, wait=60)
        db.session.add(asked)
        db.session.flush()
        db.session.add(
            Callback(
                call_id=asked.id,
                number_e164="+84912345678",
                branch=2,
                place_at=at(21, 8),
                requested_at=at(21, 8, 1),
                next_attempt_at=at(21, 8, 1),
                status=CallbackStatus.COMPLETED,
                attempts=1,
                agent_id=minh.id,
                finished_at=at(21, 9),
            )
        )
        db.session.commit()
    headers = make_user("supervisor")
    service = get(client, headers, "/api/reports/service?from=2026-11-21&to=2026-11-21")["total"]
    report = get(client, headers, "/api/reports/agents?from=2026-11-21&to=2026-11-21")
    rows = {row["agent"]: row for row in report["agents"]}

    # offered: the 7 calls queued on the 21st (not the one of the 20th); answered 5; 1 callback completed
    assert (service["offered"], service["answered"], service["callbacks_completed"], service["handled"]) == (7, 5, 1, 6)
    # AHT = (talk 300 + 200 + 100 + 50 + 120 + wrap-up 60 + 40 + 20) / 5 answered = 890 / 5
    assert service["aht_seconds"] == 178.0

    lan_row, minh_row = rows["lan"], rows["minh"]
    assert (lan_row["answered"], lan_row["callbacks_completed"], lan_row["handled"]) == (2, 0, 2)
    assert (lan_row["talk_seconds"], lan_row["wrap_up_seconds"], lan_row["aht_seconds"]) == (500, 100, 300.0)
    assert (minh_row["answered"], minh_row["callbacks_completed"], minh_row["handled"]) == (2, 1, 3)
    assert (minh_row["talk_seconds"], minh_row["wrap_up_seconds"], minh_row["aht_seconds"]) == (220, 20, 120.0)
    assert (report["no_agent"]["answered"], report["no_agent"]["handled"]) == (1, 1)
    total = report["total"]
    assert (total["answered"], total["callbacks_completed"], total["handled"], total["aht_seconds"]) == (5, 1, 6, 178.0)
    assert sum(r["answered"] for r in rows.values()) + report["no_agent"]["answered"] == service["answered"]

    csv = client.get("/api/reports/agents?from=2026-11-21&format=csv", headers=headers)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.headers["Content-Disposition"] == 'attachment; filename="agents-2026-11-21-2026-11-21.csv"'
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("agent,name,handled,answered,callbacks_completed,talk_seconds,wrap_up_seconds")
    assert lines[1].startswith("lan,Lan,2,2,0,500,100,300.0,") and lines[2].startswith("minh,Minh,3,2,1,220,20,120.0,")
    assert lines[3].startswith("no_agent,,1,1,0,50,0,") and lines[4].startswith("total,,6,5,1,770,120,178.0,")


def test_the_demo_history_agrees_in_both_reports(app, client, make_user) -> None:
    """`make demo`'s own seeding: every answered call of the history has the agent on duty, and the
    agents' figures add up to the service report's for each day."""
    with app.app_context():
        lines = list(prepare_demo(app))
        assert any(line.startswith("seeded ") and "historical calls" in line for line in lines)
    headers = make_user("supervisor")
    today = app.extensions["clock"].now().astimezone(LOCAL_TZ).date()
    window = f"from={today - timedelta(days=HISTORY_DAYS)}&to={today}"
    service = get(client, headers, f"/api/reports/service?{window}")["total"]
    report = get(client, headers, f"/api/reports/agents?{window}")
    assert service["answered"] > 600, "three days of demo history"
    assert report["no_agent"]["answered"] == 0, "the rota had someone on duty for every answered call"
    assert sum(row["answered"] for row in report["agents"]) == service["answered"]
    assert sum(row["handled"] for row in report["agents"]) == service["handled"] == report["total"]["handled"]
    assert report["total"]["aht_seconds"] == service["aht_seconds"]
    assert sum(row["answered"] > 0 for row in report["agents"]) == 4, "the whole desk took calls"
