"""The call center: call records and tickets, users and roles, announcements, the JSON API."""
