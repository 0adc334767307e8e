"""Supervisors change the rota over JSON: a gap is flagged, an overtime shift fills it, a swap and a
leave move duty, bad input gets a 400 and a rota rule a 409, agents may not touch it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcenter.agents.service import AgentService
from callcenter.rota.service import LOCAL_TZ, RotaService
from models import db

from .conftest import BACKENDS


@pytest.fixture
def desk(app, clock) -> dict[str, int]:
    with app.app_context():
        agents = AgentService(db.session, clock)
        made = {n: agents.create(n, n.title(), ["branch_1", "branch_2", "vi"]) for n in ("lan", "minh")}
        db.session.flush()
        start = clock.now().replace(minute=0, second=0, microsecond=0)
        RotaService(db.session, clock).add_shift(made["lan"].id, start, start + timedelta(hours=12), kind="regular")
        db.session.commit()
        return {name: agent.id for name, agent in made.items()}


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_supervisor_fills_a_gap_swaps_and_records_leave(app, client, clock, desk, make_user) -> None:
    sup = make_user("supervisor")
    start = clock.now().replace(minute=0, second=0, microsecond=0)
    window = {"from": start.isoformat(), "to": (start + timedelta(hours=24)).isoformat()}
    rota = client.get("/api/rota", query_string=window, headers=sup).get_json()
    assert rota["on_duty_now"] == ["lan"]
    assert rota["gaps"] == 24, "12 hours (24 half-hours) with nobody on duty"
    assert rota["coverage"][0] == {"starts_at": start.isoformat(), "on_duty": ["lan"], "gap": False}

    night = {
        "agent": "minh",
        "starts_at": (start + timedelta(hours=12)).isoformat(),
        "ends_at": (start + timedelta(hours=24)).isoformat(),
        "note": "covering the night",
    }
    added = client.post("/api/rota/shifts", json=night, headers=sup)
    assert added.status_code == 201 and added.get_json()["kind"] == "overtime"
    assert client.get("/api/rota", query_string=window, headers=sup).get_json()["gaps"] == 0
    clash = client.post(
        "/api/rota/shifts",
        json={
            **night,
            "starts_at": (start + timedelta(hours=20)).isoformat(),
            "ends_at": (start + timedelta(hours=30)).isoformat(),
        },
        headers=sup,
    )  # noqa: E501
    assert clash.status_code == 409 and "already works" in clash.get_json()["message"]

    lans = client.get("/api/rota", query_string=window, headers=sup).get_json()["shifts"][0]
    swapped = client.post(f"/api/rota/shifts/{lans['id']}/swap", json={"to_agent": "minh"}, headers=sup)
    assert swapped.status_code == 201 and swapped.get_json()["swapped_from_agent_id"] == desk["lan"]
    assert client.get("/api/rota", query_string=window, headers=sup).get_json()["on_duty_now"] == ["minh"]
    leave = {
        "agent": "minh",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "reason": "sick",
    }
    assert client.post("/api/rota/absences", json=leave, headers=sup).status_code == 201
    rota = client.get("/api/rota", query_string=window, headers=sup).get_json()
    assert rota["on_duty_now"] == [] and rota["gaps"] == 4, "two hours of sick leave open a gap"
    holiday = client.post("/api/rota/holidays", json={"day": "2026-12-31", "name": "Tết Dương lịch (eve)"}, headers=sup)
    assert holiday.status_code == 201
    assert (
        client.post(
            "/api/rota/overtime",
            json={"agent": "minh", "until": (clock.now() + timedelta(hours=2)).isoformat()},
            headers=sup,
        ).status_code
        == 200
    )  # noqa: E501
    assert client.delete(f"/api/rota/shifts/{added.get_json()['id']}", headers=sup).get_json()["cancelled"]


def test_bad_input_and_roles(app, client, clock, desk, make_user) -> None:
    sup, agent = make_user("supervisor"), make_user("agent")
    assert client.get("/api/rota", headers=agent).status_code == 403
    naive = client.post(
        "/api/rota/shifts",
        json={"agent": "lan", "starts_at": "2026-11-24T07:00", "ends_at": "2026-11-24T19:00"},
        headers=sup,
    )
    assert naive.status_code == 400 and "with a zone" in naive.get_json()["message"]
    nobody = client.post(
        "/api/rota/shifts",
        json={"agent": "ghost", "starts_at": "2026-11-24T07:00+07:00", "ends_at": "2026-11-24T19:00+07:00"},
        headers=sup,
    )
    assert nobody.status_code == 400 and "no agent 'ghost'" in nobody.get_json()["message"]
    too_long = client.post(
        "/api/rota/shifts",
        json={"agent": "minh", "starts_at": "2026-11-24T07:00+07:00", "ends_at": "2026-11-25T07:00+07:00"},
        headers=sup,
    )
    assert too_long.status_code == 409 and "at most 16 hours" in too_long.get_json()["message"]
    assert client.post("/api/rota/shifts", data="x", headers=sup).status_code == 400
    assert client.get("/api/rota", query_string={"from": "yesterday"}, headers=sup).status_code == 400
    assert LOCAL_TZ.utcoffset(None) == timedelta(hours=7)


def test_a_cancelled_shift_comes_back_as_it_was_unless_its_agent_works_then(
    app, client, clock, desk, make_user
) -> None:
    """The rota page's Undo: the same shift (id, agent, times, kind) is live again; a clash is refused."""
    sup = make_user("supervisor")
    start = clock.now().replace(minute=0, second=0, microsecond=0)
    window = {"from": start.isoformat(), "to": (start + timedelta(hours=24)).isoformat()}
    shift = client.get("/api/rota", query_string=window, headers=sup).get_json()["shifts"][0]
    assert client.delete(f"/api/rota/shifts/{shift['id']}", headers=sup).status_code == 200
    assert client.get("/api/rota", query_string=window, headers=sup).get_json()["shifts"] == []
    back = client.post(f"/api/rota/shifts/{shift['id']}/restore", headers=sup)
    assert back.status_code == 200 and back.get_json() == shift
    assert client.get("/api/rota", query_string=window, headers=sup).get_json()["shifts"] == [shift]
    again = client.post(f"/api/rota/shifts/{shift['id']}/restore", headers=sup)
    assert again.status_code == 409 and "already on the rota" in again.get_json()["message"]

    client.delete(f"/api/rota/shifts/{shift['id']}", headers=sup)
    taken = {"agent": "lan", "starts_at": shift["starts_at"], "ends_at": (start + timedelta(hours=3)).isoformat()}
    assert client.post("/api/rota/shifts", json=taken, headers=sup).status_code == 201  # meanwhile, overtime
    clash = client.post(f"/api/rota/shifts/{shift['id']}/restore", headers=sup)
    assert clash.status_code == 409 and "cannot come back: Lan now works" in clash.get_json()["message"]
    assert client.post("/api/rota/shifts/999999/restore", headers=sup).status_code == 409
    assert client.post(f"/api/rota/shifts/{shift['id']}/restore", headers=make_user("agent")).status_code == 403
