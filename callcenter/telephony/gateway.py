"""The telephony gateway: the one place that talks to Twilio's REST API (or the sandbox instead).

`TWILIO_API_BASE_URL` redirects every REST request (a local double in tests, an egress proxy in
production); nothing else in the code base imports `twilio.rest`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from callcenter.telephony.breaker import CircuitBreaker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemoteCall:
    """What the telephony engine knows about a call."""

    status: str
    duration: int | None = None
    ended_at: datetime | None = None
    from_: str | None = None
    to: str | None = None


@dataclass(frozen=True)
class QueueMember:
    """A caller waiting in one of the engine's queues."""

    queue_sid: str
    queue_name: str
    call_sid: str
    position: int
    wait_time: int


class GatewayError(RuntimeError):
    """The telephony engine could not answer (network, 5xx, rate limit, a malformed answer); try again later."""


class TelephonyUnavailable(GatewayError):
    """The circuit breaker is open: no request was sent (the engine failed repeatedly just now)."""


class CallRefused(GatewayError):
    """The engine answered and refused the request (a 4xx other than 429: a caller ID not on the account,
    a geographic permission, a malformed number). Retrying the same request cannot succeed."""

    def __init__(self, message: str, status: int, code: int | None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class MemberGone(LookupError):
    """The caller is no longer in that queue (hung up, or already taken)."""


class TelephonyGateway(Protocol):
    """What the call center asks of the telephony engine."""

    def fetch_call(self, call_sid: str) -> RemoteCall | None:
        """The call's current state, or None when the engine does not know it."""
        ...

    def dequeue(self, queue_sid: str, call_sid: str, url: str) -> None:
        """Take `call_sid` out of the queue and run the TwiML at `url` for it.

        Raises MemberGone when the caller is not in the queue, GatewayError when the engine failed.
        """
        ...

    def create_call(self, to: str, from_: str, url: str, status_callback: str, timeout: int) -> str:
        """Place an outbound call that runs the TwiML at `url` once answered; returns its CallSid.

        Raises GatewayError when the engine failed (the call may or may not exist: callers must be
        safe against a call they did not expect, see ivr/callbacks.py).
        """
        ...

    def queue_members(self, queue_names: list[str]) -> list[QueueMember] | None:
        """Who waits in the named queues now (None when the engine cannot tell)."""
        ...

    def available(self) -> bool:
        """False while the engine is known to be failing (the breaker is open): do not prepare requests."""
        ...


ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}  # a call's final statuses (Twilio's)


def leg_over(gateway: TelephonyGateway, call_sid: str) -> bool | None:
    """True when the engine says the call has ended (or never knew it), False while it goes on, None
    when the engine cannot answer now."""
    try:
        remote = gateway.fetch_call(call_sid)
    except GatewayError:
        return None
    return remote is None or remote.status in ENDED


class BaseUrlHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, sending requests for *.twilio.com to a configured base URL instead."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        parts = urlsplit(url)
        if parts.hostname and parts.hostname.endswith("twilio.com"):
            url = self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().request(method, url, *args, **kwargs)


RETRYABLE_STATUSES = {429, 500, 502, 503, 504}
# What the twilio library raises on an answer it cannot read (not JSON, a field of the wrong type).
MALFORMED = (ValueError, KeyError, TypeError, AttributeError)


class TwilioGateway:
    """The gateway over Twilio's REST API.

    Every request has a short timeout and goes through the circuit breaker (callcenter/breaker.py):
    while Twilio keeps failing no request is sent and `TelephonyUnavailable` is raised at once.
    Rate limits, 5xx and network errors of a dequeue are retried with backoff (it is idempotent).
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        base_url: str,
        timeout: float = 4.0,
        *,
        attempts: int = 2,
        backoff: float = 0.2,
        sleep: Any = time.sleep,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.client = Client(account_sid, auth_token, http_client=BaseUrlHttpClient(base_url, timeout))
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        self.breaker = breaker

    # -- the breaker ----------------------------------------------------------------------------
    def available(self) -> bool:
        """False while the breaker is open (and its cooldown has not passed)."""
        return self.breaker is None or self.breaker.would_allow()

    def _send(self, what: str, request: Any) -> Any:
        """Run one REST request through the breaker; classify what came back.

        An answer (2xx, 404, a 4xx refusal) is a success for the breaker; a timeout, a network error,
        429, 5xx or an answer that cannot be read is a failure.
        """
        if self.breaker is not None and not self.breaker.allow():
            raise TelephonyUnavailable(f"telephony degraded: not {what} (circuit open)")
        try:
            result = request()
        except TwilioRestException as exc:
            if exc.status in RETRYABLE_STATUSES:
                self._failed(f"Twilio answered {exc.status} {what}")
            else:
                self._answered()
            raise
        except OSError as exc:  # requests' connection errors and timeouts derive from OSError
            self._failed(f"Twilio unreachable {what}: {type(exc).__name__}")
            raise GatewayError(f"Twilio unreachable {what}: {exc}") from exc
        except (TwilioException, *MALFORMED) as exc:  # e.g. "Unable to fetch page": an answer it could not read
            self._failed(f"malformed answer {what}")
            raise GatewayError(f"Twilio's answer {what} could not be read: {type(exc).__name__}") from exc
        self._answered()
        return result

    def _failed(self, error: str) -> None:
        if self.breaker is not None:
            self.breaker.failure(error)

    def _answered(self) -> None:
        if self.breaker is not None:
            self.breaker.success()

    # -- requests -------------------------------------------------------------------------------
    def dequeue(self, queue_sid: str, call_sid: str, url: str) -> None:
        """POST /Queues/{QueueSid}/Members/{CallSid}.json with Url: the caller leaves the queue."""
        self.idempotent(
            f"dequeuing {call_sid}",
            lambda: self.client.queues(queue_sid).members(call_sid).update(url=url, method="POST"),
            MemberGone(f"{call_sid} is not in queue {queue_sid}"),
        )

    def idempotent(self, what: str, request: Any, gone: Exception) -> Any:
        """A request that may be repeated safely (an update): retried after a 5xx, 429 or a network
        failure with backoff; a 404 raises `gone`; another 4xx raises GatewayError at once."""
        for attempt in range(1, self.attempts + 1):
            try:
                return self._send(what, request)
            except TelephonyUnavailable:
                raise
            except TwilioRestException as exc:
                if exc.status == 404:
                    raise gone from exc
                if exc.status not in RETRYABLE_STATUSES or attempt == self.attempts:
                    raise GatewayError(f"Twilio answered {exc.status} (code {exc.code}) {what}") from exc
            except GatewayError:
                if attempt == self.attempts:
                    raise
            log.warning("%s: attempt %s failed; retrying", what, attempt)
            self.sleep(self.backoff * 2 ** (attempt - 1))
        raise GatewayError("unreachable")  # pragma: no cover - the loop returns or raises

    def create_call(self, to: str, from_: str, url: str, status_callback: str, timeout: int) -> str:
        """POST /Calls.json. Only a rate limit (429: not processed) is retried: after a 5xx or a timeout
        the call may exist, and a second one would ring twice. A 4xx refusal raises CallRefused."""
        for attempt in range(1, self.attempts + 1):
            try:
                call = self._send(
                    "creating a call",
                    lambda: self.client.calls.create(
                        to=to,
                        from_=from_,
                        url=url,
                        method="POST",
                        status_callback=status_callback,
                        status_callback_method="POST",
                        timeout=timeout,
                    ),
                )
                sid = str(call.sid or "")
                if not sid.startswith("CA"):
                    self._failed("malformed answer creating a call")
                    raise GatewayError("Twilio's answer creating a call has no call SID")
                return sid
            except TwilioRestException as exc:
                if 400 <= exc.status < 500 and exc.status != 429:
                    raise CallRefused(
                        f"Twilio refused the call: {exc.status} (code {exc.code})", exc.status, exc.code
                    ) from exc
                if exc.status != 429 or attempt == self.attempts:
                    raise GatewayError(f"Twilio answered {exc.status} (code {exc.code}) creating a call") from exc
            log.warning("create call to %s rate-limited (attempt %s); retrying", to[:12], attempt)
            self.sleep(self.backoff * 2 ** (attempt - 1))
        raise GatewayError("unreachable")  # pragma: no cover - the loop returns or raises

    def queue_members(self, queue_names: list[str]) -> list[QueueMember] | None:
        """GET /Queues.json, then each named queue's /Members.json (None when Twilio cannot tell)."""
        try:
            members = []
            queues = self._send("listing queues", lambda: list(self.client.queues.list(page_size=100)))
            for queue in queues:
                if queue.friendly_name not in queue_names:
                    continue
                listed = self._send(
                    "listing queue members",
                    lambda q=queue: list(self.client.queues(q.sid).members.list(page_size=1000)),
                )
                members += [
                    QueueMember(
                        str(queue.sid),
                        str(queue.friendly_name),
                        str(member.call_sid),
                        int(member.position or 0),
                        int(member.wait_time or 0),
                    )
                    for member in listed
                ]
            return members
        except (TwilioRestException, GatewayError) as exc:
            log.warning("could not list queue members: %s", exc)
            return None
        except MALFORMED as exc:
            self._failed("malformed queue member")
            log.warning("could not read queue members: %s", type(exc).__name__)
            return None

    def fetch_call(self, call_sid: str) -> RemoteCall | None:
        """GET /Calls/{Sid}.json; None on 404."""
        try:
            call = self._send(f"fetching {call_sid}", lambda: self.client.calls(call_sid).fetch())
        except TwilioRestException as exc:
            if exc.status == 404:
                return None
            raise GatewayError(f"Twilio answered {exc.status} (code {exc.code}) for {call_sid}") from exc
        try:
            duration = int(call.duration) if call.duration not in (None, "") else None
            status = str(call.status or "")
            ended_at = call.end_time if isinstance(call.end_time, datetime) else None
            remote = RemoteCall(status=status, duration=duration, ended_at=ended_at, from_=call._from, to=call.to)
        except MALFORMED as exc:
            self._failed(f"malformed call {call_sid}")
            raise GatewayError(f"Twilio's answer for {call_sid} could not be read: {type(exc).__name__}") from exc
        if not status or (duration is not None and duration < 0):
            self._failed(f"malformed call {call_sid}")
            raise GatewayError(f"Twilio's answer for {call_sid} has no usable status or duration")
        return remote
