"""E-mail tickets on the supervisor's pages and API (channel filter, the thread) and the sandbox's "write to
the hotline" page (issue 15)."""

from __future__ import annotations

from flask import Flask

from callcenter.mail.outbox import Outbox
from callcenter.mail.settings import MailSettings
from models import Ticket, db

from .conftest import call_params, new_sid
from .mail_desk_support import Desk, agent_user, new_mail
from .test_mail_desk import _login


def test_the_ticket_api_filters_by_channel(app: Flask, clock, twilio) -> None:
    sid = new_sid()
    twilio.post("/ivr/incoming", call_params(sid))
    twilio.post("/ivr/status", call_params(sid, CallStatus="completed"))
    mail = new_mail(app, clock)
    supervisor = _login(app, clock, "supervisor")
    emails = supervisor.get("/api/tickets?channel=email").get_json()
    assert [t["id"] for t in emails["tickets"]] == [mail]
    assert emails["tickets"][0]["channel"] == "email" and emails["tickets"][0]["caller"] == "ketoan@congty.vn"
    calls = supervisor.get("/api/tickets?channel=call").get_json()
    assert [t["channel"] for t in calls["tickets"]] == ["call"]
    assert supervisor.get("/api/tickets").get_json()["total"] == 2
    bad = supervisor.get("/api/tickets?channel=fax")
    assert bad.status_code == 400 and "channel" in bad.get_json()["message"]


def test_the_ticket_page_shows_the_thread(app: Flask, clock, twilio) -> None:
    ticket = new_mail(app, clock, attachment=b"PDF")
    agent_user(app, clock, "lan")
    lan = Desk(app, "lan")
    lan.mail()
    clock.advance(120)
    lan.post("mail/reply", {"ticket_id": ticket, "body": "Đã xử lý."})
    supervisor = _login(app, clock, "supervisor")
    shown = supervisor.get(f"/api/tickets/{ticket}").get_json()
    assert shown["channel"] == "email"
    thread = supervisor.get(f"/api/tickets/{ticket}/mail").get_json()
    assert [m["direction"] for m in thread["messages"]] == ["in", "out"]
    assert thread["messages"][0]["attachments"][0]["filename"] == "to-khai.pdf"
    assert thread["messages"][1]["body"] == "Đã xử lý." and thread["state"] == "answered"
    page = supervisor.get(f"/supervisor/tickets/{ticket}").get_data(as_text=True)
    assert 'id="thread"' in page and "mail_thread.js" in page
    with app.app_context():
        call_ticket = db.session.query(Ticket.id).filter(Ticket.id != ticket).first()
    if call_ticket:
        assert supervisor.get(f"/api/tickets/{call_ticket[0]}/mail").status_code == 404
    assert 'name="channel"' in supervisor.get("/supervisor/tickets").get_data(as_text=True)


def test_the_sandbox_page_shows_the_replies_to_the_address(app: Flask, clock) -> None:
    ticket = new_mail(app, clock, sender="demo@congty.vn")
    with app.app_context():
        settings = MailSettings.from_config(app.config)
        Outbox(db.session, settings).queue(
            db.session.get(Ticket, ticket),
            kind="ack",
            to="demo@congty.vn",
            subject="Đã nhận [1900 9299 #1]",
            body_text="Cảm ơn quý công ty.",
            at=clock.now(),
        )
        db.session.commit()
    client = app.test_client()
    page = client.get("/sandbox/mail?from=Demo@CongTy.vn").get_data(as_text=True)
    assert "Đã nhận [1900 9299 #1]" in page and "Cảm ơn quý công ty." in page and "acknowledgement" in page
    assert "bophanhotro@customs.gov.vn" in page
    assert "Nothing yet." in client.get("/sandbox/mail?from=other@x.vn").get_data(as_text=True)
    assert 'href="/sandbox/mail"' in client.get("/sandbox/").get_data(as_text=True)


def test_writing_to_the_hotline_makes_a_ticket(app: Flask, clock) -> None:
    client = app.test_client()
    sent = client.post(
        "/sandbox/mail",
        data={"from": "ketoan@congty.vn", "to": "bophanhotro@customs.gov.vn", "subject": "Hỏi", "body": "Xin chào"},
    )
    assert sent.status_code in (302, 303)
    assert "ticket=" in sent.headers["Location"]
    with app.app_context():
        assert db.session.query(Ticket).count() == 1
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Received: ticket" in page


def test_the_sandbox_refuses_an_unknown_address(app: Flask) -> None:
    client = app.test_client()
    sent = client.post("/sandbox/mail", data={"from": "a@b.vn", "to": "someone@else.vn", "subject": "x"})
    assert sent.status_code == 302 and "problem=" in sent.headers["Location"]
