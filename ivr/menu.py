"""The menu rules: which key leads where, and what happens after wrong keys or silence."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models import ProblemGroup

MAIN_KEYS = {"1": 1, "2": 2}
GROUP_KEYS = {
    "1": ProblemGroup.ACCOUNTS,
    "2": ProblemGroup.INCIDENTS,
    "3": ProblemGroup.SINGLE_WINDOW,
    "4": ProblemGroup.OTHER,
}
ENGLISH_KEY = "9"


class Step(StrEnum):
    """What the IVR does next."""

    ROUTE = "route"  # a valid choice: go on
    RETRY = "retry"  # ask again
    FALLBACK = "fallback"  # out of attempts: route to the default destination


@dataclass(frozen=True)
class Decision:
    """The result of reading a key press (or its absence)."""

    step: Step
    value: int | ProblemGroup | None = None
    reason: str | None = None  # "invalid" or "timeout" when the caller gets another try


def _decide(digits: str | None, attempt: int, max_attempts: int, keys: dict[str, object]) -> Decision:
    key = (digits or "").strip()[:1]
    if key in keys:
        return Decision(Step.ROUTE, keys[key])  # type: ignore[arg-type]
    reason = "timeout" if not key else "invalid"
    if attempt >= max_attempts:
        return Decision(Step.FALLBACK, None, reason)
    return Decision(Step.RETRY, None, reason)


def decide_branch(digits: str | None, attempt: int, max_attempts: int) -> Decision:
    """Main menu: 1 → branch 1, 2 → branch 2; anything else retries until the attempts run out."""
    return _decide(digits, attempt, max_attempts, MAIN_KEYS)  # type: ignore[arg-type]


def decide_group(digits: str | None, attempt: int, max_attempts: int) -> Decision:
    """Branch-2 menu: 1–4 pick the problem group; out of attempts falls back to OTHER."""
    decision = _decide(digits, attempt, max_attempts, GROUP_KEYS)  # type: ignore[arg-type]
    if decision.step is Step.FALLBACK:
        return Decision(Step.FALLBACK, ProblemGroup.OTHER, decision.reason)
    return decision


def parse_attempt(raw: str | None) -> int:
    """The attempt counter carried in the URL; anything odd counts as the first attempt."""
    try:
        value = int(raw or "1")
    except ValueError:
        return 1
    return min(max(value, 1), 99)
