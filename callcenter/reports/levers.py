"""The forecast's levers the answer base measures (issue 16): "shorter handling" and "deflection" from data when
there is enough, else the assumption — and which one, said everywhere a lever is shown
(`source`: "measured" or "assumed").

- Shorter handling (`Levers.aht_reduction`) = (AHT without an answer − AHT with one) / AHT without, over
  the branch-2 calls of the period (callcenter/reports/answers.py, the service report's AHT), measured
  when each side has at least `min_calls` talked calls.
- Deflection (`Levers.deflect_share`) = helped / (helped + branch-2 calls offered), where helped is the
  public page's "this helped" answers dated in the period (`answer_feedback.at`): the businesses who found
  their answer and, we take it, did not call; the calls are the branch-2 calls offered in the same period
  (the service report's `counted_calls`). Measured when the period has at least `min_calls` feedback
  answers (helped or not) and `min_calls` calls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from callcenter.reports.answers import aht_figures, handle_time
from callcenter.reports.service import counted_calls
from models import AnswerFeedback, Call

MIN_CALLS = 30  # calls (and feedback answers) on each side before a measurement replaces the assumption
# The assumptions (README, "Levers, each measured"); callcenter/forecast/reality.py `Levers` starts from them.
ASSUMED_DEFLECT_SHARE = 0.4  # callers who hang up after the announcement told them what they needed
ASSUMED_AHT_REDUCTION = 0.15  # screen pop and answer base: handling this much shorter


def shorter_handling(
    session: Session, start: datetime, end: datetime, assumed: float, min_calls: int = MIN_CALLS
) -> dict[str, Any]:
    """The "shorter handling" lever for [start, end): measured from the AHT with and without an answer."""
    split = handle_time(session, start, end)
    with_answer, without = aht_figures(split[True]), aht_figures(split[False])
    basis = {"with_answer": with_answer, "without_answer": without, "min_calls": min_calls}
    enough = with_answer["talked"] >= min_calls and without["talked"] >= min_calls and without["aht_seconds"]
    if not enough:
        return {"value": assumed, "source": "assumed", **basis}
    share = (without["aht_seconds"] - with_answer["aht_seconds"]) / without["aht_seconds"]
    return {"value": round(min(share, 0.9), 3), "source": "measured", **basis}


def deflection(
    session: Session, start: datetime, end: datetime, assumed: float, min_calls: int = MIN_CALLS
) -> dict[str, Any]:
    """The "deflection" lever for [start, end): the public page's "helped" answers dated in it against
    the branch-2 calls offered in it."""
    rows = session.execute(
        select(AnswerFeedback.helped, func.count())
        .where(AnswerFeedback.at >= start, AnswerFeedback.at < end)
        .group_by(AnswerFeedback.helped)
    ).tuples()
    votes = {bool(helped): count for helped, count in rows}
    helped, not_helped = int(votes.get(True, 0)), int(votes.get(False, 0))
    calls = session.scalar(
        select(func.count())
        .select_from(Call)
        .where(and_(counted_calls(start, end), Call.branch == 2, Call.queue_entered_at.is_not(None)))
    )
    basis = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "helped": helped,
        "not_helped": not_helped,
        "calls": int(calls or 0),
        "min_calls": min_calls,
    }
    if helped + not_helped < min_calls or basis["calls"] < min_calls:
        return {"value": assumed, "source": "assumed", **basis}
    return {"value": round(helped / (helped + basis["calls"]), 3), "source": "measured", **basis}


def measured_levers(
    session: Session,
    start: datetime,
    end: datetime,
    aht_reduction: float = ASSUMED_AHT_REDUCTION,
    deflect_share: float = ASSUMED_DEFLECT_SHARE,
    min_calls: int = MIN_CALLS,
) -> dict[str, dict[str, Any]]:
    """Each lever's value (measured where there is enough data, else the assumption given), its source
    ("measured" or "assumed") and the counts it rests on, named as `Levers`' fields."""
    return {
        "aht_reduction": shorter_handling(session, start, end, aht_reduction, min_calls),
        "deflect_share": deflection(session, start, end, deflect_share, min_calls),
    }
