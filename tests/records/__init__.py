"""Certificates of attendance and leaders' logs (sessions_app/records, issue 13)."""
