"""The readiness check (/healthz/ready, issue 15): 503 when the dispatcher has stalled,
the broker is down or the database is gone; 200 with a small JSON otherwise."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError
from django_scopes import scope

from sessions_app.notifications import health
from tests.factories import NotificationFactory
from tests.services import free_port

pytestmark = [pytest.mark.attention, pytest.mark.django_db]

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _due(person, minutes_ago: int, status: str = "pending"):
    with scope(organization=person.organization):
        return NotificationFactory(recipient=person, status=status, due_at=NOW - timedelta(minutes=minutes_ago))


def _ready(client) -> tuple[int, dict]:
    with time_machine.travel(NOW, tick=False):
        response = client.get("/healthz/ready")
    return response.status_code, response.json()


def test_ready_is_200_when_delivery_keeps_up(client, cast):
    _due(cast.bob, minutes_ago=2)
    _due(cast.charlie, minutes_ago=600, status="sent")  # finished rows do not count
    _due(cast.charlie, minutes_ago=-30)  # nor rows due later
    status, body = _ready(client)
    assert (status, body) == (
        200,
        {"status": "ok", "database": "ok", "broker": "ok", "dispatcher": "ok", "oldest_due_seconds": 120},
    )


def test_ready_reports_a_stalled_dispatcher(client, cast, settings):
    settings.HEALTH_DISPATCH_STALL_MINUTES = 10
    _due(cast.bob, minutes_ago=5)
    _due(cast.charlie, minutes_ago=30, status="held")
    status, body = _ready(client)
    assert status == 503
    assert body == {
        "status": "fail",
        "database": "ok",
        "broker": "ok",
        "dispatcher": "stalled",
        "oldest_due_seconds": 1800,
    }


@pytest.mark.security
def test_ready_needs_no_sign_in_and_names_no_organisation_or_person(client, cast):
    _due(cast.bob, minutes_ago=30)
    status, body = _ready(client)
    text = str(body).lower()
    assert status == 503
    assert set(body) == {"status", "database", "broker", "dispatcher", "oldest_due_seconds"}
    assert not any(word in text for word in ("st-elsewhere", "elsewhere", "bob", "promotion", cast.org.name.lower()))


def test_ready_is_503_when_the_database_is_gone(client, monkeypatch):
    def unreachable(now):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(health, "oldest_due_at", unreachable)
    status, body = _ready(client)
    assert (status, body) == (503, {"status": "fail", "database": "down", "broker": "ok", "dispatcher": "unknown"})


def test_ready_is_503_when_redis_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.HEALTH_BROKER_TIMEOUT_SECONDS = 1
    status, body = _ready(client)
    assert (status, body["broker"], body["status"]) == (503, "down", "fail")


def test_ready_checks_the_embedded_broker_folder(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "broker")}
    assert _ready(client)[1]["broker"] == "down"  # the folder was never made
    (tmp_path / "broker").mkdir()
    assert _ready(client) == (
        200,
        {"status": "ok", "database": "ok", "broker": "ok", "dispatcher": "ok", "oldest_due_seconds": 0},
    )
