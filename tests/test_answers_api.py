"""The answer base's service and JSON API (issue 16): an agent proposes from her own branch-2 wrap-up
(de-identified; never branch 1), a supervisor edits and publishes, the desk and the public find it, the
public says whether it helped (rate-limited, same-origin), and searches that found nothing are gaps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from callcenter.agents.service import AgentService
from callcenter.answers.deident import deidentify
from models import Call, Ticket, db

QUESTION = (
    "Anh Trần Văn Bình (0912 345 678, binh.tran@congty.vn) hỏi: MST 0314409058-002 không đăng nhập được "
    "VNACCS để khai tờ khai 101234567890; gọi lại +84 28 3829 1234 hoặc 0987.654.321."
)
ANSWER = "Đặt lại mật khẩu tại cổng VNACCS; nếu vẫn lỗi gửi thư tới hotro@customs.gov.vn, MST 0100100079."


def _ticket(app: Flask, agent_id: int, *, branch: int, n: int) -> int:
    now = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    with app.app_context():
        call = Call(
            call_sid=f"CA{n:032d}", started_at=now, branch=branch, stage="ended", caller_e164="+84912345678",
            from_raw="+84912345678", language="vi",
        )  # fmt: skip
        db.session.add(call)
        db.session.flush()
        ticket = Ticket(
            call_id=call.id, status="closed", outcome="resolved", branch=branch, problem_group="accounts",
            business_code="IDA", agent_id=agent_id, question=QUESTION, answer=ANSWER, wrapped_up_at=now,
            created_at=now,
        )  # fmt: skip
        db.session.add(ticket)
        db.session.commit()
        return ticket.id


def _setup(app: Flask, make_user: Any) -> dict[str, Any]:
    headers = {"agent": make_user("agent", "lan"), "other": make_user("agent", "minh")}
    headers["supervisor"] = make_user("supervisor", "sup")
    with app.app_context():
        agents = AgentService(db.session, app.extensions["clock"])
        lan = agents.create("lan", "Lan", ["branch_2", "vi"]).id
        minh = agents.create("minh", "Minh", ["branch_2", "vi"]).id
        db.session.commit()
    return {"headers": headers, "lan": lan, "minh": minh}


def test_deidentify_removes_the_callers_data_and_numbers() -> None:
    text = deidentify(QUESTION + " " + ANSWER, numbers=["+84912345678"], names=["Trần Văn Bình"])
    for gone in ("0912", "345 678", "binh.tran", "congty", "0314409058", "101234567890", "3829", "0987", "654",
                 "0100100079", "hotro@", "Trần Văn Bình"):  # fmt: skip
        assert gone not in text, gone
    assert "[số tờ khai]" in text and "[mã số thuế]" in text and "[địa chỉ e-mail]" in text
    assert "[số điện thoại]" in text and "[người gọi]" in text and "VNACCS" in text


def test_propose_publish_find_and_feedback(app: Flask, client: FlaskClient, make_user: Any) -> None:
    world = _setup(app, make_user)
    agent, supervisor = world["headers"]["agent"], world["headers"]["supervisor"]
    branch_1 = _ticket(app, world["lan"], branch=1, n=1)
    branch_2 = _ticket(app, world["lan"], branch=2, n=2)
    others = _ticket(app, world["minh"], branch=2, n=3)

    refused = client.post("/api/answers/propose", json={"ticket_id": branch_1}, headers=agent)
    assert refused.status_code == 400 and "branch 2" in refused.get_json()["message"]
    assert client.post("/api/answers/propose", json={"ticket_id": others}, headers=agent).status_code == 404
    assert client.post("/api/answers/propose", json={"ticket_id": branch_2}, headers=supervisor).status_code == 403
    proposed = client.post("/api/answers/propose", json={"ticket_id": branch_2}, headers=agent)
    assert proposed.status_code == 201, proposed.get_json()
    entry = proposed.get_json()
    assert entry["status"] == "proposed" and entry["business_codes"] == ["IDA"] and entry["author"] == "lan"
    written = entry["title"] + entry["question"] + entry["answer"]
    for gone in ("0912", "binh.tran", "0314409058", "101234567890", "3829", "0987", "hotro@", "0100100079"):
        assert gone not in written, gone
    again = client.post("/api/answers/propose", json={"ticket_id": branch_2}, headers=agent)
    assert again.status_code == 409

    # not published yet: not found by the desk nor the public; the supervisor's review queue has it
    assert client.get("/api/answers?q=mat khau", headers=agent).get_json()["hits"] == []
    assert client.get("/api/answers?status=proposed", headers=agent).status_code == 403
    queue = client.get("/api/answers?status=proposed", headers=supervisor).get_json()["entries"]
    assert [e["id"] for e in queue] == [entry["id"]]
    edited = client.patch(
        f"/api/answers/{entry['id']}",
        json={"title": "Không đăng nhập được VNACCS: đặt lại mật khẩu", "business_codes": "IDA, idc"},
        headers=supervisor,
    )
    assert edited.status_code == 200 and edited.get_json()["business_codes"] == ["IDA", "IDC"]
    bad = client.patch(f"/api/answers/{entry['id']}", json={"language": "fr"}, headers=supervisor)
    assert bad.status_code == 400 and bad.get_json()["message"]
    assert client.post(f"/api/answers/{entry['id']}/publish", headers=agent).status_code == 403
    published = client.post(f"/api/answers/{entry['id']}/publish", headers=supervisor).get_json()
    assert published["status"] == "published" and published["reviewer"] == "sup"

    hits = client.get("/api/answers?q=dang nhap vnacc&code=idc", headers=agent).get_json()["hits"]
    assert [h["id"] for h in hits] == [entry["id"]]
    public = client.get("/public/api/answers?q=mat khau&code=IDA").get_json()["hits"]
    assert [h["id"] for h in public] == [entry["id"]]
    assert "author" not in public[0] and "reviewer" not in public[0]

    assert client.post(f"/public/api/answers/{entry['id']}/feedback", json={"helped": True}).get_json() == {
        "thanks": True
    }
    twice = client.post(f"/public/api/answers/{entry['id']}/feedback", json={"helped": True})
    assert twice.status_code == 429  # once per entry and address an hour
    cross = client.post(
        f"/public/api/answers/{entry['id']}/feedback",
        json={"helped": False},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    assert client.get(f"/api/answers/{entry['id']}", headers=agent).get_json()["helped"] == 1

    client.post(f"/api/answers/{entry['id']}/retire", headers=supervisor)
    assert client.get("/public/api/answers?q=mat khau").get_json()["hits"] == []
    gaps = client.get("/api/answers/gaps", headers=supervisor).get_json()["gaps"]
    assert {(g["query"], g["source"]) for g in gaps} >= {("mat khau", "public"), ("mat khau", "desk")}
    assert client.get("/api/answers/gaps", headers=agent).status_code == 403


def test_the_public_search_is_rate_limited_per_address(app: Flask, client: FlaskClient, clock: Any) -> None:
    app.config["PUBLIC_ANSWER_SEARCHES"] = 3
    codes = [client.get("/public/api/answers?q=thu").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = client.get("/public/api/answers?q=thu", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
    clock.advance(61)
    assert client.get("/public/api/answers?q=thu").status_code == 200


def test_answer_api_messages_in_vietnamese(app: Flask, client: FlaskClient, make_user: Any) -> None:
    supervisor = make_user("supervisor", "sup")
    refused = client.post(
        "/api/answers", json={"title": "x", "language": "fr"}, headers={**supervisor, "Accept-Language": "vi"}
    )
    assert refused.status_code == 400 and refused.get_json()["message"] == "Ngôn ngữ phải là vi hoặc en."
    for body in ({"title": "x", "question": "q", "answer": "a", "by": "someone"}, {"title": "x"}, []):
        assert client.post("/api/answers", json=body, headers=supervisor).status_code == 400, body
