"""Event-driven dispatch: a round runs right after something that may pair a caller with an agent
(an agent becomes available, a caller joins a queue, a callback is booked or returned), in the
process that saw it, on a background thread so the webhook or page answers at once.

The scheduler's 2-second sweep (jobs.dispatch, leader only) stays as the safety net. Any process may
run a round: claims are compare-and-set in the database, so rounds in several processes at once
never give one call to two agents or two calls to one agent (tests/test_dispatch_race.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from flask import Flask, current_app

from callcenter.queue.callbacks import CallbackPolicy
from callcenter.queue.kick import kick_dispatch
from callcenter.routing.ringing import BackgroundRinger, RingService, RingUrls
from callcenter.tickets.calls import CallService
from callcenter.tickets.record import HotlineSettings
from models import db

log = logging.getLogger(__name__)


class DispatchTrigger:
    """Coalesces kicks: however many arrive while a round runs, one more round follows."""

    def __init__(self, app: Flask, round_: Callable[[], object], *, synchronous: bool = False) -> None:
        self.app = app
        self.round = round_
        self.synchronous = synchronous  # tests: run the round inline, deterministically
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def kick(self) -> None:
        """Ask for a round soon."""
        if self.synchronous:
            self._run_once()
            return
        self._wanted.set()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="dispatch-trigger", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while self._wanted.wait(timeout=60):
            self._wanted.clear()
            self._run_once()

    def _run_once(self) -> None:
        with self.app.app_context():
            try:
                self.round()
            except Exception:  # noqa: BLE001 - the sweep will try again; a round must not kill the thread
                db.session.rollback()
                log.exception("event-driven dispatch round failed")


def ring_service(*, background: bool = True) -> RingService:
    """The current app's ring service (its rings on the app's BackgroundRinger when it has one)."""
    config = current_app.config
    calls = CallService(db.session, current_app.extensions["clock"], HotlineSettings.from_config(config))
    ringer = current_app.extensions.get("ringer") if background else None
    conferences = current_app.extensions.get("conferences") if config.get("DESK_BRIDGE") == "conference" else None
    return RingService(
        calls,
        current_app.extensions["gateway"],
        current_app.extensions["ring_urls"](),
        CallbackPolicy.from_config(config),
        ringer,
        conferences,
        presence_timeout_seconds=int(config["PRESENCE_TIMEOUT_SECONDS"]),
        decline_reoffer_seconds=int(config["DECLINE_REOFFER_SECONDS"]),
    )


def dispatch_round() -> int:
    """One dispatch round in the current app (used by the trigger and by the scheduler's sweep)."""
    return len(ring_service().run())


class RingUrlsSource(Protocol):
    """What the voice channel provides (ivr.agent_calls.ring_urls): the URLs that ring an agent, for the
    current app. The domain never imports the channel: the app hands this in (`install`)."""

    def __call__(self) -> RingUrls: ...


def install(app: Flask, ring_urls: RingUrlsSource) -> None:
    """Give the app the voice channel's ring URLs, its trigger when DISPATCH_ON_EVENTS is on, and its
    background ringer when RING_IN_BACKGROUND is on (production and the demo; tests ring inline)."""
    app.extensions["ring_urls"] = ring_urls
    if app.config.get("RING_IN_BACKGROUND"):
        app.extensions["ringer"] = BackgroundRinger(
            app, lambda: ring_service(background=False), kick_dispatch, int(app.config.get("RING_WORKERS", 4))
        )
    if app.config.get("DISPATCH_ON_EVENTS"):
        app.extensions["dispatch_trigger"] = DispatchTrigger(
            app, dispatch_round, synchronous=bool(app.config.get("DISPATCH_SYNCHRONOUS"))
        )
