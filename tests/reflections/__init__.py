"""Reflections: who may read them, sharing and anonymity, encryption at rest (sessions_app/reflections)."""
