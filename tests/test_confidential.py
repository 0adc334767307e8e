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
