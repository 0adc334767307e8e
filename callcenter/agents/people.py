"""Setting up the desk: users with roles, agent profiles with skills, activating and deactivating both.

An agent is two rows: a login (`users`, role agent) and an agent profile (`agents`, same username) with
skills and a state. Deactivating never deletes: the rows and their history stay, the person cannot log
in (a user) or is never offered a call and leaves the rota's coverage (an agent, or an agent whose
login is deactivated), and a working agent is logged off on record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.accounts.sessions import SessionStore
from callcenter.accounts.users import UserError, UserService
from callcenter.agents.presence import softphone_status
from callcenter.agents.service import IDENTITY_RE, AgentError, AgentService, default_identity
from callcenter.common.http import iso
from callcenter.rota.service import RotaService
from callcenter.rota.staff import login_active
from models import Agent, AgentState, Role, Skill, User

log = logging.getLogger(__name__)
BRANCH_SKILLS = (Skill.BRANCH_1.value, Skill.BRANCH_2.value)
GROUP_SKILLS = (Skill.ACCOUNTS.value, Skill.INCIDENTS.value, Skill.SINGLE_WINDOW.value, Skill.OTHER.value)
LANGUAGE_SKILLS = (Skill.VI.value, Skill.EN.value)
SKILL_LABELS = {
    "branch_1": "Branch 1 — reports & denunciations",
    "branch_2": "Branch 2 — e-customs support",
    "accounts": "Accounts, passwords, digital signatures",
    "incidents": "IT incidents",
    "single_window": "National Single Window",
    "other": "Other questions",
    "vi": "Vietnamese",
    "en": "English",
}


class PeopleError(ValueError):
    """A change to users or agents that cannot be made as asked (the message says why, for a person)."""


class NotFound(PeopleError):
    """The user or agent named does not exist."""


class Invalid(PeopleError):
    """A field a person must correct (a short password, an unknown skill, a missing name)."""


@dataclass(frozen=True)
class Change:
    """What a change did, in words for the person who asked (and the log)."""

    message: str
    logged_off: bool = False


def parse_skills(raw: Any) -> list[str]:
    """Skills from a list or a comma-separated text ("branch_2, accounts, vi"), checked against Skill."""
    if isinstance(raw, str):
        items: list[Any] = raw.split(",")
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise Invalid("Skills are a list (or comma-separated text) such as branch_2,accounts,vi.")
    skills = sorted({str(s).strip() for s in items if str(s).strip()})
    unknown = [s for s in skills if s not in SKILL_LABELS]
    if unknown:
        raise Invalid(f"Unknown skills: {', '.join(unknown)}. Known: {', '.join(SKILL_LABELS)}.")
    if not set(skills) & set(BRANCH_SKILLS) or not set(skills) & set(LANGUAGE_SKILLS):
        raise Invalid(
            "An agent needs at least one branch (branch_1, branch_2) and one language (vi, en) to be offered calls."
        )
    return skills


def skills_warning(skills: list[str]) -> str | None:
    """Branch 2 without a problem group: only the callers who chose no group would be offered."""
    if Skill.BRANCH_2 in skills and not set(skills) & set(GROUP_SKILLS):
        return (
            "branch_2 without a problem group: this agent is offered only branch-2 callers who chose no group; "
            f"add {','.join(GROUP_SKILLS)} for all of them."
        )
    return None


class PeopleService:
    """Creates and changes users and agent profiles; a supervisor's forced state change goes through
    AgentService.force. The caller commits."""

    def __init__(
        self, session: Session, users: UserService, agents: AgentService, *, presence_timeout: int = 10
    ) -> None:
        self.session = session
        self.users = users
        self.agents = agents
        self.presence_timeout = presence_timeout  # PRESENCE_TIMEOUT_SECONDS: the softphone shown as lost after it

    # -- users ---------------------------------------------------------------------------------
    def user(self, username: str) -> User:
        user = self.users.find(str(username or "").strip())
        if user is None:
            raise NotFound(f"There is no user {username!r}.")
        return user

    def list_users(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def create_user(self, username: str, password: str, role: str) -> User:
        """A new login (password rules of UserService)."""
        if self.users.find(username.strip()) is not None:
            raise PeopleError(f"The user {username.strip()!r} already exists.")
        user = self._users(lambda: self.users.create(username, password, role))
        log.info("user %s created (%s)", user.username, user.role)
        return user

    def reset_password(self, username: str, password: str) -> User:
        """An admin sets a new password for someone (it is never shown again)."""
        user = self.user(username)
        self._users(lambda: self.users.set_password(user.username, password))
        log.info("password of %s reset", user.username)
        return user

    def set_user_active(self, username: str, active: bool, *, actor: str) -> Change:
        """Deactivate (cannot log in any more; their agent profile is logged off) or reactivate a login."""
        user = self.user(username)
        if not active and user.username == actor:
            raise PeopleError("You cannot deactivate yourself; ask another admin.")
        if user.active == active:
            return Change(f"{user.username} is already {'active' if active else 'deactivated'}.")
        user.active = active
        if not active:  # their open page sessions end now (not only refused while deactivated)
            SessionStore(self.session, self.users.clock).end_all(user.id, "deactivated")
        logged_off = False
        agent = self.agents.by_username(user.username)
        if not active and agent is not None and agent.state != AgentState.OFFLINE:
            self.agents.force(agent, AgentState.OFFLINE, actor=actor, reason="user_deactivated")
            logged_off = True
        self.session.flush()
        log.info("user %s %s by %s", user.username, "reactivated" if active else "deactivated", actor)
        verb = "reactivated: they can log in again" if active else "deactivated: they can no longer log in"
        return Change(f"{user.username} {verb}" + (" (logged off their softphone)." if logged_off else "."), logged_off)

    # -- agent profiles ------------------------------------------------------------------------
    def agent(self, username: str) -> Agent:
        agent = self.agents.by_username(str(username or "").strip())
        if agent is None:
            raise NotFound(f"There is no agent profile for {username!r}.")
        return agent

    def list_agents(self) -> list[Agent]:
        return list(self.session.scalars(select(Agent).order_by(Agent.display_name, Agent.username)))

    def create_agent(self, username: str, name: str, skills: Any, identity: str | None = None) -> Agent:
        """The agent profile of an existing login with role agent (identity derived from the username)."""
        user = self.users.find(str(username or "").strip())
        if user is None:
            raise NotFound(
                f"There is no user {username!r}: create the login first (role agent), with "
                f"`flask --app app users create {username} --role agent` or on the People page."
            )
        if user.role != Role.AGENT:
            raise PeopleError(
                f"{user.username} has the role {user.role}; only a user with role agent gets an agent profile."
            )
        if self.agents.by_username(user.username) is not None:
            raise PeopleError(f"{user.username} already has an agent profile; change their skills instead.")
        name = self._name(name)
        identity = (identity or "").strip() or default_identity(user.username)
        if not IDENTITY_RE.match(identity):
            raise Invalid("The softphone identity may use letters, digits and _ only (at most 121).")
        clash = self.session.scalars(select(Agent).where(Agent.identity == identity)).first()
        if clash is not None:
            raise PeopleError(
                f"The softphone identity {identity!r} is taken by {clash.username}; choose another identity."
            )
        try:
            agent = self.agents.create(user.username, name, parse_skills(skills), identity)
        except AgentError as exc:
            raise Invalid(str(exc)) from exc
        log.info("agent profile %s created (%s)", agent.username, ",".join(agent.skills))
        return agent

    def edit_agent(self, username: str, *, name: str | None = None, skills: Any = None) -> Agent:
        """Change an agent's name and/or replace their skills."""
        agent = self.agent(username)
        if name is None and skills is None:
            raise Invalid("Send a new name, new skills, or both.")
        if name is not None:
            agent.display_name = self._name(name)
        if skills is not None:
            agent.skills = parse_skills(skills)
        self.session.flush()
        log.info("agent profile %s changed", agent.username)
        return agent

    def set_agent_active(self, username: str, active: bool, *, actor: str) -> Change:
        """Deactivate an agent profile (logged off on record, never offered a call, off the rota) or
        reactivate it (offline until they log in)."""
        agent = self.agent(username)
        if agent.active == active:
            return Change(f"The agent {agent.username} is already {'active' if active else 'deactivated'}.")
        logged_off = False
        if not active and agent.state != AgentState.OFFLINE:
            self.agents.force(agent, AgentState.OFFLINE, actor=actor, reason="deactivated")
            logged_off = True
        agent.active = active
        self.session.flush()
        log.info("agent %s %s by %s", agent.username, "reactivated" if active else "deactivated", actor)
        if active:
            return Change(f"{agent.display_name} is active again: back in dispatch and on the rota.")
        off = " and was logged off" if logged_off else ""
        return Change(f"{agent.display_name} is deactivated{off}: no calls, off the rota.", logged_off)

    def force(self, username: str, to: str, *, actor: str) -> Change:
        """A supervisor logs an agent's softphone off, or ends their break (see AgentService.force)."""
        agent = self.agent(username)
        try:
            event = self.agents.force(agent, to, actor=actor)
        except AgentError as exc:
            raise PeopleError(str(exc)) from exc
        log.info("agent %s forced %s → %s by %s", agent.username, event.from_state, event.to_state, actor)
        if event.to_state == AgentState.OFFLINE and to == AgentState.AVAILABLE:
            return Change(f"{agent.display_name}'s break is over, but the rota has them off now: logged off.", True)
        if event.to_state == AgentState.OFFLINE:
            was_ringing = "withdrawn_call" in event.data or "withdrawn_callback" in event.data
            withdrawn = " The call ringing for them waits for the next agent, in its place." if was_ringing else ""
            return Change(f"{agent.display_name} is logged off.{withdrawn}", True)
        return Change(f"{agent.display_name}'s break is over: available for calls.")

    # -- JSON ----------------------------------------------------------------------------------
    def user_json(self, user: User) -> dict[str, Any]:
        """A login as the API shows it: never the password or the token, only whether one exists."""
        return {
            "username": user.username,
            "role": user.role,
            "active": bool(user.active),
            "created_at": iso(user.created_at),
            "has_api_token": user.token_hash is not None,
            "has_agent_profile": self.agents.by_username(user.username) is not None,
        }

    def agent_json(self, agent: Agent, rota: RotaService, on_duty: set[int]) -> dict[str, Any]:
        """An agent profile with their state now."""
        now = self.agents.clock.now()
        login = login_active(self.session, agent)
        return {
            "username": agent.username,
            "name": agent.display_name,
            "identity": agent.identity,
            "skills": list(agent.skills or []),
            "active": bool(agent.active),
            "login_active": login,
            "state": agent.state,
            "reason": agent.state_reason,
            "since": iso(agent.state_since),
            "seconds_in_state": max(0, int((now - agent.state_since).total_seconds())),
            "on_duty": agent.id in on_duty,
            "may_take_calls": bool(agent.active and login and rota.may_take_calls(agent, now, on_duty)),
            "softphone": softphone_status(agent, now, self.presence_timeout),
        }

    # -- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _name(name: str | None) -> str:
        name = str(name or "").strip()
        if not name or len(name) > 120:
            raise Invalid("The agent's full name is required (at most 120 characters).")
        return name

    @staticmethod
    def _users(work: Any) -> Any:
        """UserService's own rules (username length, role, password length): fields to correct."""
        try:
            return work()
        except UserError as exc:
            raise Invalid(str(exc)) from exc
