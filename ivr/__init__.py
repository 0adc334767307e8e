"""What the caller hears: prompts, menu rules, TwiML builders and the Twilio webhooks."""

from . import agent_calls, bridge, callbacks, views, voicemail  # noqa: F401 - each registers its webhooks on bp
from .routes import bp

__all__ = ["bp"]
