"""Cohorts and their members: joining and leaving."""
