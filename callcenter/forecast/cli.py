"""`flask forecast …`: the week's forecast (what the forecast page shows), the reality check and the
levers, printed as tables."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from callcenter.common.when import cli_when
from callcenter.forecast.reality import Levers, levers, reality_check, with_measured
from callcenter.forecast.service import Change, ForecastError, ForecastService, targets_from
from callcenter.forecast.week import WeekForecast
from callcenter.rota.service import LOCAL_TZ
from models import db

forecast_cli = AppGroup("forecast", help="Staffing forecast: a week of the rota, the reality check, the levers.")


def _shift(raw: str) -> tuple[str, datetime, datetime]:
    """agent,2026-11-24T08:00,12 → (agent, start in Vietnam time, end)."""
    try:
        agent, start, hours = raw.split(",")
        begins = datetime.fromisoformat(start)
        begins = begins if begins.tzinfo else begins.replace(tzinfo=LOCAL_TZ)
        return agent, begins, begins + timedelta(hours=float(hours))
    except ValueError:
        raise click.BadParameter(f"{raw!r}: write agent,2026-11-24T08:00,12 (Vietnam time, hours)") from None


def print_week(result: WeekForecast, every_interval: bool) -> None:
    """Per day (or per half hour) then the week totals."""
    click.echo(f"Week of {cli_when(result.monday, 'date')} — {result.profile_source}")
    t = result.targets
    click.echo(
        f"Target: {t.service_level:.0%} answered within {t.threshold:.0f} s, under {t.max_abandonment:.0%} abandon"
    )
    click.echo(f"{'':<17}{'calls':>7}{'on duty':>9}{'needed':>8}{'SL %':>7}{'aband %':>9}  gap")
    rows = result.intervals
    if every_interval:
        for i in rows:
            when = cli_when(i.starts_at, "day") + " " + cli_when(i.starts_at, "time")
            click.echo(
                f"{when:<17}{i.calls:>7.1f}{i.scheduled:>9}{i.required:>8}{100 * i.service_level:>7.1f}"
                f"{100 * i.abandonment:>9.1f}  {'GAP' if i.gap else ''}"
            )
    else:
        for day in range(7):
            part = rows[day * 48 : (day + 1) * 48]
            calls = sum(i.calls for i in part)
            label = cli_when(part[0].starts_at, "day")
            sl = sum(i.calls * i.service_level for i in part) / calls if calls else 1
            ab = sum(i.calls * i.abandonment for i in part) / calls if calls else 0
            gaps = sum(i.gap for i in part)
            click.echo(
                f"{label:<17}{calls:>7.0f}{sum(i.scheduled for i in part) / 2:>8.0f}h"
                f"{sum(i.required for i in part) / 2:>7.0f}h{100 * sl:>7.1f}{100 * ab:>9.1f}  {gaps} half hours"
            )
    totals = result.totals()
    click.echo(
        f"Week: {totals['calls']:.0f} calls, handled {totals['handled_rate']} % (Erlang A)"
        + (f", {result.simulated['handled_rate']} % (simulation)" if result.simulated else "")
        + f" — about {totals['department_handled_rate_today']:.0f} % today; "
        f"{totals['scheduled_hours']:.0f} agent-hours on duty, {totals['required_hours']:.0f} needed, "
        f"{totals['gap_intervals']} half hours short"
    )


@forecast_cli.command("week")
@click.option("--week", "day", default=None, help="Any day of the week (default: this week).")
@click.option("--service-level", default=None, help="Target percent answered within the threshold (80).")
@click.option("--threshold", default=None, help="Seconds (60).")
@click.option("--max-abandonment", default=None, help="Percent (5).")
@click.option("--add", "adds", multiple=True, help="What-if: agent,2026-11-24T08:00,12 (repeatable).")
@click.option("--remove", "removes", multiple=True, type=int, help="What-if: a shift id to remove (repeatable).")
@click.option("--intervals", is_flag=True, help="Every half hour instead of one line per day.")
def forecast_week(day, service_level, threshold, max_abandonment, adds, removes, intervals) -> None:  # type: ignore[no-untyped-def]
    """The forecast of a week's rota, and of a what-if when --add/--remove are given."""
    service = ForecastService(db.session, current_app.extensions["clock"])
    try:
        when = service.day(day)
        targets = targets_from(
            {"service_level": service_level, "threshold": threshold, "max_abandonment": max_abandonment}
        )
        current = service.week(when, targets)
        print_week(current, intervals)
        if adds or removes:
            change = Change(
                tuple((service.agent_id(a), s, e) for a, s, e in map(_shift, adds)), tuple(int(r) for r in removes)
            )
            click.echo("\nWith the change:")
            print_week(service.week(when, targets, change), intervals)
    except ForecastError as exc:
        raise click.ClickException(str(exc)) from None


@forecast_cli.command("reality")
@click.option("--seeds", default=3, show_default=True, help="Simulated weeks per case (seeds 1…n).")
def forecast_reality(seeds: int) -> None:
    """Four people, 24/7, 400–450 contacts a day at 5–10 minutes: what the model predicts."""
    click.echo("calls/day  AHT  handled(ErlangA) handled(sim)  ceiling  overtime h/wk→70%  sim with it  "
               "needed h/wk  peak")  # fmt: skip
    rows = reality_check(seeds=seeds)
    for r in rows:
        click.echo(
            f"{r['calls_per_day']:>9.0f} {r['aht_minutes']:>4.1f} {r['handled_erlang_a']:>15.1f}% "
            f"{r['handled_simulated']:>11.1f}% {r['physical_ceiling']:>7.1f}% "
            f"{r['overtime_hours_per_week_for_70']:>18.1f} "
            f"{r['handled_simulated_with_that_overtime']:>11.1f}% {r['required_agent_hours_per_week']:>11.0f} "
            f"{r['required_peak_agents']:>5}"
        )
    middle = rows[len(rows) // 2]
    click.echo(
        f"\nAgents needed each hour of a Monday for 80 % within 60 s and under 5 % abandoning "
        f"({middle['calls_per_day']:.0f} a day at {middle['aht_minutes']} min):"
    )
    click.echo(" ".join(f"{h:02d}h:{n}" for h, n in enumerate(middle["required_by_hour_monday"])))


def _lever_options(command):  # type: ignore[no-untyped-def]
    for f in reversed(fields(Levers)):
        if isinstance(f.default, int | float) and not isinstance(f.default, bool):
            command = click.option(f"--{f.name.replace('_', '-')}", f.name, default=f.default, show_default=True)(
                command
            )
    return command


@forecast_cli.command("levers")
@click.option(
    "--measured-days",
    default=90,
    show_default=True,
    help="Take shorter handling and deflection from the answer base's data of the last N days where there is "
    "enough (0: the assumptions only; an option given here is always used as given).",
)
@_lever_options
@click.pass_context
def forecast_levers(ctx: click.Context, measured_days: int, **assumptions: float) -> None:
    """Served share for today and each lever (alone, then combined), at today's staff-hours."""
    a = Levers(**assumptions)
    if measured_days > 0:
        a = _measured(ctx, a, measured_days)
    click.echo(f"{'lever':<18}{'served %':>9}{'abandon %':>10}{'callbacks/wk':>13}{'deflected/wk':>13}  source")
    for row in levers(a):
        click.echo(
            f"{row['lever']:<18}{row['served_share']:>9.1f}{row['abandonment']:>10.1f}"
            f"{row['callbacks_completed_per_week']:>13}{row['deflected_per_week']:>13}  {row['source'] or ''}"
        )
    click.echo("department today: about 70 % handled (hotline.md)")


def _measured(ctx: click.Context, a: Levers, days: int) -> Levers:
    """`a` with shorter handling and deflection measured where the data suffice (not those given as
    options), each said with what it rests on."""
    from click.core import ParameterSource

    from callcenter.reports.levers import measured_levers

    now = current_app.extensions["clock"].now()
    basis = measured_levers(db.session, now - timedelta(days=days), now, a.aht_reduction, a.deflect_share)
    given = {n for n in basis if ctx.get_parameter_source(n) == ParameterSource.COMMANDLINE}
    a = with_measured(a, basis, keep=given)
    h, d = basis["aht_reduction"], basis["deflect_share"]
    w, wo = h["with_answer"], h["without_answer"]
    click.echo(
        f"shorter handling: {a.aht_reduction:.1%} {a.aht_reduction_source} — last {days} days, branch 2: "
        f"AHT {w['aht_seconds']} s over {w['talked']} calls with an answer, {wo['aht_seconds']} s over "
        f"{wo['talked']} without ({h['min_calls']} of each needed to measure)"
    )
    click.echo(
        f"deflection: {a.deflect_share:.1%} {a.deflect_share_source} — last {days} days, public page: "
        f"{d['helped']} helped, {d['not_helped']} did not, {d['calls']} branch-2 calls "
        f"({d['min_calls']} feedback answers and calls needed to measure)"
    )
    return a


@forecast_cli.command("blended")
@click.option("--email-share", default=0.30, show_default=True, help="Share of the contacts that are e-mails.")
@click.option("--target-hours", default=8.0, show_default=True, help="First answer to an e-mail within.")
@click.option("--seeds", default=3, show_default=True, help="Simulated weeks per case (seeds 1…n).")
def forecast_blended(email_share: float, target_hours: float, seeds: int) -> None:
    """Calls and e-mails together (e-mails fill idle seat time): the handled rate over both, as the
    department counts its ~70 %, e-mails answered within the target and the backlog at the week's end."""
    from callcenter.forecast.mail_forecast import reality_check_blended

    click.echo(
        "contacts/day  AHT  calls/wk  served%  e-mails/wk  answered/wk  within%  backlog  handled(calls+e-mails)"
    )
    for r in reality_check_blended(email_share=email_share, target_hours=target_hours, seeds=seeds):
        click.echo(
            f"{r['contacts_per_day']:>12.0f} {r['aht_minutes']:>4.1f} {r['calls_offered_per_week']:>9} "
            f"{r['calls_served_share']:>7.1f}% {r['emails_received_per_week']:>11} {r['emails_answered_per_week']:>12} "
            f"{r['emails_answered_within_target']:>7.1f}% {r['email_backlog_at_week_end']:>8} "
            f"{r['handled_calls_and_emails']:>21.1f}%"
        )
    click.echo(
        f"department today: about 70 % of calls and e-mails handled (hotline.md); e-mail share {email_share:.0%}"
    )
