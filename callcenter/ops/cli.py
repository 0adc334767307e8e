"""Command-line tools: `flask --app app <group> <command>` (see `--help` on each)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from callcenter.accounts.users import UserError, UserService
from callcenter.agents.people_cli import CLI_ACTOR, agents_cli, people, run
from callcenter.agents.service import AgentService
from callcenter.announcements.api import parse_time
from callcenter.announcements.service import AnnouncementError, AnnouncementService
from callcenter.common.when import cli_when
from callcenter.forecast.cli import forecast_cli
from callcenter.mail.cli import mail_cli
from callcenter.ops.demo import on_duty_agents, prepare_demo
from callcenter.ops.jobs import agent_sweep, roll_up_reports
from callcenter.ops.scheduler import build
from callcenter.rota.service import RotaError, RotaService
from callcenter.routing.queue_sync import QueueSync
from callcenter.routing.reconcile import Reconciler
from callcenter.routing.trigger import dispatch_round
from callcenter.tickets.calls import CallService
from callcenter.tickets.record import HotlineSettings
from models import Role, db
from models.migrate import upgrade

users_cli = AppGroup("users", help="Create, list, deactivate users; reset passwords; issue API tokens.")
announce_cli = AppGroup("announcement", help="Set, list and expire incident announcements.")
db_cli = AppGroup("db", help="Database schema (Alembic).")
demo_cli = AppGroup("demo", help="Demo data (development only).")
calls_cli = AppGroup("calls", help="Call records.")


def _clock():  # type: ignore[no-untyped-def]
    return current_app.extensions["clock"]


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to DATABASE_URL."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is at the latest schema")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.password_option(help="At least 10 characters; prompted for when not given.")
def users_create(username: str, role: str, password: str) -> None:
    """Create a user with a role."""
    try:
        UserService(db.session, _clock()).create(username, password, role)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {username} ({role})")


@users_cli.command("set-password")
@click.argument("username")
@click.password_option()
def users_set_password(username: str, password: str) -> None:
    """Reset a user's password."""
    try:
        UserService(db.session, _clock()).set_password(username, password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"password of {username} changed; their open page sessions are ended")


@users_cli.command("list")
def users_list() -> None:
    """Every user: username, role, active, agent profile (never a password or token)."""
    service = people()
    click.echo(f"{'USERNAME':20} {'ROLE':13} {'ACTIVE':7} AGENT PROFILE")
    for user in service.list_users():
        row = service.user_json(user)
        profile = "yes" if row["has_agent_profile"] else ("MISSING: agents create" if user.role == Role.AGENT else "")
        click.echo(f"{user.username:20} {user.role:13} {'yes' if user.active else 'no':7} {profile}")


@users_cli.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """The user can no longer log in (pages, Basic, Bearer; open sessions end); an agent is logged off."""
    run(lambda: people().set_user_active(username, False, actor=CLI_ACTOR))


@users_cli.command("activate")
@click.argument("username")
def users_activate(username: str) -> None:
    """The user can log in again."""
    run(lambda: people().set_user_active(username, True, actor=CLI_ACTOR))


@users_cli.command("token")
@click.argument("username")
def users_token(username: str) -> None:
    """Issue an API bearer token (replaces the user's previous one). Shown once."""
    try:
        token = UserService(db.session, _clock()).issue_token(username)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(token)


@announce_cli.command("set")
@click.option("--vi", "text_vi", required=True, help="Vietnamese text (required).")
@click.option("--en", "text_en", default=None, help="English text.")
@click.option("--until", "until", default=None, help="End time, ISO 8601 with zone, e.g. 2026-11-22T17:00+07:00.")
def announce_set(text_vi: str, text_en: str | None, until: str | None) -> None:
    """Start playing an incident announcement before the menu."""
    try:
        a = AnnouncementService(db.session, _clock()).create(
            text_vi, text_en, parse_time(until, "--until"), created_by="cli"
        )
    except AnnouncementError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"announcement {a.id} is playing" + (f" until {cli_when(a.expires_at)}" if a.expires_at else ""))


@announce_cli.command("expire")
@click.argument("announcement_id", type=int)
def announce_expire(announcement_id: int) -> None:
    """Stop an announcement now."""
    try:
        AnnouncementService(db.session, _clock()).expire(announcement_id)
    except AnnouncementError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"announcement {announcement_id} stopped")


@demo_cli.command("seed")
def demo_seed() -> None:
    """Create the demo users and call history (skipped where they exist)."""
    for line in prepare_demo(current_app._get_current_object()):  # type: ignore[attr-defined]
        click.echo(line)


@calls_cli.command("reconcile")
@click.option("--stale-minutes", type=int, default=5, show_default=True, help="Check calls not ended after this.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=None, help="Calls checked at most (RECONCILE_LIMIT).")
@click.option(
    "--budget", type=click.FloatRange(0.1, 3600), default=None, help="Seconds at most (RECONCILE_BUDGET_SECONDS)."
)
def calls_reconcile(stale_minutes: int, limit: int | None, budget: float | None) -> None:
    """Close calls whose final status callback never arrived, asking the telephony engine; compare the
    engine's queues with ours; release agents stuck on a call that is over. Bounded: run it again while
    it says calls remain."""
    config = current_app.config
    gateway = current_app.extensions["gateway"]
    calls = CallService(db.session, _clock(), HotlineSettings.from_config(config))
    report = Reconciler(calls, gateway, stale_minutes).run(
        limit or int(config["RECONCILE_LIMIT"]), budget or float(config["RECONCILE_BUDGET_SECONDS"])
    )
    click.echo(report.summary())
    synced = QueueSync.from_config(calls, gateway, config).run()
    if synced.failed:
        click.echo("queues: could not list the engine's queue members")
    else:
        click.echo(
            f"queues: {synced.members} waiting at the engine; adopted {len(synced.adopted)}, "
            f"offers withdrawn {len(synced.released)}, callbacks repaired {len(synced.callbacks)}, "
            f"queue SIDs learned {len(synced.learned)}"
        )
    swept = agent_sweep(gateway).run()
    click.echo(
        f"agents released: {len(swept.released)}" + "".join(f"\n  {name}: {reason}" for name, reason in swept.released)
    )


@calls_cli.command("dispatch")
def calls_dispatch() -> None:
    """One dispatch round: offer waiting callers (and due callbacks) to idle agents and ring them."""
    click.echo(f"ringing {dispatch_round()} agent(s)")


scheduler_cli = AppGroup("scheduler", help="Scheduled jobs (dispatch sweep, wrap-up, shifts, reconcile).")


@scheduler_cli.command("run")
def scheduler_run() -> None:
    """Run the scheduler in this process until stopped (run exactly one next to the web workers)."""
    scheduler = build(current_app._get_current_object(), blocking=True)  # type: ignore[attr-defined]
    click.echo("scheduler running; Ctrl-C to stop")
    scheduler.start()


rota_cli = AppGroup("rota", help="Who is on duty; overtime.")


@calls_cli.command("rollup")
def calls_rollup() -> None:
    """Write the hourly report figures of the settled hours (the hourly job does this too)."""
    click.echo(f"{roll_up_reports()} hourly rows written")


@rota_cli.command("now")
def rota_now() -> None:
    """Print the agents on duty now."""
    names = on_duty_agents(db.session, _clock())
    click.echo("on duty now: " + (", ".join(names) if names else "nobody"))


@rota_cli.command("overtime")
@click.argument("username")
@click.option("--hours", type=float, default=4.0, show_default=True, help="How long from now.")
def rota_overtime(username: str, hours: float) -> None:
    """Let an agent take calls off rota until now + HOURS (a supervisor's decision, on record)."""
    clock = _clock()
    agent = AgentService(db.session, clock).by_username(username)
    if agent is None:
        raise click.ClickException(f"There is no agent {username!r}.")
    if not 0 < hours <= 16:
        raise click.ClickException("Overtime is between a few minutes and 16 hours.")
    try:
        RotaService(db.session, clock).allow_overtime(agent.id, clock.now() + timedelta(hours=hours))
    except RotaError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{username} may take calls until {cli_when(agent.overtime_until)}")


def register(app: Flask) -> None:
    """Attach every command group to the app's CLI."""
    groups = (
        users_cli,
        agents_cli,
        announce_cli,
        db_cli,
        demo_cli,
        calls_cli,
        scheduler_cli,
        rota_cli,
        forecast_cli,
        mail_cli,
    )
    for group in groups:
        app.cli.add_command(group)
