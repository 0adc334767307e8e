"""Putting calls through: ringing agents, the dispatch trigger, reconciliation with Twilio, the stuck-agent sweep."""
