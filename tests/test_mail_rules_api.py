"""The supervisor's mail rules over JSON (issue 15): supervisors and admins add, change and delete them,
investigators only read and try, agents get nothing; bad input is a 400 in the user's language; every
change is on the audit log; a rule added through the API changes the group intake proposes for the next
mail; the "try it" endpoint says which rule would match."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import AuditEntry, MailRule, db

from .conftest import BACKENDS
from .mail_intake_support import desk_on, mail

RULES = "/api/mail/rules"


def _rules(client, headers) -> list[dict]:
    answer = client.get(RULES, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["rules"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_supervisor_adds_changes_and_deletes_rules_each_change_on_the_audit_log(app, client, make_user) -> None:
    sup = make_user("supervisor", "giamsat")
    assert _rules(client, sup) == []
    first = client.post(RULES, json={"words": " mật khẩu ;chữ ký số,, ", "problem_group": "accounts"}, headers=sup)
    assert first.status_code == 201, first.get_json()
    rule = first.get_json()
    assert rule["words"] == "mật khẩu, chữ ký số" and rule["phrases"] == ["mật khẩu", "chữ ký số"]
    assert (rule["position"], rule["active"], rule["created_by"]) == (10, True, "giamsat")
    assert rule["problem_group_label"] == "Accounts, passwords, digital signatures"
    second = client.post(RULES, json={"words": "một cửa", "problem_group": "single_window"}, headers=sup).get_json()
    assert second["position"] == 20, "after the last rule"
    third = client.post(
        RULES, json={"words": "VNACCS", "problem_group": "incidents", "position": 5, "active": False}, headers=sup
    ).get_json()
    assert [r["id"] for r in _rules(client, sup)] == [third["id"], rule["id"], second["id"]], "in position order"

    changed = client.patch(f"{RULES}/{third['id']}", json={"active": True, "position": "30"}, headers=sup)
    assert changed.status_code == 200 and changed.get_json()["active"] is True and changed.get_json()["position"] == 30
    assert [r["id"] for r in _rules(client, sup)] == [rule["id"], second["id"], third["id"]]
    gone = client.delete(f"{RULES}/{second['id']}", headers=sup)
    assert gone.status_code == 200 and gone.get_json() == {"id": second["id"], "deleted": True}
    assert [r["id"] for r in _rules(client, sup)] == [rule["id"], third["id"]]
    assert client.delete(f"{RULES}/{second['id']}", headers=sup).status_code == 404
    assert client.patch(f"{RULES}/{second['id']}", json={"active": False}, headers=sup).status_code == 404

    with app.app_context():
        log = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.username, e.role, e.action) for e in log] == [
            ("giamsat", "supervisor", "mail_rule_added"),
            ("giamsat", "supervisor", "mail_rule_added"),
            ("giamsat", "supervisor", "mail_rule_added"),
            ("giamsat", "supervisor", "mail_rule_changed"),
            ("giamsat", "supervisor", "mail_rule_deleted"),
        ]
        assert log[-1].detail == {
            "mail_rule": second["id"],
            "words": "một cửa",
            "problem_group": "single_window",
            "position": 20,
            "active": True,
        }
        assert log[3].detail["position"] == 30 and all(e.at is not None for e in log)


def test_bad_input_is_refused_with_a_message_that_says_what_to_send(client, make_user) -> None:
    sup = make_user("supervisor")
    cases = [
        ({"problem_group": "accounts"}, "Write the words"),
        ({"words": "  ", "problem_group": "accounts"}, "Write the words"),
        ({"words": " ,; ,", "problem_group": "accounts"}, "at least one word or phrase"),
        ({"words": "x" * 201, "problem_group": "accounts"}, "at most 200 characters"),
        ({"words": "mật khẩu"}, "problem_group must be one of"),
        ({"words": "mật khẩu", "problem_group": "branch_1"}, "problem_group must be one of"),
        ({"words": "mật khẩu", "problem_group": "accounts", "position": 0}, "from 1 to 9999"),
        ({"words": "mật khẩu", "problem_group": "accounts", "position": 10000}, "from 1 to 9999"),
        ({"words": "mật khẩu", "problem_group": "accounts", "position": "ba"}, "from 1 to 9999"),
        ({"words": "mật khẩu", "problem_group": "accounts", "position": True}, "from 1 to 9999"),
        ({"words": "mật khẩu", "problem_group": "accounts", "active": "yes"}, "true or false"),
    ]
    for body, words in cases:
        answer = client.post(RULES, json=body, headers=sup)
        assert answer.status_code == 400, body
        assert answer.get_json()["error"] == "bad_input" and words in answer.get_json()["message"], body
    assert client.post(RULES, json=["words"], headers=sup).status_code == 400
    rule = client.post(RULES, json={"words": "mật khẩu", "problem_group": "accounts"}, headers=sup).get_json()
    nothing = client.patch(f"{RULES}/{rule['id']}", json={}, headers=sup)
    assert nothing.status_code == 400 and "at least one of" in nothing.get_json()["message"]
    bad = client.patch(f"{RULES}/{rule['id']}", json={"words": "ok", "position": 0}, headers=sup)
    assert bad.status_code == 400
    assert _rules(client, sup)[0]["words"] == "mật khẩu", "a refused change changes nothing"


def test_the_messages_speak_the_users_language(app, client, make_user) -> None:
    from models import User

    sup = make_user("supervisor", "giamsat-vi")
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "giamsat-vi")).one()
        user.language = "vi"
        db.session.commit()
    answer = client.post(RULES, json={"words": "mật khẩu", "problem_group": "accounts", "position": 0}, headers=sup)
    assert answer.status_code == 400 and answer.get_json()["error"] == "bad_input"
    message = answer.get_json()["message"]
    assert (
        "9999" in message
        and "position" not in message.lower()
        and re.search(r"[ạảấầẩậắằẳặẹẻếềểệịọỏốồổộớờởợụủứừửự]", message)
    )


def test_roles(client, make_user) -> None:
    sup, admin, investigator, agent = (make_user(r) for r in ("supervisor", "admin", "investigator", "agent"))
    rule = client.post(RULES, json={"words": "mật khẩu", "problem_group": "accounts"}, headers=admin)
    assert rule.status_code == 201
    rid = rule.get_json()["id"]
    assert len(_rules(client, investigator)) == 1, "investigators read the rules"
    tried = client.post(f"{RULES}/test", json={"subject": "Quên mật khẩu"}, headers=investigator)
    assert tried.status_code == 200 and tried.get_json()["problem_group"] == "accounts"
    for change in (
        lambda h: client.post(RULES, json={"words": "x", "problem_group": "other"}, headers=h),
        lambda h: client.patch(f"{RULES}/{rid}", json={"active": False}, headers=h),
        lambda h: client.delete(f"{RULES}/{rid}", headers=h),
    ):
        assert change(investigator).status_code == 403
        assert change(agent).status_code == 403
        assert change({}).status_code == 401
    assert client.get(RULES, headers=agent).status_code == 403
    assert client.post(f"{RULES}/test", json={"subject": "x"}, headers=agent).status_code == 403
    assert client.patch(f"{RULES}/{rid}", json={"active": False}, headers=sup).get_json()["active"] is False


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_rule_added_through_the_api_changes_what_intake_proposes_for_the_next_mail(app, client, clock, make_user):
    sup = make_user("supervisor")
    with desk_on(app, clock) as desk:
        desk.ingest(mail("Cổng một cửa quốc gia báo lỗi", subject="Hỗ trợ"))
    added = client.post(RULES, json={"words": "mot cua, NSW", "problem_group": "single_window"}, headers=sup)
    assert added.status_code == 201
    with desk_on(app, clock) as desk:
        desk.ingest(mail("Cổng Một Cửa quốc gia báo lỗi", subject="Hỗ trợ"))
    client.patch(f"{RULES}/{added.get_json()['id']}", json={"active": False}, headers=sup)
    with desk_on(app, clock) as desk:
        desk.ingest(mail("Cổng một cửa quốc gia báo lỗi", subject="Hỗ trợ"))
        assert [t.problem_group for t in desk.tickets()] == ["other", "single_window", "other"]


def test_try_it_says_which_rule_would_match(client, make_user, app) -> None:
    sup = make_user("supervisor")
    accounts = client.post(
        RULES, json={"words": "mật khẩu, chữ ký số", "problem_group": "accounts", "position": 20}, headers=sup
    ).get_json()
    incidents = client.post(
        RULES, json={"words": "VNACCS", "problem_group": "incidents", "position": 10}, headers=sup
    ).get_json()
    tried = client.post(f"{RULES}/test", json={"subject": "Hết hạn", "text": "CHU KY SO của công ty"}, headers=sup)
    body = tried.get_json()
    assert tried.status_code == 200 and body["problem_group"] == "accounts" and body["phrase"] == "chữ ký số"
    assert (
        body["rule"]["id"] == accounts["id"]
        and body["problem_group_label"] == "Accounts, passwords, digital signatures"
    )
    first = client.post(f"{RULES}/test", json={"subject": "Mật khẩu vnaccs"}, headers=sup).get_json()
    assert (first["problem_group"], first["rule"]["id"], first["phrase"]) == ("incidents", incidents["id"], "VNACCS")
    whole_words = client.post(f"{RULES}/test", json={"text": "VNACCSX và mật khẩuX"}, headers=sup).get_json()
    assert (whole_words["problem_group"], whole_words["rule"], whole_words["phrase"]) == ("other", None, None)
    assert client.post(f"{RULES}/test", json={}, headers=sup).status_code == 400
    assert client.post(f"{RULES}/test", json={"subject": 5}, headers=sup).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id)) is not None
        assert len(db.session.scalars(select(MailRule)).all()) == 2, "trying saves nothing"


def test_the_page_calls_the_api_with_its_session_and_csrf_token(client, make_user) -> None:
    make_user("supervisor", "giamsat", "correct-horse-battery")
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    client.post("/login", data={"username": "giamsat", "password": "correct-horse-battery", "csrf_token": token})
    page = client.get("/supervisor/mail-rules")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="rule-form"' in html and "/supervisor/static/mail/mail_rules.js" in html
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    body = {"words": "mật khẩu", "problem_group": "accounts"}
    assert client.post(RULES, json=body).status_code == 401, "no CSRF token: not authenticated for a change"
    assert client.post(RULES, json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert 'href="/supervisor/mail-rules"' in client.get("/supervisor/").get_data(as_text=True)
