"""The ticket list in pages (issue 14's papercut: it showed "the newest 50"): `limit` and `offset` on
`GET /api/tickets` and `POST /api/tickets/search`, newest first by the call's start and then the ticket
id (a stable order: tickets started in the same second never swap or repeat between pages), `total`
counted by the same query as the rows, so need-to-know holds on every page: a branch-1 ticket a
supervisor's search may not hit is in no page and in no total."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models import Call, CallOutcome, CallStage, Ticket, TicketOutcome, TicketStatus, db

from .conftest import BACKENDS, new_sid

TAX = "0100100079-001"
T0 = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam, the day before the fake clock's


def ticket(started: datetime, branch: int, tax_code: str | None = TAX) -> Ticket:
    call = Call(
        call_sid=new_sid(),
        caller_e164="+84912345678",
        branch=branch,
        stage=CallStage.ENDED,
        outcome=CallOutcome.ANSWERED,
        started_at=started,
    )
    return Ticket(
        call=call,
        branch=branch,
        status=TicketStatus.CLOSED,
        outcome=TicketOutcome.RESOLVED,
        tax_code=tax_code,
        created_at=started,
    )


@pytest.fixture
def tickets(app) -> dict[str, list[int]]:
    """Seven branch-2 and three branch-1 tickets with one tax code; four of them started in the same second."""
    made: dict[str, list[Ticket]] = {"2": [], "1": []}
    with app.app_context():
        for minute, branch in enumerate([2, 1, 2, 2, 1, 2, 2, 1, 2, 2]):
            started = T0 + timedelta(minutes=min(minute, 6))  # minutes 6..9 all start at 10:06
            made[str(branch)].append(ticket(started, branch))
            db.session.add(made[str(branch)][-1])
            db.session.flush()
        db.session.commit()
        return {branch: [t.id for t in rows] for branch, rows in made.items()}


def pages(client: Any, headers: dict[str, str], size: int, **filters: Any) -> tuple[list[dict[str, Any]], set[int]]:
    """Every page of a POSTed search, first to last; returns the pages' bodies and the totals they said."""
    bodies, offset = [], 0
    while True:
        body = client.post("/api/tickets/search", json={**filters, "limit": size, "offset": offset}, headers=headers)
        assert body.status_code == 200, body.get_json()
        bodies.append(body.get_json())
        offset += size
        if offset >= bodies[-1]["total"]:
            return bodies, {b["total"] for b in bodies}


def newest_first(ids: list[int]) -> list[int]:
    """The tickets were made in order of their start (minutes 0..6, the last four in one second), so
    newest first by start and then by id is simply the ids from the highest down."""
    return sorted(ids, reverse=True)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_pages_are_stable_and_cover_every_ticket_once(app, client, make_user, tickets) -> None:
    sup = make_user("supervisor")
    everyone = tickets["2"] + tickets["1"]
    bodies, totals = pages(client, sup, 3, **{"from": "2026-11-21", "to": "2026-11-21"})
    assert totals == {10} and [len(b["tickets"]) for b in bodies] == [3, 3, 3, 1]
    assert [b["offset"] for b in bodies] == [0, 3, 6, 9] and {b["limit"] for b in bodies} == {3}
    seen = [t["id"] for b in bodies for t in b["tickets"]]
    assert seen == newest_first(everyone), "started desc, then ticket id desc: no repeat, no gap"
    assert seen[:4] == sorted(seen[:4], reverse=True) and len(set(seen[:4])) == 4  # the same second: by id
    hidden = [t for b in bodies for t in b["tickets"] if t["branch"] == 1]
    assert len(hidden) == 3 and all(t["details_hidden"] and t["caller"] is None for t in hidden), "as on one page"

    by_get = client.get("/api/tickets?from=2026-11-21&limit=3&offset=3", headers=sup).get_json()
    assert [t["id"] for t in by_get["tickets"]] == seen[3:6] and by_get["total"] == 10
    past = client.get("/api/tickets?from=2026-11-21&limit=3&offset=30", headers=sup).get_json()
    assert (past["tickets"], past["total"], past["offset"]) == ([], 10, 30)
    assert client.get("/api/tickets?limit=500", headers=sup).get_json()["limit"] == 200, "clamped"
    assert client.get("/api/tickets?offset=-1", headers=sup).status_code == 400


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_need_to_know_holds_on_every_page_of_a_search_by_tax_code(app, client, make_user, tickets) -> None:
    """A supervisor's search by tax code: the three branch-1 tickets of that business are in no page and
    in no total (seven, not ten: the count would say a denunciation exists); an investigator's: all ten."""
    sup, inv = make_user("supervisor"), make_user("investigator")
    bodies, totals = pages(client, sup, 3, tax_code=TAX)
    assert totals == {7} and [len(b["tickets"]) for b in bodies] == [3, 3, 1]
    assert [t["id"] for b in bodies for t in b["tickets"]] == newest_first(tickets["2"])
    assert all(t["branch"] == 2 for b in bodies for t in b["tickets"])
    for offset in (0, 6, 7, 9):  # any offset, even past the branch-2 hits, tells nothing more
        body = client.post("/api/tickets/search", json={"tax_code": TAX, "limit": 3, "offset": offset}, headers=sup)
        assert body.get_json()["total"] == 7 and all(t["branch"] == 2 for t in body.get_json()["tickets"])

    bodies, totals = pages(client, inv, 4, tax_code=TAX)
    assert totals == {10} and [len(b["tickets"]) for b in bodies] == [4, 4, 2]
    assert [t["id"] for b in bodies for t in b["tickets"]] == newest_first(tickets["2"] + tickets["1"])
