"""Incident announcements the IVR plays before the menu, and their API."""
