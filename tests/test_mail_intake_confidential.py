"""A denunciation by e-mail keeps every branch-1 protection calls have (need-to-know): a supervisor
searching the tickets sees that a ticket exists, never who wrote it, what it says or the codes in it; the
mail is encrypted at rest; an investigator sees the sender (the contact's "caller") and is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from models import Call, Ticket, db

from .conftest import BACKENDS
from .mail_intake_support import DENOUNCE, desk_on, mail

WHISTLEBLOWER = "nguoitocao@gmail.com"
SUBJECT = "Tố cáo buôn lậu thuốc lá"
BODY = "Công ty XYZ (MST 0314409058) buôn lậu thuốc lá qua cửa khẩu Mộc Bài, tờ khai IDA khai sai."


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_supervisor_searching_tickets_never_sees_who_denounced_or_what(
    app, client, clock, make_user, database_url
) -> None:
    with desk_on(app, clock) as desk:
        result = desk.ingest(mail(BODY, subject=SUBJECT, sender=f"Người dân <{WHISTLEBLOWER}>", to=DENOUNCE))
        ticket = db.session.get(Ticket, result.ticket_id)
        sid = db.session.get(Call, ticket.call_id).call_sid
        assert (ticket.branch, ticket.tax_code, ticket.business_code) == (1, "0314409058", "IDA")
    secrets = (WHISTLEBLOWER, "nguoitocao", "buôn lậu", "XYZ", "0314409058", "Mộc Bài")
    sup = make_user("supervisor", username="sup")
    listed = client.get("/api/tickets?from=2026-11-22", headers=sup)
    found = client.post("/api/tickets/search", json={"from": "2026-11-22"}, headers=sup)
    by_code = client.post("/api/tickets/search", json={"tax_code": "0314409058"}, headers=sup)
    by_business = client.get("/api/tickets?business_code=IDA", headers=sup)
    one = client.get(f"/api/tickets/{result.ticket_id}", headers=sup)
    contact = client.get(f"/api/calls/{sid}", headers=sup)
    for response in (listed, found, by_code, by_business, one, contact):
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert not [s for s in secrets if s in body], response.request.path
    (row,) = listed.get_json()["tickets"]
    assert row["branch"] == 1 and row["details_hidden"] and row["question"] is None and row["caller"] is None
    assert by_code.get_json()["total"] == 0 and by_business.get_json()["total"] == 0, "a hit alone would tell"
    assert contact.get_json()["caller_raw"] is None
    inv = make_user("investigator", username="inv")
    assert client.get(f"/api/calls/{sid}", headers=inv).get_json()["caller_raw"] == WHISTLEBLOWER
    assert [e["call_sid"] for e in client.get("/api/audit", headers=inv).get_json()["entries"]] == [sid]
    engine = create_engine(database_url)
    with engine.connect() as conn:  # at rest: the sender, the subject, the words and the codes encrypted
        stored = [
            str(dict(r))
            for table in ("mail_messages", "calls", "tickets")
            for r in conn.execute(text(f"SELECT * FROM {table}")).mappings()  # noqa: S608 - fixed names
        ]
    engine.dispose()
    assert not [s for s in (WHISTLEBLOWER, "buôn lậu", "0314409058", "Mộc Bài") if any(s in x for x in stored)]
