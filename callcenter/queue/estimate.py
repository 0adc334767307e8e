"""Estimated wait from recent history: how fast has this branch's desk been answering lately?

Rule (stated so a caller's estimate can be checked by hand):
  n = calls of the branch answered within the last `window` minutes.
  If n >= min_samples: the desk answers n / window calls a minute, so the caller at `position`
  is reached after about position × window / n minutes (rounded up).
  Otherwise there is not enough recent history and we say so instead of inventing a number.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from callcenter.common.clock import Clock
from models import Call

_CALLS = Call.__table__
# Built once: the wait loop asks this for every announcement.
_ANSWERED_SINCE = (
    select(func.count())
    .select_from(_CALLS)
    .where(
        _CALLS.c.branch == bindparam("branch"),
        _CALLS.c.answered_at >= bindparam("since", type_=_CALLS.c.answered_at.type),
    )
)


class WaitEstimator:
    """Turns a queue position into an estimated wait in seconds, from answered calls of the branch."""

    def __init__(self, session: Session, clock: Clock, window_minutes: int, min_samples: int) -> None:
        self.session = session
        self.clock = clock
        self.window_minutes = window_minutes
        self.min_samples = min_samples

    def answered_recently(self, branch: int) -> int:
        """How many calls of `branch` were answered within the window."""
        since = self.clock.now() - timedelta(minutes=self.window_minutes)
        return int(self.session.connection().execute(_ANSWERED_SINCE, {"branch": branch, "since": since}).scalar() or 0)

    def estimate_seconds(self, branch: int | None, position: int | None) -> int | None:
        """Estimated seconds until the caller at `position` is answered, or None when unknown."""
        if branch is None or position is None or position < 1:
            return None
        answered = self.answered_recently(branch)
        return estimate_from_rate(position, answered, self.window_minutes, self.min_samples)


def estimate_from_rate(position: int, answered: int, window_minutes: int, min_samples: int) -> int | None:
    """position × window / answered, in whole minutes rounded up, as seconds; None below min_samples."""
    if answered < max(min_samples, 1):
        return None
    minutes = math.ceil(position * window_minutes / answered)
    return minutes * 60
