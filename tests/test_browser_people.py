"""The People page in headless Chromium (issue 10): an admin creates a login and its agent profile with
skills, is told plainly what is wrong when the form is not right, and resets a password; a supervisor
sees every agent's state and logs off a softphone left open, which the agent's page shows at once.
Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from models import Agent, AgentEvent, db

from .test_browser import LiveServer, browser, serve_app, shot  # noqa: F401 - browser is a fixture
from .test_browser_wallboard import log_in_page

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"
SKILLS = ["branch_1", "branch_2", "accounts", "incidents", "single_window", "other", "vi", "en"]


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    """An admin, a supervisor, and agent Lan (on overtime, so the rota lets her work now)."""
    with serve_app(database_url) as running:
        with running.app.app_context():
            clock = running.app.extensions["clock"]
            users = UserService(db.session, clock)
            for name, role in (("adm", "admin"), ("sup", "supervisor"), ("lan", "agent")):
                users.create(name, PASSWORD, role)
            agent = AgentService(db.session, clock).create("lan", "Nguyễn Thị Lan", SKILLS)
            agent.overtime_until = clock.now() + timedelta(hours=4)
            db.session.commit()
        yield running


def new_page(chromium: Any, url: str, errors: list[str]) -> Any:
    context = chromium.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("dialog", lambda dialog: dialog.accept())  # "Deactivate …?" confirmations
    return page


def test_admin_sets_up_an_agent_and_a_supervisor_logs_a_softphone_off(browser, server) -> None:  # noqa: F811
    from playwright.sync_api import expect

    errors: list[str] = []
    # Lan's softphone is open and available (she has left her desk).
    softphone = new_page(browser, server.url, errors)
    softphone.goto("/agent/")
    log_in_page(softphone, "lan")
    softphone.get_by_role("button", name="Go available").click()
    expect(softphone.locator("#state-label")).to_have_text("Available")

    # The admin: from the wallboard's menu to People; a new login with role agent, then its profile.
    page = new_page(browser, server.url, errors)
    page.goto("/supervisor/")
    log_in_page(page, "adm")
    page.get_by_role("link", name="People").click()
    expect(page.locator("#agents tbody")).to_contain_text("Nguyễn Thị Lan")
    expect(page.locator("#users tbody")).to_contain_text("sup")

    users = page.locator("#user-form")
    users.get_by_label("Username").fill("hoa")
    users.get_by_label("Role").select_option("agent")
    users.get_by_label("Password").fill("hoa-first-password")
    users.get_by_role("button", name="Create user").click()
    expect(users.locator(".message")).to_have_text("hoa created. Now give them an agent profile →")
    expect(page.locator('#users tr[data-username="hoa"]')).to_contain_text("none yet")

    profile = page.locator("#agent-form")
    expect(profile.get_by_label("Login (role agent)")).to_have_value("hoa")
    expect(page.locator("#agent-form-title")).to_have_text("New agent profile")
    profile.get_by_label("Full name").fill("Lê Thị Hoa")
    for box in profile.locator('input[name="skills"]').all():
        box.uncheck()
    profile.get_by_role("button", name="Create agent profile").click()
    expect(profile.locator(".message")).to_contain_text("needs at least one branch")
    shot(page, "people-1-admin-profile-refused")
    for label in (
        "Branch 2: e-customs support",
        "Accounts, passwords, digital signatures",
        "IT system incidents",
        "Vietnamese",
        "English",
    ):
        profile.get_by_label(label).check()
    profile.get_by_role("button", name="Create agent profile").click()
    expect(profile.locator(".message")).to_contain_text("Agent profile created: Lê Thị Hoa can now log in")
    row = page.locator('#agents tr[data-username="hoa"]')
    expect(row).to_contain_text("Branch 2: e-customs support")
    expect(row).to_contain_text("Accounts, passwords, digital signatures; IT system incidents")
    expect(row).to_contain_text("Vietnamese; English")
    expect(row).to_contain_text("Offline")
    expect(page.locator('#users tr[data-username="hoa"]')).to_contain_text("yes")

    # A password reset (never shown back) and a duplicate login refused with a reason.
    page.locator('#users tr[data-username="hoa"]').get_by_role("button", name="Reset password").click()
    reset = page.locator("#password-form")
    expect(reset.get_by_label("User")).to_have_value("hoa")
    reset.get_by_label("New password").fill("hoa-second-password")
    reset.get_by_role("button", name="Set password").click()
    expect(reset.locator(".message")).to_have_text(
        "The password of hoa is changed; their open page sessions are ended."
    )
    users.get_by_label("Username").fill("hoa")
    users.get_by_label("Password").fill("another-password")
    users.get_by_role("button", name="Create user").click()
    expect(users.locator(".message")).to_have_text("The user 'hoa' already exists.")
    assert "hoa-second-password" not in page.content()
    shot(page, "people-2-admin-created-hoa")
    hoa = page.locator('#agents tr[data-username="hoa"]')
    hoa.get_by_role("button", name="Deactivate").click()  # confirmed in the dialog
    expect(page.locator("#agents-note")).to_have_text("Lê Thị Hoa is deactivated: no calls, off the rota.")
    expect(hoa).to_contain_text("deactivated")
    shot(page, "people-3-admin-deactivated-hoa")
    hoa.get_by_role("button", name="Activate").click()
    expect(hoa.get_by_role("button", name="Deactivate")).to_be_visible()

    # The supervisor: every agent's state; logs off the softphone Lan left open.
    page.get_by_role("button", name="Log out").click()
    page.goto("/supervisor/people")
    log_in_page(page, "sup")
    expect(page.locator("#user-form")).to_have_count(0)  # users and roles are for admins
    lan = page.locator('#agents tr[data-username="lan"]')
    expect(lan).to_contain_text("Available")
    expect(lan.get_by_role("button", name="Deactivate")).to_have_count(0)
    shot(page, "people-4-supervisor-before")
    lan.get_by_role("button", name="Log off").click()
    expect(page.locator("#agents-note")).to_have_text("Nguyễn Thị Lan is logged off.")
    expect(lan).to_contain_text("Offline (forced by supervisor)")
    expect(lan.get_by_role("button", name="Log off")).to_have_count(0)
    shot(page, "people-5-supervisor-logged-lan-off")

    expect(softphone.locator("#state-label")).to_have_text("Offline")
    expect(softphone.locator("#message")).to_contain_text("A supervisor logged your softphone off")
    shot(softphone, "people-6-lans-softphone")
    with server.app.app_context():
        agent = db.session.scalars(select(Agent).where(Agent.username == "lan")).one()
        last = db.session.scalars(
            select(AgentEvent).where(AgentEvent.agent_id == agent.id).order_by(AgentEvent.id.desc())
        ).first()
        assert (last.kind, last.actor, last.reason) == ("AGENTLOGOFF", "sup", "forced_by_supervisor")
    softphone.context.close()
    page.context.close()
    assert not errors, errors
