"""Small helpers every JSON endpoint shares: one error shape, one timestamp format, and the parsers of
request parameters (a value out of range is a 400 `bad_input` that says what to send instead)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from callcenter.common.inputs import FIRST_DAY, LAST_DAY, MAX_ID, bounded_day, bounded_int

# An expected error of a change: its type, the HTTP status, the error code, and a fixed message (None:
# the exception's own, which is written for a person, already in the request's language).
Refusal = tuple[type[Exception], int, str, str | None]


def json_error(status: int, code: str, message: str, **extra: Any) -> Response:
    """`{"error": code, "message": <for a person>, …}` with `status`. The code is the stable part programs
    use; the message is written for a person, in the request's language (pass it through gettext)."""
    response = jsonify(error=code, message=message, **extra)
    response.status_code = status
    return response


def iso(value: datetime | None) -> str | None:
    """ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def guarded(session: Session, work: Callable[[], Any], refusals: Sequence[Refusal]) -> Any:
    """Run a change and commit it; an expected error rolls it back and answers the one error shape."""
    try:
        result = work()
        session.commit()
    except tuple(kind for kind, *_ in refusals) as exc:
        session.rollback()
        status, code, message = next((s, c, m) for kind, s, c, m in refusals if isinstance(exc, kind))
        return json_error(status, code, message or str(exc))
    return result


class BadInput(ValueError):
    """A request parameter a person must correct; answered 400 `bad_input` with this message
    (callcenter/boundary.py), wherever a view raises it."""


def json_object() -> dict[str, Any]:
    """The request's JSON object: {} without a (readable) body, BadInput when the body is JSON but not an
    object (a list, a string, a number)."""
    body = request.get_json(silent=True)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadInput(_("Send a JSON object, e.g. %(example)s.", example='{"name": "value"}'))
    return body


def int_param(
    name: str, default: int, low: int, high: int, *, clamp: bool = False, source: Mapping[str, Any] | None = None
) -> int:
    """The query parameter `name` (or the field of `source`, e.g. a search's JSON body) as a whole number
    from `low` to `high` (`default` when absent). With `clamp`, a larger number (up to the largest id)
    means `high`, as "at most" limits do."""
    raw = (request.args if source is None else source).get(name)
    if raw in (None, ""):
        return default
    value = bounded_int(raw, low, MAX_ID if clamp else high)
    if value is None:
        raise BadInput(_("%(name)s is a whole number from %(low)s to %(high)s.", name=name, low=low, high=high))
    return min(value, high)


def day_param(name: str, source: Mapping[str, Any] | None = None) -> date | None:
    """The query parameter `name` (or the field of `source`) as a date like 2026-11-23 (None when absent);
    outside FIRST_DAY…LAST_DAY it is refused, so adding a day or turning it into a time never overflows."""
    raw = (request.args if source is None else source).get(name)
    if raw in (None, ""):
        return None
    day = bounded_day(raw)
    if day is None:
        raise BadInput(
            _(
                "%(name)s is a date like 2026-11-23, from %(first)s to %(last)s.",
                name=name,
                first=FIRST_DAY,
                last=LAST_DAY,
            )
        )
    return day
