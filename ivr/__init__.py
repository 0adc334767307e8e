"""What the caller hears: prompts, menu rules, TwiML builders and the Twilio webhooks."""

from .views import bp

__all__ = ["bp"]
