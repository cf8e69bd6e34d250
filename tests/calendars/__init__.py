"""ICS rendering and the calendar feeds (sessions_app/calendars)."""
