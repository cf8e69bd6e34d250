"""Recurrence, series, meetings and RSVPs. Strategies: tests/strategies.py."""
