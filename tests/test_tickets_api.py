"""Ticket list, search and actions for supervisors (branch 1 stays need-to-know)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text

from models import Call, Ticket, db

from .conftest import BACKENDS, call_params, new_sid


def make_calls(app, twilio) -> tuple[str, str, str]:
    """Two branch-2 calls from 0912 345 678 (one wrapped up with a tax code) and one branch-1 call from it."""
    first, second, report = new_sid(), new_sid(), new_sid()
    for sid, keys in ((first, ["2", "1"]), (second, ["2", "3"]), (report, ["1"])):
        twilio.post("/ivr/incoming", call_params(sid))
        twilio.post("/ivr/language", call_params(sid, Digits=keys[0]))
        if len(keys) > 1:
            twilio.post("/ivr/group?attempt=1&lang=vi", call_params(sid, Digits=keys[1]))
    with app.app_context():
        ticket = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == first)).one()
        ticket.outcome, ticket.tax_code, ticket.business_code = "resolved", "0100100079-001", "IDA"
        db.session.commit()
    return first, second, report


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_search_by_caller_tax_code_and_outcome_keeps_branch_1_hidden(app, client, twilio, make_user) -> None:
    first, second, report = make_calls(app, twilio)
    sup, inv = make_user("supervisor"), make_user("investigator")
    found = client.post("/api/tickets/search", json={"caller": "0912 345 678"}, headers=sup).get_json()
    assert {t["call_sid"] for t in found["tickets"]} == {first, second}, "the branch-1 report is not a hit"
    assert found["total"] == 2 and all(t["caller"] == "+84912345678" for t in found["tickets"])
    seen = client.post("/api/tickets/search", json={"caller": "+84912345678"}, headers=inv).get_json()
    assert {t["call_sid"] for t in seen["tickets"]} == {first, second, report}
    audit = client.get("/api/audit", headers=inv).get_json()["entries"]
    assert [e["call_sid"] for e in audit] == [report], "the investigator saw one confidential caller"
    by_tax = client.get("/api/tickets", query_string={"tax_code": "0100100079001"}, headers=sup).get_json()
    assert [t["call_sid"] for t in by_tax["tickets"]] == [first]
    resolved = client.get("/api/tickets?outcome=resolved&business_code=ida", headers=sup).get_json()
    assert [t["call_sid"] for t in resolved["tickets"]] == [first]
    everything = client.get("/api/tickets?from=2026-11-22&to=2026-11-22", headers=sup).get_json()
    assert everything["total"] == 3
    hidden = next(t for t in everything["tickets"] if t["call_sid"] == report)
    assert hidden["caller"] is None and hidden["details_hidden"]
    assert client.get("/api/tickets?from=2026-11-23", headers=sup).get_json()["total"] == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_detail_escalate_close_and_roles(app, client, twilio, make_user) -> None:
    first, _second, _report = make_calls(app, twilio)
    sup, agent = make_user("supervisor"), make_user("agent")
    listing = client.post("/api/tickets/search", json={"caller": "0912345678"}, headers=sup).get_json()
    ticket_id = next(t["id"] for t in listing["tickets"] if t["call_sid"] == first)
    detail = client.get(f"/api/tickets/{ticket_id}", headers=sup).get_json()
    assert detail["call_sid"] == first and [e["kind"] for e in detail["events"]][0] == "IVR_ENTER"
    up = client.post(f"/api/tickets/{ticket_id}/escalate", json={"note": "VNACCS team"}, headers=sup).get_json()
    assert (up["status"], up["outcome"]) == ("open", "escalated")
    done = client.post(f"/api/tickets/{ticket_id}/close", json={"note": "answered by email"}, headers=sup).get_json()
    assert (done["status"], done["outcome"]) == ("closed", "escalated")
    notes = client.get(f"/api/tickets/{ticket_id}", headers=sup).get_json()["ticket"]["notes"]
    assert "escalated: VNACCS team" in notes and "closed: answered by email" in notes
    assert client.get("/api/tickets", headers=agent).status_code == 403
    assert client.post(f"/api/tickets/{ticket_id}/close", headers=make_user("investigator")).status_code == 403
    assert client.get("/api/tickets/99999", headers=sup).status_code == 404
    assert client.get("/api/tickets?from=soon", headers=sup).status_code == 400
    assert client.post("/api/tickets/search", json={"caller": "hello"}, headers=sup).status_code == 400
    assert client.post("/api/tickets/search", json={"tax_code": "-"}, headers=sup).status_code == 400
    assert client.post("/api/tickets/search", json={"caller": ["x"]}, headers=sup).status_code == 400
    assert client.post("/api/tickets/search", json={"nonsense": "1"}, headers=sup).status_code == 400


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_branch_1_ticket_is_no_hit_by_tax_or_business_code_and_hides_both(
    app, client, twilio, make_user, database_url
) -> None:
    first, second, report = make_calls(app, twilio)
    with app.app_context():
        ticket = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == report)).one()
        ticket.tax_code, ticket.business_code = "0100100079-001", "IDA"  # the business being denounced
        db.session.commit()
    sup, admin, inv = make_user("supervisor"), make_user("admin"), make_user("investigator")
    for who in (sup, admin):
        for filters in ({"tax_code": "0100100079-001"}, {"business_code": "ida"}, {"caller": "0912345678"}):
            hits = client.post("/api/tickets/search", json=filters, headers=who).get_json()["tickets"]
            assert report not in {t["call_sid"] for t in hits} and first in {t["call_sid"] for t in hits}, filters
        by_get = client.get("/api/tickets?tax_code=0100100079001&business_code=IDA", headers=who).get_json()
        assert [t["call_sid"] for t in by_get["tickets"]] == [first]
        listed = client.get("/api/tickets?from=2026-11-22", headers=who).get_json()["tickets"]
        hidden = next(t for t in listed if t["call_sid"] == report)
        assert hidden["details_hidden"] and (hidden["tax_code"], hidden["business_code"]) == (None, None)
    found = client.post("/api/tickets/search", json={"tax_code": "0100100079001"}, headers=inv).get_json()
    assert {t["call_sid"] for t in found["tickets"]} == {first, report}
    assert next(t for t in found["tickets"] if t["call_sid"] == report)["business_code"] == "IDA"
    assert [e["call_sid"] for e in client.get("/api/audit", headers=inv).get_json()["entries"]] == [report]
    engine = create_engine(database_url)  # the tax code is a token at rest, found by its blind index
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT tax_code, tax_code_hash FROM tickets WHERE tax_code IS NOT NULL")).all()
    engine.dispose()
    assert len(stored) == 2 and all(code.startswith("gAAAAA") and len(digest) == 64 for code, digest in stored)
    assert len({digest for _code, digest in stored}) == 1, "0100100079-001 twice: one index"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_caller_search_never_puts_the_number_in_a_url(app, client, twilio, make_user) -> None:
    make_calls(app, twilio)
    sup = make_user("supervisor")
    refused = client.get("/api/tickets?caller=0912345678", headers=sup)
    assert refused.status_code == 400 and "POST /api/tickets/search" in refused.get_json()["message"]
    assert client.get("/api/tickets?caller=", headers=sup).status_code == 400


def test_a_calls_ticket_page_is_found_by_its_call_sid(app, client, twilio) -> None:
    """The sandbox phone links a call to /supervisor/calls/<CallSid>: the readable ticket page, not JSON."""
    import re

    from callcenter.accounts.users import UserService

    first, _second, _report = make_calls(app, twilio)
    with app.app_context():
        UserService(db.session, app.extensions["clock"]).create("sup-link", "correct-horse-battery", "supervisor")
        db.session.commit()
        ticket_id = db.session.scalars(select(Ticket.id).join(Call).where(Call.call_sid == first)).one()
    anonymous = client.get(f"/supervisor/calls/{first}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "sup-link", "password": "correct-horse-battery", "csrf_token": token})
    found = client.get(f"/supervisor/calls/{first}")
    assert found.status_code == 302 and found.headers["Location"] == f"/supervisor/tickets/{ticket_id}"
    assert client.get(found.headers["Location"]).status_code == 200
    assert client.get("/supervisor/calls/CA" + "0" * 32).status_code == 404
