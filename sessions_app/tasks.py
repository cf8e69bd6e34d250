"""Celery autodiscovers ``sessions_app.tasks``: this module imports each package's tasks
so that the worker registers them, and nothing else. Each task keeps the name it was
first registered under (``sessions_app.<task>``), which beat's schedule and queued
messages refer to; import a task from its package, not from here."""

from sessions_app.imports import tasks as imports_tasks  # noqa: F401
from sessions_app.meetings import tasks as meetings_tasks  # noqa: F401
from sessions_app.notifications import tasks as notifications_tasks  # noqa: F401
from sessions_app.reflections import tasks as reflections_tasks  # noqa: F401
from sessions_app.video import sync as video_sync  # noqa: F401
