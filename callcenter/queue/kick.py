"""Ask for a dispatch round now: what a page, a webhook or a state change calls after a commit that may
pair a caller with an agent. The routing package installs the round (`routing.trigger.install`); an app
without event-driven dispatch leaves it to the scheduler's sweep."""

from __future__ import annotations

from flask import current_app


def kick_dispatch() -> None:
    """Ask for a dispatch round now, when this app runs event-driven dispatch (after a commit)."""
    trigger = current_app.extensions.get("dispatch_trigger")
    if trigger is not None:
        trigger.kick()
