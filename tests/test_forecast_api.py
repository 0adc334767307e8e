"""The forecast over JSON, as the forecast page asks for it: a week of 336 half hours for the published
rota, a what-if next to it; watchers only; a person-readable 400 for a bad week, an unknown agent or
an empty change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from callcenter.agents.service import AgentService
from callcenter.ops.demo import DEMO_AGENTS
from callcenter.rota.service import LOCAL_TZ, RotaService
from models import db


@pytest.fixture
def monday(app, clock) -> date:
    """The demo desk (four agents, the default 24/7 rota) for the fake clock's week and the next."""
    with app.app_context():
        rota = RotaService(db.session, clock)
        agents = AgentService(db.session, clock, rota)
        desk = [agents.create(username, name, skills) for username, (name, skills) in DEMO_AGENTS.items()]
        today = clock.now().astimezone(LOCAL_TZ).date()
        first = today - timedelta(days=today.weekday())
        rota.generate_default(desk, first - timedelta(days=1), 15, actor="test")  # Sunday's night shift too
        db.session.commit()
    return first


def at(day: date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00+07:00"


def test_the_week_and_a_what_if_answer_with_336_half_hours(client, make_user, monday) -> None:
    sup = make_user("supervisor")
    week = client.get("/api/forecast", query_string={"week": (monday + timedelta(days=3)).isoformat()}, headers=sup)
    assert week.status_code == 200, week.get_json()
    data = week.get_json()
    assert data["week"] == monday.isoformat()
    assert len(data["intervals"]) == 336
    assert data["targets"] == {"service_level": 80.0, "threshold_seconds": 60.0, "max_abandonment": 5.0}
    assert data["totals"]["scheduled_hours"] == 7 * 24, "one seat around the clock"
    assert data["intervals"][0]["starts_at"] == f"{monday.isoformat()}T00:00:00+07:00"

    # Monday: agent1 works the day, agent3 the night; agent2 is free for a 12-hour day shift.
    add = [{"agent": "agent2", "starts_at": at(monday, 8), "ends_at": at(monday, 20)}]
    body = {"week": monday.isoformat(), "add": add, "service_level": 80, "threshold": 60, "max_abandonment": 5}
    answer = client.post("/api/forecast/what-if", json=body, headers=sup)
    assert answer.status_code == 200, answer.get_json()
    result = answer.get_json()
    assert len(result["current"]["intervals"]) == len(result["draft"]["intervals"]) == 336
    assert result["difference"]["scheduled_hours"] == 12
    assert result["difference"]["handled_rate"] > 0
    assert result["draft"]["totals"]["handled_rate"] > result["current"]["totals"]["handled_rate"]

    shift = client.get(
        "/api/rota", query_string={"from": at(monday, 0), "to": at(monday + timedelta(days=1), 0)}, headers=sup
    ).get_json()["shifts"][0]
    removed = client.post(
        "/api/forecast/what-if", json={"week": monday.isoformat(), "remove": [shift["id"]]}, headers=sup
    )
    assert removed.status_code == 200
    assert removed.get_json()["difference"]["scheduled_hours"] < 0

    investigator = make_user("investigator")
    assert client.get("/api/forecast", headers=investigator).status_code == 200


def test_an_agent_may_not_ask(client, make_user, monday) -> None:
    agent = make_user("agent")
    assert client.get("/api/forecast", headers=agent).status_code == 403
    assert client.post("/api/forecast/what-if", json={"remove": [1]}, headers=agent).status_code == 403


@pytest.mark.parametrize(
    ("method", "payload", "says"),
    [
        ("get", {"week": "next tuesday"}, "week is a date"),
        ("get", {"service_level": "200"}, "service_level is a number"),
        ("post", {"add": [{"agent": "nobody", "starts_at": "2026-11-16T08:00+07:00"}]}, "There is no agent 'nobody'"),
        ("post", {"add": [], "remove": []}, "Add or remove at least one shift"),
        ("post", {"add": [{"agent": "agent2", "starts_at": "2026-11-16T08:00", "ends_at": "x"}]}, "with a zone"),
        ("post", {"remove": [999999]}, "Shift 999999 is not in the week"),
        ("post", {"remove": "7"}, "remove is a list"),
        (
            "post",
            {"add": [{"agent": "agent2", "starts_at": "2027-03-01T08:00+07:00", "ends_at": "2027-03-01T20:00+07:00"}]},
            "is not in the week",
        ),
    ],
)
def test_bad_input_gets_a_400_with_a_message(client, make_user, monday, method, payload, says) -> None:
    sup = make_user("supervisor")
    if method == "get":
        answer = client.get("/api/forecast", query_string=payload, headers=sup)
    else:
        answer = client.post("/api/forecast/what-if", json={"week": monday.isoformat(), **payload}, headers=sup)
    assert answer.status_code == 400
    assert says in answer.get_json()["message"]
    assert client.post("/api/forecast/what-if", data="not json", headers=sup).status_code == 400
