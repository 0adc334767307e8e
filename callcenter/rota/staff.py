"""Who may work at all: an agent whose profile is active and whose login (when there is one) is active too.

Deactivating never deletes anything: the rows and their history stay, and these rules leave them out of
dispatch, the rota's coverage, the wallboard and "is anyone logged in" (agents.anyone_working).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, select
from sqlalchemy.orm import Session

from models import Agent, User


def active_agent() -> ColumnElement[bool]:
    """SQL: the agent (the `agents` row of the enclosing query) is active and so is their login."""
    login_off = exists().where(User.username == Agent.username, User.active.is_(False))
    return and_(Agent.active.is_(True), ~login_off)


def active_agent_ids() -> Select[tuple[int]]:
    """The ids of the active agents, as a subquery for `column.in_(...)`."""
    return select(Agent.id).where(active_agent())


def login_active(session: Session, agent: Agent) -> bool:
    """False when the agent's user exists and is deactivated (an agent without a login counts as active)."""
    return session.scalar(select(User.active).where(User.username == agent.username)) is not False


def is_active(session: Session, agent: Agent) -> bool:
    """The agent's profile and login are both active."""
    return bool(agent.active) and login_active(session, agent)


def active_agents(session: Session) -> list[Agent]:
    """The agents on the rota (deactivated ones leave it), by name."""
    return list(session.scalars(select(Agent).where(active_agent()).order_by(Agent.display_name)))
