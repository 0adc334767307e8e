"""`flask --app app agents …`: agent profiles for logins with role agent (create, list, skills, activate,
deactivate), and the PeopleService the users commands share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click
from flask import current_app
from flask.cli import AppGroup

from callcenter.accounts.users import UserService
from callcenter.agents.people import SKILL_LABELS, Change, PeopleError, PeopleService, skills_warning
from callcenter.agents.service import AgentService
from callcenter.rota.service import RotaService
from models import db

agents_cli = AppGroup("agents", help="Agent profiles: create for a user with role agent, list, skills, deactivate.")
CLI_ACTOR = "cli"
T = TypeVar("T")
SKILLS_HELP = "Comma-separated, from: " + ", ".join(SKILL_LABELS) + " (at least one branch and one language)."


def people() -> PeopleService:
    """The service on the app's session and clock."""
    clock = current_app.extensions["clock"]
    return PeopleService(db.session, UserService(db.session, clock), AgentService(db.session, clock))


def run(work: Callable[[], T]) -> T:
    """Run a change and commit; a refusal becomes a clear error (exit status 1), nothing written."""
    try:
        result = work()
    except PeopleError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    if isinstance(result, Change):
        click.echo(result.message)
    return result


@agents_cli.command("create")
@click.argument("username")
@click.option("--name", required=True, help='The agent\'s full name, e.g. "Nguyễn Thị Lan".')
@click.option("--skills", required=True, help=SKILLS_HELP)
@click.option("--identity", default=None, help="Softphone identity (default: the username, other characters as _).")
def agents_create(username: str, name: str, skills: str, identity: str | None) -> None:
    """Create the agent profile of USERNAME (a user with role agent, from `users create`)."""
    agent = run(lambda: people().create_agent(username, name, skills, identity))
    skills_text = ",".join(agent.skills)
    click.echo(f"agent {agent.username} created: {agent.display_name}, skills {skills_text}, identity {agent.identity}")
    warning = skills_warning(agent.skills)
    if warning:
        click.echo("note: " + warning)


@agents_cli.command("list")
def agents_list() -> None:
    """Every agent profile: username, name, skills, state now, active."""
    service = people()
    clock = current_app.extensions["clock"]
    rota = RotaService(db.session, clock)
    on_duty = rota.on_duty(clock.now())
    rows = [service.agent_json(a, rota, on_duty) for a in service.list_agents()]
    if not rows:
        click.echo("no agent profiles yet: `flask --app app agents create USERNAME --name … --skills …`")
        return
    click.echo(f"{'USERNAME':16} {'NAME':24} {'STATE':10} {'ACTIVE':9} SKILLS")
    for row in rows:
        active = "yes" if row["active"] and row["login_active"] else ("login off" if row["active"] else "no")
        state = row["state"] + ("*" if row["on_duty"] else "")
        click.echo(f"{row['username']:16} {row['name']:24} {state:10} {active:9} {','.join(row['skills'])}")
    if any(row["on_duty"] for row in rows):
        click.echo("* on duty now")


@agents_cli.command("skills")
@click.argument("username")
@click.option("--skills", required=True, help=SKILLS_HELP)
def agents_skills(username: str, skills: str) -> None:
    """Replace the skills of USERNAME's agent profile."""
    agent = run(lambda: people().edit_agent(username, skills=skills))
    click.echo(f"skills of {agent.username}: {','.join(agent.skills)}")
    warning = skills_warning(agent.skills)
    if warning:
        click.echo("note: " + warning)


@agents_cli.command("deactivate")
@click.argument("username")
def agents_deactivate(username: str) -> None:
    """No more calls and off the rota (logged off, on record); nothing is deleted."""
    run(lambda: people().set_agent_active(username, False, actor=CLI_ACTOR))


@agents_cli.command("activate")
@click.argument("username")
def agents_activate(username: str) -> None:
    """Back in dispatch and on the rota (offline until they log in)."""
    run(lambda: people().set_agent_active(username, True, actor=CLI_ACTOR))
