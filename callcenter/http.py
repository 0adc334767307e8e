"""Small helpers every JSON endpoint shares: one error shape, one timestamp format."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify


def json_error(status: int, code: str, message: str, **extra: Any) -> Response:
    """`{"error": code, "message": <for a person>, …}` with `status`."""
    response = jsonify(error=code, message=message, **extra)
    response.status_code = status
    return response


def iso(value: datetime | None) -> str | None:
    """ISO 8601, or None."""
    return value.isoformat() if value is not None else None
