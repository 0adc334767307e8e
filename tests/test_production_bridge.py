"""The conference bridge on the production path (issue 13): PostgreSQL, HOTLINE_ENV=production with
DESK_BRIDGE=conference, gunicorn and the scheduler as processes, Twilio's REST API played by the REST
double in its own process, Twilio's webhooks signed and sent by this test as Twilio sends them.

An agent goes available; a caller waits; the dispatcher calls her into the call's conference (the
caller stays queued); the room says she joined, so the caller is dequeued into it; she holds and
resumes (Participants API updates, by the room's SID found by its name), consults central support and
hands over; her leg ends and she wraps up."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from .conftest import call_params, new_sid, parse_twiml
from .test_production import (  # noqa: F401 - database is a fixture
    ACCOUNT_SID,
    BIN,
    PASSWORD,
    PUBLIC,
    QUEUE_SID,
    database,
    running_desk,
    wait_until,
)

pytestmark = pytest.mark.production


def test_the_conference_bridge_in_production(database: str, tmp_path: Path) -> None:  # noqa: F811
    with running_desk(database, tmp_path) as desk:
        desk.env.update(DESK_BRIDGE="conference", CENTRAL_SUPPORT_NUMBERS="accounts=0243 944 0001")
        desk.flask("db", "upgrade")
        desk.flask("users", "create", "lan", "--role", "agent", "--password", PASSWORD)
        desk.flask("agents", "create", "lan", "--name", "Nguyễn Thị Lan", "--skills", "branch_2,accounts,vi")
        desk.flask("rota", "overtime", "lan", "--hours", "4")
        desk.start_web()
        desk.start("scheduler", [str(BIN / "flask"), "--app", "app", "scheduler", "run"])
        cookie, csrf = desk.log_in("lan")
        headers = {**cookie, "X-CSRF-Token": csrf}
        assert requests.post(desk.web + "/agent/api/state", json={"state": "available"}, headers=headers).ok

        sid = new_sid()
        params = {**call_params(sid), "AccountSid": ACCOUNT_SID}
        desk.webhook("/ivr/incoming", params)
        desk.webhook("/ivr/language", {**params, "Digits": "2"})
        desk.webhook("/ivr/group?attempt=1&lang=vi", {**params, "Digits": "1"})
        requests.post(desk.double + "/_double/members", data={"queue_sid": QUEUE_SID, "call_sid": sid}, timeout=5)
        desk.webhook("/ivr/queue/wait?branch=2&lang=vi", {**params, "QueuePosition": "1", "QueueSid": QUEUE_SID})

        # The dispatcher calls lan into the call's conference; the caller is still queued.
        state = wait_until(lambda: (s := desk.twilio_state())["conferences"] and s, "lan called into the room")
        (room,) = state["conferences"]
        assert room["friendly_name"] == f"call-{sid}" and state["dequeued"] == []
        (agent_leg,) = [p for people in state["participants"].values() for p in people]
        assert agent_leg["label"].startswith("agent-")

        # She answers: Twilio starts the room and tells us she joined; the caller is dequeued into it.
        requests.post(desk.double + "/_double/conferences/start", data={"friendly_name": f"call-{sid}"}, timeout=5)
        join = {
            **call_params(agent_leg["call_sid"]),
            "AccountSid": ACCOUNT_SID,
            "ConferenceSid": room["sid"],
            "FriendlyName": f"call-{sid}",
            "StatusCallbackEvent": "participant-join",
            "ParticipantLabel": agent_leg["label"],
            "SequenceNumber": "1",
        }
        desk.webhook(f"/ivr/conference/events?call={sid}", join)
        (queue_sid, call_sid, seat_url) = desk.twilio_state()["dequeued"][0]
        assert (queue_sid, call_sid) == (QUEUE_SID, sid) and seat_url.startswith(PUBLIC + "/ivr/conference/caller")
        seat = parse_twiml(desk.webhook(seat_url, params)).find("Dial/Conference")
        assert seat.text == f"call-{sid}" and seat.get("participantLabel") == "caller"
        requests.post(
            desk.double + "/_double/conferences/start",
            data={"friendly_name": f"call-{sid}", "call_sid": f"{sid}=caller"},
            timeout=5,
        )
        on_call = requests.get(desk.web + "/agent/api/state", headers=headers).json()
        assert on_call["agent"]["state"] == "on_call" and on_call["bridge"] == "conference"

        # Hold, resume, consult central support and hand over: Participants API requests by the room's SID.
        assert requests.post(desk.web + "/agent/api/hold", json={"hold": True}, headers=headers).json()["call"][
            "on_hold"
        ]
        assert requests.post(desk.web + "/agent/api/hold", json={"hold": False}, headers=headers).ok
        started = requests.post(desk.web + "/agent/api/consult", json={"action": "start"}, headers=headers)
        assert started.status_code == 200, started.text
        support = next(
            p for people in desk.twilio_state()["participants"].values() for p in people if p["label"] == "consult"
        )
        desk.webhook(
            f"/ivr/conference/events?call={sid}",
            {**join, **call_params(support["call_sid"]), "ParticipantLabel": "consult", "SequenceNumber": "3"},
        )
        handed = requests.post(desk.web + "/agent/api/consult", json={"action": "handover"}, headers=headers)
        assert handed.status_code == 200, handed.text
        sent = [
            (method, path.rsplit("/", 1)[-1], form) for method, path, form in desk.twilio_state()["conference_requests"]
        ]
        holds = [form.get("Hold") for method, name, form in sent if name == "caller.json"]
        assert holds[:2] == ["true", "false"], sent
        assert ("DELETE", f"{agent_leg['label']}.json", {}) in sent, "she left the room at the hand-over"
        desk.webhook(
            f"/ivr/conference/agent-leg?agent={agent_leg['label'].split('-')[1]}&call={sid}",
            {**call_params(agent_leg["call_sid"]), "AccountSid": ACCOUNT_SID, "CallStatus": "completed"},
        )
        assert requests.get(desk.web + "/agent/api/state", headers=headers).json()["agent"]["state"] == "wrap_up"
        assert "Traceback" not in desk.log("gunicorn"), desk.log("gunicorn")[-3000:]
