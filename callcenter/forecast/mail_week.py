"""The e-mail part of the week's forecast (issue 15): `GET /api/forecast?include=email` and the forecast
page's "E-mail" block.

The week's calls (learned or the documented default, as the rest of the forecast) are played again with
e-mails (`mail_sim.py`: deferrable work that fills idle seat time, a call interrupts an e-mail). The e-mail
load comes from:
- "history": the recorded mail of the 4 weeks before (`mail_forecast.learn_mail`, at least
  `MIN_HISTORY_MAILS`), when the request gives no `email_share`;
- "default": the documented assumption, `DEFAULT_EMAIL_SHARE` of all contacts are e-mails;
- "parameter": the share the request gives (`email_share`, 0–0.9).
With a share, the e-mails are that share of all contacts, the week's calls the rest: e-mails per half hour
and branch = calls × share / (1 − share), with the calls' hourly and weekday shape and branch split, each
`DEFAULT_MAIL_HANDLE_SECONDS`. The calls are not scaled down: the page's call figures stay the forecast's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from callcenter.forecast.mail_forecast import (
    DEFAULT_EMAIL_SHARE,
    DEFAULT_MAIL_HANDLE_SECONDS,
    blended_weeks,
    learn_mail,
)
from callcenter.forecast.mail_sim import MailLoad
from callcenter.forecast.profile import TrafficProfile
from callcenter.forecast.week import SEEDS, Targets, WeekRota

MAX_EMAIL_SHARE = 0.9
HISTORY_WEEKS = 4


class EmailShareError(ValueError):
    """`email_share` outside 0–0.9 (the message says so)."""


def email_share_from(args: Mapping[str, Any]) -> float | None:
    """The request's `email_share` (a share, 0.3 = 30 % of the contacts); None when not given."""
    raw = args.get("email_share")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    message = f"email_share is the share of the contacts that are e-mails, from 0 to {MAX_EMAIL_SHARE:g} (0.3 = 30 %)."
    try:
        share = float(raw)
    except (TypeError, ValueError):
        raise EmailShareError(message) from None
    if not 0 <= share <= MAX_EMAIL_SHARE:  # also refuses nan
        raise EmailShareError(message)
    return share


def week_email(
    session: Session,
    profile: TrafficProfile,
    rota: WeekRota,
    targets: Targets,
    target_hours: float,
    email_share: float | None = None,
) -> dict[str, Any]:
    """The week's e-mail figures next to its calls: JSON for the API (shares in percent)."""
    week = profile.week(rota.monday, rota.holidays)
    calls = sum(sum(v) for v in week.values())
    learned = learn_mail(session, rota.monday, HISTORY_WEEKS) if email_share is None else None
    facts: dict[str, Any] = {}
    if learned is not None:
        arrivals, handle = learned
        source = "history"
        mails = sum(sum(v) for v in arrivals.values())
        share = mails / (mails + calls) if mails + calls else 0.0
        facts = {"history_emails": learned.emails, "history_weeks": learned.weeks}
    else:
        source = "default" if email_share is None else "parameter"
        share = DEFAULT_EMAIL_SHARE if email_share is None else email_share
        ratio = share / (1 - share)
        arrivals = {b: [x * ratio for x in v] for b, v in week.items()}
        handle = DEFAULT_MAIL_HANDLE_SECONDS
    load = MailLoad(arrivals, handle, target_hours * 3600)
    seeds = range(1, SEEDS + 1)
    sim = blended_weeks(profile, rota, load, seeds, targets)
    return {
        "source": source,
        "email_share": round(100 * share, 1),
        "default_email_share": round(100 * DEFAULT_EMAIL_SHARE, 1),
        **facts,
        "handle_minutes": round(handle / 60, 1),
        "target_hours": target_hours,
        "expected": round(sum(sum(v) for v in arrivals.values())),
        "received": sim["emails_received_per_week"],
        "answered": sim["emails_answered_per_week"],
        "answered_within_target": sim["emails_answered_within_target"],
        "backlog_at_week_end": sim["email_backlog_at_week_end"],
        "calls_interrupting": sim["calls_interrupting_emails_per_week"],
        "calls_offered": sim["calls_offered_per_week"],
        "handled_rate_calls": sim["calls_served_share"],
        "handled_rate_calls_and_emails": sim["handled_calls_and_emails"],
        "department_handled_rate": sim["department_handled"],
        "seeds": list(seeds),
    }
