"""The readiness check against a real Redis broker that stops answering (issue 15)."""

from datetime import UTC, datetime

import pytest
import time_machine

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _ready(client) -> tuple[int, dict]:
    with time_machine.travel(NOW, tick=False):
        response = client.get("/healthz/ready")
    return response.status_code, response.json()


def test_ready_follows_the_broker_going_down_and_coming_back(client, redis, settings):
    settings.CELERY_BROKER_URL = redis.url
    settings.HEALTH_BROKER_TIMEOUT_SECONDS = 1
    healthy = {"status": "ok", "database": "ok", "broker": "ok", "dispatcher": "ok", "oldest_due_seconds": 0}
    assert _ready(client) == (200, healthy)
    redis.stop()
    try:
        assert _ready(client) == (503, {**healthy, "status": "fail", "broker": "down"})
    finally:
        redis.start()  # the session's server, for the tests after this one
    assert _ready(client) == (200, healthy)
