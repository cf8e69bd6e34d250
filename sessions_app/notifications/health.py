"""The readiness check for monitoring (``/healthz/ready``): is the database answering, is
the broker answering, and is the dispatcher keeping up with the outbox?

``/healthz`` stays the cheap liveness check (no database at all). This one costs one
indexed query (the oldest due row, through the dispatcher's partial index) and one
broker ping with a short timeout. It needs no sign-in and says nothing about any
organisation or person: only "ok" or what is wrong, and how long the oldest due
notification has waited, in seconds.
"""

import os
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_scopes import scopes_disabled
from redis import Redis
from redis.exceptions import RedisError

from sessions_app.notifications.models import DUE_STATUSES, Notification


def oldest_due_at(now: datetime) -> datetime | None:
    """When the longest-waiting due notification fell due, in any organisation."""
    # A site-wide figure for the operator, read like the sweep reads the outbox: across
    # organisations, and only the time leaves this function.
    with scopes_disabled():
        due = Notification.objects.filter(status__in=DUE_STATUSES, due_at__lte=now).order_by("due_at")
        return due.values_list("due_at", flat=True).first()


def broker_ok(url: str) -> bool:
    """Redis: a PING within HEALTH_BROKER_TIMEOUT_SECONDS. The embedded filesystem
    broker: its folder exists and this process may write to it."""
    if url.startswith(("redis://", "rediss://")):
        timeout = settings.HEALTH_BROKER_TIMEOUT_SECONDS
        client = Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            return bool(client.ping())
        except (RedisError, OSError):
            return False
        finally:
            client.close()
    folder = Path(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("data_folder_in", ""))
    return url == "filesystem://" and folder.is_dir() and os.access(folder, os.W_OK)


@never_cache
@require_GET
def ready(request):
    now = timezone.now()
    body = {"database": "ok", "broker": "ok", "dispatcher": "ok"}
    try:
        oldest = oldest_due_at(now)
    except DatabaseError:
        body["database"], body["dispatcher"] = "down", "unknown"
    else:
        waited = int((now - oldest).total_seconds()) if oldest else 0  # nothing due: nothing waits
        body["oldest_due_seconds"] = waited
        if waited > settings.HEALTH_DISPATCH_STALL_MINUTES * 60:
            body["dispatcher"] = "stalled"
    if not broker_ok(settings.CELERY_BROKER_URL):
        body["broker"] = "down"
    healthy = all(body[name] == "ok" for name in ("database", "broker", "dispatcher"))
    body["status"] = "ok" if healthy else "fail"
    return JsonResponse(body, status=200 if healthy else 503)
