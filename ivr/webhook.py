"""The one wrapper every Twilio webhook goes through.

It checks the signature (403, nothing recorded), checks the CallSid (400), cleans the form once
(`clean_form`: what the views read fits the columns it lands in), runs the view in a transaction,
and on any error rolls back, logs with the CallSid and answers the view's fallback TwiML, so Twilio
never sees a 5xx and the caller always stays on a path to a person.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import Response, current_app, request
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from twilio.twiml.voice_response import VoiceResponse

from callcenter.queue.estimate import WaitEstimator
from callcenter.telephony.form import clean_form
from callcenter.tickets.calls import CallService
from callcenter.tickets.record import HotlineSettings
from callcenter.tickets.store import CallRow, StaleCall
from models import EventKind, db

from .prompts import PromptCatalog, Speech
from .security import has_valid_signature
from .twiml import Voices

log = logging.getLogger(__name__)

CALL_SID_RE = re.compile(r"^CA[0-9a-fA-F]{32}$")
RETRIES = 3  # races between webhooks of one call resolve in one retry; three leaves margin
TWIML_MIMETYPE = "application/xml"

# -- the form, cleaned once ----------------------------------------------------------------------
_FORM_KEY = "hotline.twilio_form"


def request_form() -> dict[str, str]:
    """This request's cleaned form (cleaned once, then shared by retries and the fallback). Kept in the
    WSGI environ, not `g`: the sandbox's webhook requests run nested inside another request's app context."""
    cleaned = request.environ.get(_FORM_KEY)
    if cleaned is None:
        cleaned = request.environ[_FORM_KEY] = clean_form(request.form)
    return cleaned


@dataclass
class Webhook:
    """What a webhook view works with: the form, the services, and the caller's language."""

    form: dict[str, str]
    calls: CallService
    estimator: WaitEstimator
    catalog: PromptCatalog
    voices: Voices
    call: CallRow | None = None
    use_database: bool = True  # False on the error path: built-in prompts only
    after_commit: list[Callable[[], None]] = field(default_factory=list)  # e.g. kick a dispatch round

    @property
    def language(self) -> str:
        if self.call is not None:
            return self.call.language
        lang = request.args.get("lang", "")
        return lang if lang in ("vi", "en") else current_app.config["DEFAULT_LANGUAGE"]

    def speech(self, key: str, **params: object) -> Speech:
        """A prompt in the caller's language, with database overrides unless on the error path."""
        return self.catalog.speech(db.session if self.use_database else None, key, self.language, **params)


def build_webhook() -> Webhook:
    """Wire the services for one request (collaborators injected here, nowhere else)."""
    config = current_app.config
    clock = current_app.extensions["clock"]
    session = db.session
    settings = HotlineSettings.from_config(config)
    return Webhook(
        form=dict(request_form()),
        calls=CallService(session, clock, settings),
        estimator=WaitEstimator(session, clock, config["ETA_WINDOW_MINUTES"], config["ETA_MIN_SAMPLES"]),
        catalog=current_app.extensions["prompts"],
        voices=Voices(config["TTS_VOICE_VI"], config["TTS_VOICE_EN"]),
    )


def twiml(response: VoiceResponse, status: int = 200) -> Response:
    """Serialise TwiML (always through twilio.twiml, never by hand)."""
    return Response(str(response), status=status, mimetype=TWIML_MIMETYPE)


def plain(message: str, status: int) -> Response:
    """A short human-readable error for callers that are not Twilio."""
    return Response(message + "\n", status=status, mimetype="text/plain")


Fallback = Callable[[Webhook], VoiceResponse]


def twilio_webhook(
    fallback: Fallback, subject: str = "CallSid"
) -> Callable[[Callable[[Webhook], VoiceResponse]], Callable[[], Response]]:
    """Decorate a view taking a Webhook and returning TwiML; see the module docstring.

    `subject` names the form field holding the caller's CallSid: "ParentCallSid" for requests about
    an agent's leg of the call (they must not create a call record of their own); "arg:call" reads it
    from the URL's `call` parameter (the legs of a callback, which Twilio does not link to the call;
    the URL is part of what Twilio signs, so it cannot be changed by anyone else).
    """

    def decorate(view: Callable[[Webhook], VoiceResponse]) -> Callable[[], Response]:
        @wraps(view)
        def handle() -> Response:
            config = current_app.config
            if not has_valid_signature(request, config["TWILIO_AUTH_TOKEN"], config["PUBLIC_BASE_URL"]):
                log.warning("rejected %s: bad or missing X-Twilio-Signature", request.path)
                return plain("Forbidden: the X-Twilio-Signature header is missing or does not match.", 403)
            if subject.startswith("arg:"):
                call_sid = request.args.get(subject[4:], "")
            else:
                call_sid = request.form.get(subject, "")
            if not CALL_SID_RE.match(call_sid):
                return plain(f"Bad request: {subject} is missing or is not a Twilio call SID (CA + 32 hex).", 400)
            for attempt in range(1, RETRIES + 1):
                hook = build_webhook()
                try:
                    hook.call = hook.calls.ensure_call({**hook.form, "CallSid": call_sid})
                    response = view(hook)
                    hook.calls.commit()
                    _run_after_commit(hook)
                    return twiml(response)
                except Exception as exc:  # noqa: BLE001 - the caller must hear something whatever failed
                    hook.calls.rollback()
                    if _retryable(exc) and attempt < RETRIES:
                        continue
                    # Safe to log whole: the engine hides bound parameters (caller numbers).
                    log.error(
                        "CallSid=%s %s failed (%s); answering the fallback",
                        call_sid,
                        request.path,
                        type(exc).__name__,
                        exc_info=True,
                    )
                    break
            _record_error(call_sid)
            return twiml(fallback(build_webhook_without_db()))

        return handle

    return decorate


def _run_after_commit(hook: Webhook) -> None:
    """Side effects that need the committed data (never allowed to fail the webhook)."""
    for effect in hook.after_commit:
        try:
            effect()
        except Exception:  # noqa: BLE001
            log.warning("after-commit step %s failed", getattr(effect, "__name__", effect), exc_info=True)


def _retryable(exc: Exception) -> bool:
    """Worth running the request again on fresh data?

    IntegrityError: a concurrent duplicate of this webhook won a race; its rows are there now.
    StaleCall / StaleDataError: another request changed the call / the agent meanwhile. A DBAPIError that invalidated
    the connection (database restarted): the pool hands out a fresh one.
    """
    if isinstance(exc, IntegrityError | StaleCall | StaleDataError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def build_webhook_without_db() -> Webhook:
    """A Webhook for fallbacks: no call loaded, prompts from the built-in catalog only."""
    hook = build_webhook()
    hook.use_database = False
    return hook


def _record_error(call_sid: str) -> None:
    """Best effort: put the failure on the call's timeline in a fresh transaction."""
    try:
        hook = build_webhook()
        call = hook.calls.find(call_sid)
        if call is not None:
            hook.calls.add_event(call, EventKind.WEBHOOK_ERROR, path=request.path)
            hook.calls.commit()
    except Exception:  # noqa: BLE001 - the database itself may be what failed
        db.session.rollback()
        log.warning("CallSid=%s could not record the webhook error", call_sid)
