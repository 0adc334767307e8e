"""Addresses of the public pages that other channels name (the acknowledgement, the IVR's waiting message)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ANSWERS_PATH = "/answers"  # the public answer base (issue 16): no login, Vietnamese first


def answers_url(config: Mapping[str, Any]) -> str:
    """PUBLIC_BASE_URL + "/answers": where businesses search the published answers before they call."""
    return str(config.get("PUBLIC_BASE_URL") or "").rstrip("/") + ANSWERS_PATH
