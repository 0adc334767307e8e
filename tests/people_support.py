"""What the people tests share: logins and agent profiles made directly, basic-auth headers, an admin,
an agent's recorded events, and webhooks signed for the app that talks to the Twilio REST double."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from callcenter.accounts.users import UserService
from callcenter.agents.service import AgentService
from models import AgentEvent, db

from .conftest import Twilio
from .test_ringing import SKILLS
from .test_softphone import PASSWORD


def basic(name: str, password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def make_users(app: Flask, clock: Any, *pairs: tuple[str, str]) -> None:
    with app.app_context():
        users = UserService(db.session, clock)
        for name, role in pairs:
            users.create(name, PASSWORD, role)
        db.session.commit()


def make_agent(app: Flask, clock: Any, name: str, *, login: bool = True, overtime: bool = True) -> int:
    """A login with role agent and its profile (every skill), on overtime so the rota lets them work."""
    with app.app_context():
        if login:
            UserService(db.session, clock).create(name, PASSWORD, "agent")
        agent = AgentService(db.session, clock).create(name, name.title(), SKILLS)
        if overtime:
            agent.overtime_until = clock.now() + timedelta(hours=8)
        db.session.commit()
        return agent.id


def events(app: Flask, agent_id: int) -> list[AgentEvent]:
    with app.app_context():
        query = select(AgentEvent).where(AgentEvent.agent_id == agent_id).order_by(AgentEvent.id)
        return list(db.session.scalars(query))


# -- deactivated agents: no calls, off the rota ---------------------------------------------------
@pytest.fixture
def twilio(twilio_app: Flask) -> Twilio:
    return Twilio(twilio_app, twilio_app.test_client())


# -- the JSON API ---------------------------------------------------------------------------------
def make_admin(app: Flask, clock: Any) -> dict[str, str]:
    make_users(app, clock, ("adm", "admin"))
    return basic("adm")
