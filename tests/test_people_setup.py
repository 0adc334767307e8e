"""Setting up the desk in production (issue 10): users and agent profiles from the command line and the
JSON API (and nobody but an admin may), the People page, and a login without a profile told how to get one."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models import Agent, User, db

from .conftest import BACKENDS
from .people_support import basic, make_admin, make_users
from .test_softphone import PASSWORD, log_in

OTHER_PASSWORD = "a-new-password-42"


# -- the command line ------------------------------------------------------------------------------
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_cli_creates_an_agent_for_an_agent_login_and_manages_both(app, clock) -> None:
    runner = app.test_cli_runner()

    def run(*args: str) -> Any:
        return runner.invoke(args=list(args))

    assert run("users", "create", "lan", "--role", "agent", "--password", PASSWORD).exit_code == 0
    assert run("users", "create", "sup", "--role", "supervisor", "--password", PASSWORD).exit_code == 0

    created = run("agents", "create", "lan", "--name", "Nguyễn Thị Lan", "--skills", "branch_2,vi")
    assert created.exit_code == 0, created.output
    assert "agent lan created: Nguyễn Thị Lan, skills branch_2,vi, identity lan" in created.output
    assert "only branch-2 callers who chose no group" in created.output, "the skills pitfall is named"

    refusals = {
        ("agents", "create", "ghost", "--name", "G", "--skills", "branch_2,vi"): "users create ghost --role agent",
        ("agents", "create", "sup", "--name", "S", "--skills", "branch_2,vi"): "only a user with role agent",
        ("agents", "create", "lan", "--name", "L", "--skills", "branch_2,vi"): "already has an agent profile",
        ("agents", "skills", "lan", "--skills", "branch_2,klingon"): "Unknown skills: klingon",
        ("agents", "skills", "lan", "--skills", "accounts,vi"): "at least one branch",
        ("agents", "deactivate", "nobody"): "no agent profile for 'nobody'",
        ("users", "deactivate", "nobody"): "no user 'nobody'",
    }
    for args, message in refusals.items():
        result = run(*args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)

    skills = run(
        "agents", "skills", "lan", "--skills", "branch_1, branch_2,accounts,incidents,single_window,other,vi,en"
    )
    assert skills.exit_code == 0 and "note:" not in skills.output
    listing = run("agents", "list").output
    assert "lan" in listing and "Nguyễn Thị Lan" in listing and "offline" in listing
    assert "accounts,branch_1,branch_2,en,incidents,other,single_window,vi" in listing

    assert "deactivated" in run("agents", "deactivate", "lan").output
    assert " no " in run("agents", "list").output.splitlines()[1]
    assert "active again" in run("agents", "activate", "lan").output
    assert "can no longer log in" in run("users", "deactivate", "lan").output
    users = run("users", "list").output
    assert "lan" in users and "agent" in users and "no" in users.splitlines()[1] and "sup" in users
    assert "login off" in run("agents", "list").output
    assert "log in again" in run("users", "activate", "lan").output
    with app.app_context():
        agent = db.session.scalars(select(Agent).where(Agent.username == "lan")).one()
        assert agent.identity == "lan" and agent.active
        assert db.session.scalars(select(User).where(User.username == "lan")).one().active


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_admin_sets_up_an_agent_over_json_and_nobody_else_may(app, client, clock) -> None:
    admin = make_admin(app, clock)
    make_users(app, clock, ("sup", "supervisor"), ("inv", "investigator"))
    sup = basic("sup")
    user = {"username": "hoa", "role": "agent", "password": PASSWORD}
    for headers in (sup, basic("inv")):
        assert client.post("/api/people/users", json=user, headers=headers).status_code == 403
        assert client.get("/api/people/users", headers=headers).status_code == 403
    assert client.get("/api/people/agents", headers=basic("inv")).status_code == 403
    assert client.get("/api/people/users").status_code == 401

    created = client.post("/api/people/users", json=user, headers=admin)
    assert created.status_code == 201
    assert created.get_json() == {
        "username": "hoa",
        "role": "agent",
        "active": True,
        "created_at": clock.now().isoformat(),
        "has_api_token": False,
        "has_agent_profile": False,
    }
    listed = client.get("/api/people/users", headers=admin)
    assert PASSWORD not in listed.get_data(as_text=True) and "hash" not in listed.get_data(as_text=True)
    assert [u["username"] for u in listed.get_json()["users"]] == ["adm", "hoa", "inv", "sup"]

    bad = {
        ("POST", "/api/people/users", '{"username": "x", "role": "agent", "password": "short"}'): (400, "at least 10"),
        ("POST", "/api/people/users", '{"username": "x", "role": "boss", "password": "long-enough-1"}'): (400, "Role"),
        ("POST", "/api/people/users", '{"username": "hoa", "role": "agent", "password": "long-enough-1"}'): (
            409,
            "already exists",
        ),
        ("POST", "/api/people/users", "not json"): (400, "JSON object"),
        ("POST", "/api/people/agents", '{"username": "hoa", "name": "Hoa"}'): (400, "skills are required"),
        ("POST", "/api/people/agents", '{"username": "sup", "name": "S", "skills": ["branch_2", "vi"]}'): (
            409,
            "only a user with role agent",
        ),
        ("POST", "/api/people/agents", '{"username": "nam", "name": "N", "skills": ["branch_2", "vi"]}'): (
            404,
            "create the login first",
        ),
        ("POST", "/api/people/agents", '{"username": "hoa", "name": " ", "skills": ["branch_2", "vi"]}'): (
            400,
            "full name is required",
        ),
        ("POST", "/api/people/agents", '{"username": "hoa", "name": "Hoa", "skills": ["branch_9"]}'): (
            400,
            "Unknown skills: branch_9",
        ),
        ("POST", "/api/people/users/nam/password", '{"password": "long-enough-1"}'): (404, "no user 'nam'"),
        ("POST", "/api/people/users/adm/deactivate", ""): (409, "cannot deactivate yourself"),
        ("POST", "/api/people/agents/hoa/force", '{"state": "offline"}'): (404, "no agent profile"),
    }
    for (method, path, body), (status, message) in bad.items():
        response = client.open(path, method=method, data=body, content_type="application/json", headers=admin)
        assert response.status_code == status and message in response.get_json()["message"], (path, body, response.json)

    profile = {"username": "hoa", "name": "Lê Thị Hoa", "skills": ["branch_2", "accounts", "vi"]}
    made = client.post("/api/people/agents", json=profile, headers=admin)
    assert made.status_code == 201, made.json
    assert {k: made.get_json()[k] for k in ("username", "name", "identity", "skills", "state", "active")} == {
        "username": "hoa",
        "name": "Lê Thị Hoa",
        "identity": "hoa",
        "skills": ["accounts", "branch_2", "vi"],
        "state": "offline",
        "active": True,
    }
    assert client.post("/api/people/agents", json=profile, headers=sup).status_code == 403
    edited = client.patch("/api/people/agents/hoa", json={"skills": "branch_1,branch_2,vi,en"}, headers=admin)
    assert edited.status_code == 200 and edited.get_json()["skills"] == ["branch_1", "branch_2", "en", "vi"]
    assert client.patch("/api/people/agents/hoa", json={"name": "Hoa L."}, headers=sup).status_code == 403
    agents = client.get("/api/people/agents", headers=sup).get_json()
    assert [a["username"] for a in agents["agents"]] == ["hoa"] and agents["agents"][0]["name"] == "Lê Thị Hoa"
    assert {"skill": "single_window", "label": "National Single Window"} in agents["skills"]

    reset = client.post("/api/people/users/hoa/password", json={"password": OTHER_PASSWORD}, headers=admin)
    assert reset.status_code == 200 and OTHER_PASSWORD not in reset.get_data(as_text=True)
    short = client.post("/api/people/users/hoa/password", json={"password": "short"}, headers=admin)
    assert short.status_code == 400 and "at least 10 characters" in short.get_json()["message"]
    assert client.get("/api/calls/none", headers=basic("hoa")).status_code == 401, "the old password is gone"
    assert client.get("/api/calls/none", headers=basic("hoa", OTHER_PASSWORD)).status_code == 404


# -- the softphone without a profile --------------------------------------------------------------
def test_an_agent_login_without_a_profile_is_told_how_to_get_one(app, client, clock) -> None:
    make_users(app, clock, ("nam", "agent"))
    log_in(client, "nam")
    html = client.get("/agent/").get_data(as_text=True)
    assert "nam has no agent profile yet: an admin creates it with" in html
    assert "flask --app app agents create nam" in html and "People page" in html
    state = client.get("/agent/api/state")
    assert state.status_code == 404 and state.get_json()["error"] == "no_agent_profile"
    assert "flask --app app agents create nam" in state.get_json()["message"]


def test_the_people_page_is_for_supervisors_and_admins(app, clock) -> None:
    make_users(app, clock, ("sup", "supervisor"), ("adm", "admin"), ("inv", "investigator"))
    pages = {}
    for name in ("sup", "adm", "inv"):
        client = app.test_client()
        log_in(client, name)
        pages[name] = client.get("/supervisor/people")
    assert pages["inv"].status_code == 403
    sup_html, adm_html = (pages[n].get_data(as_text=True) for n in ("sup", "adm"))
    assert 'href="/supervisor/people">People</a>' in sup_html and 'data-admin="no"' in sup_html
    assert "New user" not in sup_html and "New user" in adm_html and 'data-admin="yes"' in adm_html
    assert "People</a>" not in app.test_client().get("/login").get_data(as_text=True)
