"""The local telephony sandbox: dial the hotline from a browser or the command line, no Twilio needed.

It must never run in production: `create_app` refuses to register it there.
"""

from __future__ import annotations

from flask import Flask

from .call import SandboxCall
from .engine import MemberNotFound, NotRinging, SandboxSettings, SandboxSwitch
from .transport import WsgiTransport

__all__ = ["MemberNotFound", "NotRinging", "SandboxCall", "SandboxSettings", "SandboxSwitch", "install"]


def install(app: Flask) -> SandboxSwitch:
    """Create the app's sandbox switch (signing with the app's auth token) and its pages."""
    from . import mail  # noqa: F401 - the "write to the hotline" page's routes, on the same blueprint
    from .views import bp

    config = app.config
    base = config["PUBLIC_BASE_URL"].rstrip("/")
    settings = SandboxSettings(
        voice_url=f"{base}/ivr/incoming",
        status_callback_url=f"{base}/ivr/status",
        account_sid=config["TWILIO_ACCOUNT_SID"] or "AC" + "0" * 32,
        play_seconds=float(config["HOLD_MUSIC_SECONDS"]),
        connect_url=f"{base}/ivr/queue/connect",
        recordings_base_url=f"{base}/sandbox/recordings",
    )
    switch = SandboxSwitch(settings, WsgiTransport(app, config["TWILIO_AUTH_TOKEN"], base), app.extensions["clock"])
    app.extensions["sandbox"] = switch
    app.register_blueprint(bp)
    return switch
