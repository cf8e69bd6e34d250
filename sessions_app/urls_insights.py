"""Insights (k-anonymous aggregates) and session evaluations; mounted under /o/<org_slug>/."""

urlpatterns: list = []
