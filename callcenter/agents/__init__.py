"""Agent states, wrap-up, the softphone and its desk view, the People page, API and CLI."""
