"""Small helpers every JSON endpoint shares: one error shape, one timestamp format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from flask import Response, jsonify
from sqlalchemy.orm import Session

# An expected error of a change: its type, the HTTP status, the error code, and a fixed message (None:
# the exception's own, which is written for a person).
Refusal = tuple[type[Exception], int, str, str | None]


def json_error(status: int, code: str, message: str, **extra: Any) -> Response:
    """`{"error": code, "message": <for a person>, …}` with `status`."""
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
