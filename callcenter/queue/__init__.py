"""Queue order and offers (dispatch), callbacks, the wait estimate, and `kick_dispatch`."""
