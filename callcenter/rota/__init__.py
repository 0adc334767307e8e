"""Shifts, absences, overtime and holidays: who is on duty and active; the rota page and API."""
