"""Scheduling tests (strategies: tests/strategies.py)."""
