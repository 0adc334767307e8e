"""The IVR's blueprint and what every webhook module shares: absolute webhook URLs, queue names, the
timeouts, and the empty answer of status callbacks."""

from __future__ import annotations

from flask import Blueprint, current_app, url_for
from twilio.twiml.voice_response import VoiceResponse

from . import twiml
from .webhook import Webhook

bp = Blueprint("ivr", __name__, url_prefix="/ivr")


def hook_url(endpoint: str, **params: object) -> str:
    """Absolute public URL of one of our webhooks."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **params)


def queue_name(branch: int) -> str:
    """The Twilio queue that holds callers of `branch`."""
    return current_app.config["QUEUE_NAME_BRANCH_1" if branch == 1 else "QUEUE_NAME_BRANCH_2"]


def fallback_branch() -> int:
    """Where a caller goes when we cannot tell (configurable; branch 2, the general desk)."""
    return 1 if current_app.config["FALLBACK_BRANCH"] == 1 else 2


def gather_timeout() -> int:
    """Silence after a prompt before asking again (GATHER_TIMEOUT_SECONDS)."""
    return int(current_app.config["GATHER_TIMEOUT_SECONDS"])


def fallback_empty(hook: Webhook) -> VoiceResponse:
    """Status callbacks need no TwiML."""
    return twiml.empty()
