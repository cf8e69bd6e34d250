"""The project's own Celery app for ``celery -A tests.chaos.beat_app beat``, with the
outbox sweep every ``CHAOS_SWEEP_SECONDS`` instead of every 60 s.

Only the interval changes: the task, the broker and the scheduler (django-celery-beat's
``DatabaseScheduler``, as in production) come from ``reflect/settings.py`` untouched.
The other periodic tasks are left out so that the chaos tests watch the sweep alone.
"""

import os

from reflect.celery import app

app.conf.beat_schedule = {
    "dispatch-notifications": {
        "task": "sessions_app.dispatch_notifications",
        "schedule": float(os.environ.get("CHAOS_SWEEP_SECONDS", "1")),
    },
}

__all__ = ["app"]
