"""Attention policy, outbox and dispatch tests (strategies: tests/strategies.py)."""
