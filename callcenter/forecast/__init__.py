"""Staffing forecast: Erlang models, traffic profile, simulation."""
