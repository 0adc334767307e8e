"""Users, roles, server-side page sessions, API auth (bearer or the pages' session), login throttling."""
