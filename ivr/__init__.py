"""What the caller hears: prompts, menu rules, TwiML builders and the Twilio webhooks."""

from . import agent_calls  # noqa: F401 - registers the agent webhooks on bp
from .views import bp

__all__ = ["bp"]
