"""What the caller hears: prompts, menu rules, TwiML builders and the Twilio webhooks."""

from . import agent_calls, callbacks  # noqa: F401 - registers the agent and callback webhooks on bp
from .views import bp

__all__ = ["bp"]
