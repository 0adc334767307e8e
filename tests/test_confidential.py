"""Branch 1 is need-to-know: caller numbers and the agents' notes are encrypted at rest, every view
by an investigator is in an append-only audit log, and logs never carry a caller's number."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import create_engine, text

from .conftest import BACKENDS, call_params, new_sid

NUMBER = "912345678"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_caller_numbers_and_notes_are_encrypted_at_rest(app, client, twilio, make_user, database_url) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    twilio.post("/ivr/language", call_params(sid, Digits="1"))  # branch 1
    with app.app_context():
        from sqlalchemy import select

        from models import Call, Ticket, db

        call = db.session.scalars(select(Call).where(Call.call_sid == sid)).one()
        assert call.caller_e164 == "+84912345678", "the app reads it back"
        ticket = db.session.scalars(select(Ticket).where(Ticket.call_id == call.id)).one()
        ticket.question = "Công ty X buôn lậu thuốc lá qua cửa khẩu Y"
        db.session.commit()
    engine = create_engine(database_url)
    with engine.connect() as conn:
        raw_call = conn.execute(text("SELECT * FROM calls")).mappings().one()
        raw_ticket = conn.execute(text("SELECT question FROM tickets")).scalar_one()
    engine.dispose()
    assert NUMBER not in str(dict(raw_call)) and raw_call["caller_e164"].startswith("gAAAAA")
    assert "buôn lậu" not in raw_ticket and raw_ticket.startswith("gAAAAA")
    assert len(raw_call["caller_hash"]) == 64, "a blind index finds the caller's other calls"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_investigator_views_are_audited_and_the_log_cannot_be_edited(
    app, client, twilio, make_user, database_url
) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    twilio.post("/ivr/language", call_params(sid, Digits="1"))
    sup, inv = make_user("supervisor", username="sup"), make_user("investigator", username="inv")
    assert client.get(f"/api/calls/{sid}", headers=sup).get_json()["caller"] is None
    assert client.get(f"/api/calls/{sid}", headers=inv).get_json()["caller"] == "+84912345678"
    entries = client.get("/api/audit", headers=inv).get_json()["entries"]
    assert [(e["user"], e["action"], e["call_sid"]) for e in entries] == [("inv", "view_caller", sid)]
    assert client.get("/api/audit", headers=sup).status_code == 403, "supervisors neither read nor edit it"
    engine = create_engine(database_url)
    for statement in ("UPDATE audit_log SET username = 'someone-else'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()


def test_logs_never_carry_a_callers_number(app, client, sandbox, clock, caplog, make_user) -> None:
    from .test_call_flow import run_for

    caplog.set_level(logging.DEBUG)
    caller = sandbox.dial("0912 345 678", "19009299")
    sandbox.press(caller.call_sid, "1")
    run_for(sandbox, clock, 20)
    sandbox.hang_up(caller.call_sid)
    client.get(f"/api/calls/{caller.call_sid}", headers=make_user("investigator"))
    assert caplog.records, "the flow logged something"
    assert not [r for r in caplog.records if NUMBER in r.getMessage() or "912 345" in r.getMessage()]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_every_investigator_view_of_branch_1_is_audited_and_exports_carry_none(
    app, client, twilio, make_user, database_url
) -> None:
    from sqlalchemy import select

    from models import Call, Ticket, db

    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    twilio.post("/ivr/language", call_params(sid, Digits="1"))
    with app.app_context():
        ticket = db.session.scalars(select(Ticket).join(Call).where(Call.call_sid == sid)).one()
        ticket.tax_code, ticket.question = "0100100079", "Công ty X buôn lậu"
        db.session.commit()
        ticket_id = ticket.id
    sup, admin, inv = make_user("supervisor"), make_user("admin"), make_user("investigator", username="inv")
    for who in (sup, admin):  # shown nothing, so nothing to audit
        client.get(f"/api/tickets/{ticket_id}", headers=who)
        client.post("/api/tickets/search", json={"from": "2026-11-22"}, headers=who)
    views = [
        client.get(f"/api/calls/{sid}", headers=inv),
        client.get(f"/api/tickets/{ticket_id}", headers=inv),
        client.get("/api/tickets?from=2026-11-22", headers=inv),
        client.post("/api/tickets/search", json={"caller": "0912345678", "tax_code": "0100100079"}, headers=inv),
    ]
    assert all(v.status_code == 200 and NUMBER in v.get_data(as_text=True) for v in views)
    entries = client.get("/api/audit", headers=inv).get_json()["entries"][::-1]
    assert [(e["user"], e["call_sid"], e["detail"]["method"], e["detail"]["path"]) for e in entries] == [
        ("inv", sid, "GET", f"/api/calls/{sid}"),
        ("inv", sid, "GET", f"/api/tickets/{ticket_id}"),
        ("inv", sid, "GET", "/api/tickets"),
        ("inv", sid, "POST", "/api/tickets/search"),
    ]
    assert entries[-1]["detail"]["filters"] == ["caller", "tax_code"], "what was searched by, never the values"
    assert NUMBER not in str(entries) and "0100100079" not in str(entries)
    for kind in ("abandonment", "service"):  # the exports are counts: no caller, no ticket to audit
        csv = client.get(f"/api/reports/{kind}?from=2026-11-22&to=2026-11-22&format=csv", headers=inv)
        assert csv.status_code == 200 and NUMBER not in csv.get_data(as_text=True)
    assert len(client.get("/api/audit", headers=inv).get_json()["entries"]) == 4
