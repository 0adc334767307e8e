"""A supervisor listens, whispers and barges in from the wallboard (conference bridge, issue 13), in
the sandbox: the supervisor's browser is called into the call's conference; who hears whom follows the
mode; each use is on the call's timeline and in the audit log; branch 1 only for investigators."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from models import AuditEntry, db

from . import test_bridge_sandbox
from .conftest import BACKENDS
from .test_bridge_consult import on_a_call
from .test_bridge_sandbox import timeline
from .test_call_flow import run_for
from .test_softphone import log_in, make_agent_user, post_json

app = test_bridge_sandbox.app  # the fixture: the app on the conference bridge


def watcher(app: Any, clock: Any, name: str, role: str) -> tuple[Any, str]:
    make_agent_user(app, clock, name, role=role)
    client = app.test_client()
    log_in(client, name)
    html = client.get("/supervisor/").get_data(as_text=True)
    return client, re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def monitor(client: Any, csrf: str, mode: str, agent: str = "lan") -> Any:
    return post_json(client, "/api/monitor", {"agent": agent, "mode": mode}, csrf)


def answer_my_leg(client: Any, csrf: str, sandbox: Any, clock: Any) -> str:
    (leg,) = [
        leg for leg in client.get("/supervisor/api/sandbox/calls").get_json()["calls"] if leg["status"] == "ringing"
    ]
    assert post_json(client, f"/supervisor/api/sandbox/calls/{leg['call_sid']}/answer", {}, csrf).status_code == 200
    run_for(sandbox, clock, 1)
    return leg["call_sid"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_listen_whisper_barge_and_stop(app, sandbox, clock) -> None:
    _agent, _csrf, caller, agent_leg = on_a_call(app, sandbox, clock)
    agent_leg = agent_leg["call_sid"]
    sup, csrf = watcher(app, clock, "sup", "supervisor")
    listening = monitor(sup, csrf, "listen")
    assert listening.status_code == 200 and listening.get_json()["mode"] == "listen", listening.get_json()
    me = answer_my_leg(sup, csrf, sandbox, clock)
    rooms = sandbox.conferences
    assert rooms.hears(me) == {caller.call_sid, agent_leg} and me not in rooms.hears(caller.call_sid)
    assert me not in rooms.hears(agent_leg), "listening: nobody hears the supervisor"

    assert monitor(sup, csrf, "whisper").get_json()["mode"] == "whisper"
    assert me in rooms.hears(agent_leg) and me not in rooms.hears(caller.call_sid), "only the agent hears a whisper"
    assert monitor(sup, csrf, "barge").get_json()["mode"] == "barge"
    assert me in rooms.hears(agent_leg) and me in rooms.hears(caller.call_sid)
    assert monitor(sup, csrf, "stop").get_json()["mode"] is None
    run_for(sandbox, clock, 1)
    assert sandbox.get(me).ended and not sandbox.get(caller.call_sid).ended

    modes = [data["mode"] for kind, data in timeline(app, caller.call_sid) if kind == "MONITOR"]
    assert modes == ["listen", "whisper", "barge", "stop"]
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.username == "sup")).all()
    assert actions == ["monitor_listen", "monitor_whisper", "monitor_barge", "monitor_stop"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_branch_1_calls_are_monitored_by_investigators_only(app, sandbox, clock) -> None:
    make_agent_user(app, clock, "lan")
    desk = app.test_client()
    log_in(desk, "lan")
    desk_csrf = test_bridge_sandbox.page_csrf(desk)
    post_json(desk, "/agent/api/state", {"state": "available"}, desk_csrf)
    caller = sandbox.dial("0912 345 678", "19009299")
    sandbox.press(caller.call_sid, "1")  # branch 1: a denunciation
    run_for(sandbox, clock, 20)
    test_bridge_sandbox.answer_next(app, sandbox, clock, desk, desk_csrf)
    sup, csrf = watcher(app, clock, "sup", "supervisor")
    refused = monitor(sup, csrf, "listen")
    assert refused.status_code == 403 and "investigators only" in refused.get_json()["message"]
    inv, inv_csrf = watcher(app, clock, "inv", "investigator")
    assert monitor(inv, inv_csrf, "listen").status_code == 200
    assert monitor(sup, csrf, "listen", agent="nobody").status_code == 404
