"""The attention policy, budgets, settings and meeting load (sessions_app/attention), and the
model test of everything a person receives. Strategies: tests/strategies.py."""
