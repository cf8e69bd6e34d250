"""Aggregates above k: cohort insights, evaluations, the message distribution (sessions_app/insights)."""
