"""The REST double against Twilio's published OpenAPI description (our subset in
tests/twilio_api_v2010_subset.json): every path it serves is described there, and its answers for calls,
queues, members, conferences and participants validate against the described schemas (through the
official twilio client where the app will use it)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
from twilio.rest import Client

from callcenter.telephony.gateway import BaseUrlHttpClient

from .rest_double import TwilioDouble, build_app, serve

SPEC = json.loads((Path(__file__).parent / "twilio_api_v2010_subset.json").read_text(encoding="utf-8"))
ACCOUNT = "AC" + "1" * 32
CALL_A, CALL_B, QUEUE = "CA" + "a" * 32, "CA" + "b" * 32, "QU" + "c" * 32


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable` as JSON Schema's null type."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [{"type": "null"}, node]}
    return node


COMPONENTS = _json_schema(SPEC["components"])


def _operation(path: str, method: str, status: int) -> dict[str, Any]:
    return SPEC["paths"][path][method]["responses"][str(status)]


def check(path: str, method: str, response: requests.Response, status: int = 200) -> dict[str, Any]:
    """The answer has the documented status, validates against the documented schema, and has no
    property the schema does not name."""
    assert response.status_code == status, response.text
    schema = _operation(path, method, status)["content"]["application/json"]["schema"]
    body = response.json()
    jsonschema.Draft202012Validator({**_json_schema(schema), "components": COMPONENTS}).validate(body)
    _no_unknown_properties(schema, body)
    return body


def _no_unknown_properties(schema: dict[str, Any], body: Any) -> None:
    if "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if isinstance(body, dict) and "properties" in schema:
        assert set(body) <= set(schema["properties"]), set(body) - set(schema["properties"])
        for key, value in body.items():
            _no_unknown_properties(schema["properties"][key], value)
    if isinstance(body, list) and "items" in schema:
        for item in body:
            _no_unknown_properties(schema["items"], item)


@pytest.fixture
def double():
    with serve(ACCOUNT) as running:
        yield running


def api(double: TwilioDouble, method: str, tail: str, **form: Any) -> requests.Response:
    url = f"{double.base_url}/2010-04-01/Accounts/{ACCOUNT}{tail}"
    return requests.request(method, url, data=form or None, auth=(ACCOUNT, "token"), timeout=5)


P = "/2010-04-01/Accounts/{AccountSid}"


def test_every_path_the_double_serves_is_in_the_published_description() -> None:
    served = set()
    for rule in build_app(TwilioDouble(ACCOUNT)).url_map.iter_rules():
        if rule.rule.startswith("/_double/") or rule.endpoint == "static":
            continue
        path = re.sub(r"<account>", "{AccountSid}", rule.rule)
        path = re.sub(r"<(\w+)>", lambda m: "{" + m.group(1) + "}", path)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method.lower()))
    described = {(re.sub(r"\{\w+\}", "{}", path), method) for path, item in SPEC["paths"].items() for method in item}
    missing = {(p, m) for p, m in served if (re.sub(r"\{\w+\}", "{}", p), m) not in described}
    assert not missing, f"served but not described in twilio_api_v2010_subset.json: {sorted(missing)}"
    assert len(served) == 14


def test_the_subset_keeps_twilios_schemas_for_conferences_and_participants() -> None:
    schemas = SPEC["components"]["schemas"]
    assert set(schemas["api.v2010.account.conference.participant"]["properties"]) == {
        "account_sid", "call_sid", "label", "call_sid_to_coach", "coaching", "conference_sid", "date_created",
        "date_updated", "end_conference_on_exit", "muted", "hold", "start_conference_on_enter", "status",
        "queue_time", "uri",
    }  # fmt: skip
    assert schemas["conference_enum_status"]["enum"] == ["init", "in-progress", "completed"]
    assert schemas["participant_enum_status"]["enum"] == [
        "queued", "connecting", "ringing", "connected", "complete", "failed",
    ]  # fmt: skip


def test_calls_queues_and_members_answer_as_described(double: TwilioDouble) -> None:
    double.add_call(CALL_A, "in-progress")
    double.queues[QUEUE] = "hotline-branch-2"
    double.add_member(QUEUE, CALL_A)
    check(f"{P}/Calls/{{Sid}}.json", "get", api(double, "GET", f"/Calls/{CALL_A}.json"))
    created = check(
        f"{P}/Calls.json", "post", api(double, "POST", "/Calls.json", To="client:an", From="+8419009299", Url="u"), 201
    )
    assert double.calls[created["sid"]]["direction"] == "outbound-api"
    check(f"{P}/Queues.json", "get", api(double, "GET", "/Queues.json"))
    check(f"{P}/Queues/{{QueueSid}}/Members.json", "get", api(double, "GET", f"/Queues/{QUEUE}/Members.json"))
    check(
        f"{P}/Queues/{{QueueSid}}/Members/{{CallSid}}.json",
        "post",
        api(double, "POST", f"/Queues/{QUEUE}/Members/{CALL_A}.json", Url="http://x/connect"),
    )
    ended = check(f"{P}/Calls/{{Sid}}.json", "post", api(double, "POST", f"/Calls/{CALL_A}.json", Status="completed"))
    assert ended["status"] == "completed" and double.updated == [(CALL_A, {"Status": "completed"})]


def test_conferences_list_filter_fetch_and_end(double: TwilioDouble) -> None:
    sid = double.conferences.add("call-CA1", [CALL_A, CALL_B])
    double.conferences.add("call-CA2", status="completed")
    listed = check(f"{P}/Conferences.json", "get", api(double, "GET", "/Conferences.json?FriendlyName=call-CA1"))
    assert [c["sid"] for c in listed["conferences"]] == [sid]
    by_status = check(f"{P}/Conferences.json", "get", api(double, "GET", "/Conferences.json?Status=in-progress"))
    assert [c["friendly_name"] for c in by_status["conferences"]] == ["call-CA1"]
    fetched = check(f"{P}/Conferences/{{Sid}}.json", "get", api(double, "GET", f"/Conferences/{sid}.json"))
    assert fetched["status"] == "in-progress" and fetched["reason_conference_ended"] is None
    ended = check(
        f"{P}/Conferences/{{Sid}}.json", "post", api(double, "POST", f"/Conferences/{sid}.json", Status="completed")
    )
    assert (ended["status"], ended["reason_conference_ended"]) == ("completed", "conference-ended-via-api")
    assert double.conferences.participants[sid] == {}
    assert double.conferences.requests[-1] == (
        "POST",
        f"/2010-04-01/Accounts/{ACCOUNT}/Conferences/{sid}.json",
        {"Status": "completed"},
    )


def test_unknown_conferences_and_participants_are_404_with_twilios_error_shape(double: TwilioDouble) -> None:
    missing = "CF" + "0" * 32
    for method, tail in [
        ("GET", f"/Conferences/{missing}.json"),
        ("POST", f"/Conferences/{missing}.json"),
        ("GET", f"/Conferences/{missing}/Participants.json"),
        ("GET", f"/Conferences/{missing}/Participants/{CALL_A}.json"),
        ("DELETE", f"/Conferences/{missing}/Participants/agent.json"),
    ]:
        response = api(double, method, tail)
        assert response.status_code == 404
        body = response.json()
        assert set(body) == {"code", "message", "more_info", "status"} and (body["code"], body["status"]) == (
            20404,
            404,
        )


def test_participants_through_the_official_client(double: TwilioDouble) -> None:
    sid = double.conferences.add("call-CA1")
    double.conferences.join(sid, CALL_A, "customer")
    client = Client(ACCOUNT, "token", http_client=BaseUrlHttpClient(double.base_url))
    conference = client.conferences(sid)
    agent = conference.participants.create(
        from_="+8419009299", to="client:an", label="agent", early_media=True, beep="false", muted=False,
        end_conference_on_exit=True, status_callback="http://app/cb", status_callback_event=["answered", "completed"],
    )  # fmt: skip
    assert (agent.label, agent.status, agent.end_conference_on_exit) == ("agent", "queued", True)
    assert (
        double.calls[agent.call_sid]["to"] == "client:an"
        and double.calls[agent.call_sid]["direction"] == "outbound-api"
    )
    form = double.conferences.created_calls[0]
    assert (form["Label"], form["EarlyMedia"], form["StatusCallbackEvent"]) == ("agent", "true", "answered")
    held = conference.participants("customer").update(hold=True, hold_url="http://app/hold", hold_method="POST")
    assert (held.call_sid, held.hold) == (CALL_A, True)
    assert double.conferences.requests[-1][2] == {"Hold": "true", "HoldUrl": "http://app/hold", "HoldMethod": "POST"}
    assert [p.call_sid for p in conference.participants.list(hold=True)] == [CALL_A]
    coach = conference.participants.create(
        from_="+8419009299", to="client:lan", coaching=True, call_sid_to_coach=agent.call_sid
    )
    assert (coach.coaching, coach.call_sid_to_coach) == (True, agent.call_sid)
    assert conference.participants(coach.call_sid).update(coaching=False).coaching is False
    assert conference.participants("customer").delete() is True
    assert conference.participants(agent.call_sid).fetch().status == "queued"
    assert conference.participants(agent.call_sid).delete() is True
    assert conference.fetch().reason_conference_ended == "participant-with-end-conference-on-exit-kicked"


def test_participant_answers_validate_and_bad_requests_are_400(double: TwilioDouble) -> None:
    sid = double.conferences.add("call-CA1", [CALL_A])
    base = f"{P}/Conferences/{{ConferenceSid}}/Participants"
    listed = check(f"{base}.json", "get", api(double, "GET", f"/Conferences/{sid}/Participants.json"))
    assert [p["call_sid"] for p in listed["participants"]] == [CALL_A]
    created = check(
        f"{base}.json",
        "post",
        api(
            double,
            "POST",
            f"/Conferences/{sid}/Participants.json",
            From="+8419009299",
            To="+84911111111",
            Label="transfer",
        ),
        201,
    )
    check(f"{base}/{{CallSid}}.json", "get", api(double, "GET", f"/Conferences/{sid}/Participants/transfer.json"))
    muted = check(
        f"{base}/{{CallSid}}.json",
        "post",
        api(double, "POST", f"/Conferences/{sid}/Participants/{created['call_sid']}.json", Muted="true"),
    )
    assert muted["muted"] is True
    assert api(double, "POST", f"/Conferences/{sid}/Participants.json", To="client:an").status_code == 400
    coach = api(
        double, "POST", f"/Conferences/{sid}/Participants.json", From="+8419009299", To="client:lan", Coaching="true"
    )
    assert coach.status_code == 400
    assert api(double, "POST", f"/Conferences/{sid}.json", Status="in-progress").status_code == 400
    assert api(double, "DELETE", f"/Conferences/{sid}/Participants/{CALL_A}.json").status_code == 204
    assert api(double, "DELETE", f"/Conferences/{sid}/Participants/transfer.json").status_code == 204
    assert double.conferences.conferences[sid]["reason_conference_ended"] == "last-participant-kicked"


def test_a_participant_created_by_friendly_name_opens_the_conference(double: TwilioDouble) -> None:
    created = api(double, "POST", "/Conferences/call-CA9/Participants.json", From="+8419009299", To="client:an")
    assert created.status_code == 201
    [conference] = double.conferences.conferences.values()
    assert (conference["friendly_name"], conference["status"]) == ("call-CA9", "init")
    assert created.json()["conference_sid"] == conference["sid"]


def test_the_control_api_makes_a_conference_for_a_double_in_another_process(double: TwilioDouble) -> None:
    made = requests.post(
        f"{double.base_url}/_double/conferences",
        data={"friendly_name": "call-CA1", "call_sid": [CALL_A, f"{CALL_B}=agent"]},
        timeout=5,
    ).json()
    state = requests.get(f"{double.base_url}/_double/state", timeout=5).json()
    assert [c["sid"] for c in state["conferences"]] == [made["sid"]]
    assert [(p["call_sid"], p["label"]) for p in state["participants"][made["sid"]]] == [
        (CALL_A, None),
        (CALL_B, "agent"),
    ]
