"""The e-mail figures (issue 15): the wallboard's backlog and the "E-mail" report, with numbers worked out
by hand, on SQLite and PostgreSQL. Conversations are built with open_conversation() and MailMessage rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.mail.contact import open_conversation
from callcenter.mail.outbox import message_key
from models import Agent, MailMessage, MailState, MailWork, db

from .conftest import BACKENDS
from .test_reports import place_calls


def vn(day: int, hour: int, minute: int = 0) -> datetime:
    """Vietnam local time (UTC+7) on November `day`, 2026, as a UTC datetime."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def conversation(session, received, *, answered=None, branch=2, group=None, state=MailState.NEW, closed=None):
    ticket = open_conversation(
        session, sender="dn@example.vn", to_address="bophanhotro@customs.gov.vn", branch=branch,
        problem_group=group, language="vi", at=received,
    )  # fmt: skip
    session.flush()
    work = session.get(MailWork, ticket.id)
    work.first_response_at = answered
    work.state = (MailState.ANSWERED if answered else state).value
    ticket.closed_at = closed
    inbound(session, ticket.id, received)
    return ticket


def inbound(session, ticket_id: int, at: datetime) -> None:
    mid = f"{ticket_id}.{at.timestamp()}@example.vn"
    session.add(MailMessage(ticket_id=ticket_id, direction="in", message_id=mid, message_key=message_key(mid), at=at))


def make_mail(app) -> None:
    """The e-mails of the worked example (Vietnam times; target 8 h = 28,800 s):

    22/11  A 08:00 branch 2 accounts, answered 08:30 →   1,800 s (within); the customer writes again 10:00
           B 09:00 branch 2 accounts, answered 11:00 →   7,200 s (within)
           C 10:00 branch 1,          answered 20:00 →  36,000 s (10 h: NOT within)
           D 12:00 branch 2 other,    answered 12:15 →     900 s (within)
           E 20:00 branch 2, not answered
           F 22:30 branch 2, not answered
           I 14:00 branch 2, closed 15:00 without an answer
    21/11  G 10:00 branch 1, not answered
           H 20:00 branch 2, answered 22/11 09:00; the customer writes again 22/11 11:00
    """
    with app.app_context():
        s = db.session
        a = conversation(s, vn(22, 8), answered=vn(22, 8, 30), group="accounts")
        inbound(s, a.id, vn(22, 10))
        conversation(s, vn(22, 9), answered=vn(22, 11), group="accounts")
        conversation(s, vn(22, 10), answered=vn(22, 20), branch=1)
        conversation(s, vn(22, 12), answered=vn(22, 12, 15), group="other")
        conversation(s, vn(22, 20))
        conversation(s, vn(22, 22, 30))
        conversation(s, vn(22, 14), state=MailState.CLOSED, closed=vn(22, 15))
        conversation(s, vn(21, 10), branch=1)
        h = conversation(s, vn(21, 20), answered=vn(22, 9))
        inbound(s, h.id, vn(22, 11))
        s.commit()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_mail_report_worked_example(app, client, sandbox, clock, make_user) -> None:
    place_calls(sandbox, clock)  # 22/11 09:00: 3 calls offered, 1 answered, no callback
    make_mail(app)
    clock.set(vn(22, 23))  # now: 23:00 on the 22nd
    sup = make_user("supervisor")
    body = client.get("/api/reports/email?from=2026-11-22&to=2026-11-22", headers=sup).get_json()
    total = body["total"]
    # received (first messages) on the 22nd: A B C D E F I = 7; replies: A's 10:00 and H's 11:00 = 2
    assert (total["received"], total["replies_received"]) == (7, 2)
    # answered of those 7: A B C D = 4 → 4/7 = 57.1 %; unanswered 3 (E F I)
    assert (total["answered"], total["unanswered"], total["answered_rate"]) == (4, 3, 57.1)
    # first responses sorted: 900, 1800, 7200, 36000 → median (1800 + 7200) / 2 = 4500;
    # p90 = the ⌈0.9 × 4⌉ = 4th smallest = 36000
    assert (total["first_response_median_seconds"], total["first_response_p90_seconds"]) == (4500, 36000)
    # within 8 h: A B D = 3 of the 7 received → 42.857 → 42.9 %
    assert (total["answered_within_target"], total["within_target_rate"]) == (3, 42.9)
    # backlog at min(end of the 22nd, now) = 23:00: E (3 h → 1–4 h), F (0.5 h → < 1 h), G (37 h → > 24 h);
    # C and H were answered before 23:00, I was closed
    assert body["backlog"] == {"lt_1h": 1, "1_4h": 1, "4_8h": 0, "8_24h": 0, "gt_24h": 1}
    # one handled rate: (1 answered call + 0 callbacks + 4 e-mails) / (3 offered calls + 7 e-mails) = 50.0 %
    handled = body["handled"]
    assert (handled["handled"], handled["contacts"], handled["handled_rate"]) == (5, 10, 50.0)
    assert handled["department_handled_rate"] == 70.0
    assert [g["key"] for g in body["groups"]] == ["2026-11-22"]

    # by branch: 1 = C (36000 s, not within); 2 = A B D E F I (+ 2 replies): median of 900, 1800, 7200 = 1800,
    # p90 = ⌈0.9 × 3⌉ = 3rd = 7200
    by_branch = client.get("/api/reports/email?from=2026-11-22&by=branch", headers=sup).get_json()
    rows = {g["key"]: g for g in by_branch["groups"]}
    assert (rows[1]["received"], rows[1]["answered"], rows[1]["answered_within_target"]) == (1, 1, 0)
    assert rows[1]["first_response_median_seconds"] == 36000
    assert (rows[2]["received"], rows[2]["replies_received"], rows[2]["answered"]) == (6, 2, 3)
    assert (rows[2]["first_response_median_seconds"], rows[2]["first_response_p90_seconds"]) == (1800, 7200)
    by_group = client.get("/api/reports/email?from=2026-11-22&by=group", headers=sup).get_json()
    assert {g["key"]: g["received"] for g in by_group["groups"]} == {"accounts": 2, "other": 1, None: 4}

    # the 21st alone: backlog at its end (22/11 00:00): G 14 h old (8–24 h), H exactly 4 h (4–8 h: bands are
    # [lower, upper)); received G and H = 2, answered H (13 h: not within); no calls that day → 1/2 = 50.0 %
    day21 = client.get("/api/reports/email?from=2026-11-21", headers=sup).get_json()
    assert day21["backlog"] == {"lt_1h": 0, "1_4h": 0, "4_8h": 1, "8_24h": 1, "gt_24h": 0}
    assert (day21["total"]["received"], day21["total"]["answered"], day21["total"]["within_target_rate"]) == (2, 1, 0)
    assert day21["handled"]["handled_rate"] == 50.0

    reply = client.get("/api/reports/email?from=2026-11-21&to=2026-11-22&format=csv", headers=sup)
    assert reply.mimetype == "text/csv" and "attachment" in reply.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(reply.get_data(as_text=True))))
    assert lines[0][:3] == ["day", "received", "replies_received"]
    assert [r[0] for r in lines[1:4]] == ["2026-11-21", "2026-11-22", "total"]
    # both days: 9 received, 5 answered (A B C D H): (1 + 0 + 5) / (3 + 9) = 6 / 12 = 50.0 %
    assert lines[3][1] == "9" and ["handled_rate", "50.0"] in lines
    assert "dn@example.vn" not in reply.get_data(as_text=True), "counts only"


def test_mail_report_refuses_a_bad_grouping(app, client, make_user) -> None:
    sup = make_user("supervisor")
    reply = client.get("/api/reports/email?from=2026-11-22&by=hour", headers=sup)
    assert reply.status_code == 400 and reply.get_json()["error"] == "bad_input"
    assert client.get("/api/reports/email", headers=make_user("agent")).status_code == 403


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_wallboard_shows_the_mail_backlog_and_whose_desk_has_one(app, client, clock, make_user) -> None:
    """Now 23:00 on the 22nd: new in branch 2 since 20:00 (3 h) and 22:30, new in branch 1 since the 21st
    10:00 (37 h = 133,200 s); one on agent1's desk; one waiting for the customer; answered ones not counted."""
    clock.set(vn(22, 23))
    with app.app_context():
        s = db.session
        agent = Agent(username="agent1", identity="agent1", display_name="Lan", skills=[], state="available",
                      state_since=clock.now(), created_at=clock.now())  # fmt: skip
        s.add(agent)
        s.flush()
        conversation(s, vn(22, 20))
        conversation(s, vn(22, 22, 30))
        conversation(s, vn(21, 10), branch=1)
        desk = conversation(s, vn(22, 21), state=MailState.ASSIGNED)
        work = s.get(MailWork, desk.id)
        work.agent_id, work.assigned_at = agent.id, vn(22, 22, 50)
        conversation(s, vn(22, 19), state=MailState.WAITING)
        conversation(s, vn(22, 8), answered=vn(22, 9))
        s.commit()
        desk_id = desk.id
    body = client.get("/api/wallboard", headers=make_user("supervisor")).get_json()
    mail = body["mail"]
    assert (mail["new"], mail["on_desks"], mail["waiting_for_customer"]) == (3, 1, 1)
    assert mail["oldest_seconds"] == 37 * 3600
    assert mail["by_branch"] == {
        "1": {"count": 1, "oldest_seconds": 133200},
        "2": {"count": 2, "oldest_seconds": 3 * 3600},
    }
    lan = next(a for a in body["agents"] if a["username"] == "agent1")
    assert lan["mail"] == {"ticket_id": desk_id, "since": vn(22, 22, 50).isoformat()}
