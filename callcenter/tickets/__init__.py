"""The call and its ticket: call service, timeline, store, need-to-know, search, the call/audit API and pages."""
