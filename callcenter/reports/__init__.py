"""Formulas, the abandonment/service/agents reports, roll-ups, the wallboard and the reports page."""
