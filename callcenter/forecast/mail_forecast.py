"""E-mail in the forecast (issue 15): how many e-mails to expect per half hour, and the week played with
calls and e-mails together (`mail_sim.py`), compared with the department's ~70 % on the same basis.

The e-mail load:
- learned from the recorded e-mails (`MailWork.received_at`: conversations, per branch and half hour of
  the week, Vietnam time, averaged over the last `weeks` complete weeks) when there are at least
  `MIN_HISTORY_MAILS` of them; the handle time from the recorded desk time (assigned → first response) of
  at least `MIN_SAMPLES` answered ones, else the default;
- otherwise a share of the documented contacts: the department counts 13,500–14,000 calls AND e-mails a
  month (400–450 a day, ../shared/reference/hotline.md), which does not say how many are e-mails.
  ASSUMPTION: `DEFAULT_EMAIL_SHARE` = 30 % of the contacts are e-mails (adjustable: `flask forecast
  blended --email-share`), arriving with the calls' hourly and weekday shape and branch split, each taking
  the documented 7.5 minutes (5–10) to read and answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.forecast.mail_sim import MailLoad, MailStats, simulate_blended
from callcenter.forecast.profile import (
    DEFAULT_AHT_SECONDS,
    INTERVAL_SECONDS,
    WEEK_INTERVALS,
    TrafficProfile,
    default_profile,
)
from callcenter.forecast.reality import DEPARTMENT_HANDLED, MONDAY, documented_rota
from callcenter.forecast.scenario import IntervalStats
from callcenter.forecast.week import Targets, WeekRota, scenario_for
from callcenter.rota.service import LOCAL_TZ
from models import MailWork

DEFAULT_EMAIL_SHARE = 0.30  # assumption (the reference gives only calls and e-mails together)
DEFAULT_MAIL_HANDLE_SECONDS = DEFAULT_AHT_SECONDS  # 7.5 min: the documented 5–10 min per request
MIN_HISTORY_MAILS = 200
MIN_SAMPLES = 30


def default_mail_arrivals(mails_per_day: float, monday: date = MONDAY) -> dict[int, list[float]]:
    """E-mails per half hour of the week per branch: the calls' default shape and branch split."""
    return default_profile(mails_per_day).week(monday)


@dataclass(frozen=True)
class LearnedMail:
    """The e-mail load learned from the recorded mail (unpacks as (arrivals, handle seconds))."""

    arrivals: dict[int, list[float]]  # branch -> e-mails per half hour of a week
    handle: float
    emails: int  # recorded e-mails it was learned from
    weeks: int  # weeks they span (at most the `weeks` asked for)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.arrivals, self.handle))


def learn_mail(session: Session, monday: date, weeks: int = 4) -> LearnedMail | None:
    """(e-mails per half hour per branch, handle seconds) from the last `weeks` complete weeks before
    `monday`, averaged over the weeks since the first e-mail recorded in them (a desk that began taking
    mail two weeks ago is not averaged over four); None when fewer than MIN_HISTORY_MAILS were recorded."""
    start = datetime.combine(monday - timedelta(weeks=weeks), time(), LOCAL_TZ)
    end = datetime.combine(monday, time(), LOCAL_TZ)
    rows = session.execute(
        select(MailWork.received_at, MailWork.branch, MailWork.assigned_at, MailWork.first_response_at).where(
            MailWork.received_at >= start, MailWork.received_at < end
        )
    ).tuples()
    counts = {1: [0] * WEEK_INTERVALS, 2: [0] * WEEK_INTERVALS}
    handled: list[float] = []
    seen, first = 0, end
    for received, branch, assigned, responded in rows:
        seen += 1
        local = received.astimezone(LOCAL_TZ)
        first = min(first, local)
        slot = local.weekday() * 48 + (local.hour * 3600 + local.minute * 60) // INTERVAL_SECONDS
        counts.setdefault(branch, [0] * WEEK_INTERVALS)[slot] += 1
        if assigned is not None and responded is not None and responded > assigned:
            handled.append((responded - assigned).total_seconds())
    if seen < MIN_HISTORY_MAILS:
        return None
    span = min(weeks, max(1, math.ceil((end - first) / timedelta(weeks=1))))
    arrivals = {b: [n / span for n in v] for b, v in counts.items()}
    handle = sum(handled) / len(handled) if len(handled) >= MIN_SAMPLES else DEFAULT_MAIL_HANDLE_SECONDS
    return LearnedMail(arrivals, handle, seen, span)


def blended_weeks(
    profile: TrafficProfile,
    rota: WeekRota,
    mail: MailLoad,
    seeds: Sequence[int] = (1, 2, 3),
    targets: Targets = Targets(threshold=60),
) -> dict[str, Any]:
    """The week with calls and e-mails, averaged over `seeds`: the calls' served share, e-mails answered
    (within the target), the e-mail backlog at the week's end and the one handled rate over both."""
    week = profile.week(rota.monday, rota.holidays)
    calls, mails = IntervalStats(), MailStats()
    for seed in seeds:
        result = simulate_blended(scenario_for(profile, rota, week, targets, seed), mail)
        calls = calls + result.calls.totals()
        for name in ("received", "answered", "answered_within", "backlog_at_end", "interrupted", "busy_seconds"):
            setattr(mails, name, getattr(mails, name) + getattr(result.mail, name))
    n = len(seeds)
    handled = calls.answered + calls.callbacks_completed + mails.answered
    contacts = calls.offered + mails.received
    return {
        "calls_offered_per_week": round(calls.offered / n),
        "calls_served_share": round(100 * calls.served_share, 1),
        "emails_received_per_week": round(mails.received / n),
        "emails_answered_per_week": round(mails.answered / n),
        "emails_answered_within_target": round(100 * mails.within_share, 1),
        "email_backlog_at_week_end": round(mails.backlog_at_end / n),
        "calls_interrupting_emails_per_week": round(mails.interrupted / n),
        "handled_calls_and_emails": round(100 * handled / contacts, 1) if contacts else None,
        "department_handled": round(100 * DEPARTMENT_HANDLED, 1),
    }


def reality_check_blended(
    contacts_per_day: Sequence[float] = (400, 430, 450),
    aht_minutes: Sequence[float] = (5, 7.5, 10),
    email_share: float = DEFAULT_EMAIL_SHARE,
    target_hours: float = 8,
    seeds: int = 3,
) -> list[dict[str, Any]]:
    """The documented situation with e-mails: `contacts_per_day` calls and e-mails (a share `email_share`
    of them e-mails), each taking `aht_minutes`, on the four-person Panama rota; the handled rate over
    calls and e-mails next to the department's ~70 % (the same basis: contacts, not only calls)."""
    rota = documented_rota()
    rows = []
    for contacts in contacts_per_day:
        for minutes in aht_minutes:
            profile = default_profile(contacts * (1 - email_share), minutes * 60)
            mail = MailLoad(
                default_mail_arrivals(contacts * email_share, rota.monday), minutes * 60, target_hours * 3600
            )
            week = blended_weeks(profile, rota, mail, range(1, seeds + 1))
            rows.append({"contacts_per_day": contacts, "aht_minutes": minutes, "email_share": email_share, **week})
    return rows
