"""The outbox keeps its history for NOTIFICATION_RETENTION_DAYS (issue 15): finished rows
older than that go in batches; anything that may still be sent stays."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from reflect import operations_settings
from sessions_app.notifications import retention, tasks
from sessions_app.notifications.models import Notification, NotificationStatus
from tests.factories import NotificationFactory, ReflectionFactory

pytestmark = [pytest.mark.attention, pytest.mark.django_db]

NOW = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=91)
RECENT = NOW - timedelta(days=89)


def _row(person, status: str, updated_at: datetime, **extra) -> Notification:
    with scope(organization=person.organization):
        return NotificationFactory(
            recipient=person, status=status, due_at=updated_at, updated_at=updated_at, created_at=updated_at, **extra
        )


def _left(person) -> set[str]:
    with scopes_disabled():
        return set(Notification.objects.filter(recipient=person).values_list("idempotency_key", flat=True))


def test_purge_deletes_only_old_finished_rows(cast, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 90
    old_finished = [_row(cast.bob, status, OLD) for status in ("sent", "merged", "dropped", "failed")]
    kept = [_row(cast.bob, status, OLD) for status in ("pending", "held", "sending")]
    kept += [_row(cast.bob, status, RECENT) for status in ("sent", "merged", "dropped", "failed")]
    with scope(organization=cast.org):
        deleted = retention.outbox_purge(now=NOW)
    assert deleted == len(old_finished)
    assert _left(cast.bob) == {row.idempotency_key for row in kept}


def test_purge_keeps_a_merged_row_whose_digest_is_still_to_go(cast, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 90
    digest = _row(cast.bob, "pending", OLD, kind="digest")
    waiting = _row(cast.bob, "merged", OLD, digest=digest)
    sent_digest = _row(cast.bob, "sent", OLD, kind="digest")
    gone = _row(cast.bob, "merged", OLD, digest=sent_digest)
    with scope(organization=cast.org):
        assert retention.outbox_purge(now=NOW) == 2
    assert _left(cast.bob) == {digest.idempotency_key, waiting.idempotency_key}
    assert gone.idempotency_key not in _left(cast.bob)


def test_purge_keeps_the_retention_warning_a_reflection_counts_from(cast, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 90
    notice = _row(cast.bob, "sent", OLD, kind="retention_warning")
    with scope(organization=cast.org):
        reflection = ReflectionFactory(author=cast.bob, retention_notice=notice)
        assert retention.outbox_purge(now=NOW) == 0
        reflection.refresh_from_db()
    assert reflection.retention_notice_id == notice.pk


def test_purge_unlinks_a_recent_row_from_an_old_digest(cast, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 90
    old_digest = _row(cast.bob, "sent", OLD, kind="digest")
    item = _row(cast.bob, "merged", RECENT, digest=old_digest)
    with scope(organization=cast.org):
        assert retention.outbox_purge(now=NOW) == 1
        item.refresh_from_db()
    assert item.digest_id is None
    assert item.status == NotificationStatus.MERGED


def test_purge_works_in_batches_and_is_idempotent(cast, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 90
    for _ in range(5):
        _row(cast.bob, "sent", OLD)
    with scope(organization=cast.org), CaptureQueriesContext(connection) as queries:
        assert retention.outbox_purge(now=NOW, batch_size=2) == 5
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 2 + 2 + 1, each in its own transaction
    with scope(organization=cast.org):
        assert retention.outbox_purge(now=NOW, batch_size=2) == 0
    assert _left(cast.bob) == set()


def test_purge_in_one_organisation_leaves_another_alone(cast, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 90
    _row(cast.bob, "sent", OLD)
    theirs = _row(cast.charlie, "sent", OLD)
    with scope(organization=cast.org):
        assert retention.outbox_purge(now=NOW) == 1
    assert _left(cast.charlie) == {theirs.idempotency_key}


def test_daily_task_purges_every_organisation(cast, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 90
    _row(cast.bob, "sent", OLD)
    _row(cast.charlie, "dropped", OLD)
    recent = _row(cast.charlie, "sent", RECENT)
    with time_machine.travel(NOW, tick=False):
        tasks.purge_old_notifications()
    assert _left(cast.bob) == set()
    assert _left(cast.charlie) == {recent.idempotency_key}
    assert settings.CELERY_BEAT_SCHEDULE["purge-old-notifications"] == {
        "task": "sessions_app.purge_old_notifications",
        "schedule": 24 * 3600.0,
    }


def test_retention_shorter_than_the_ledger_and_caps_is_refused(monkeypatch):
    monkeypatch.setenv("NOTIFICATION_RETENTION_DAYS", "14")
    with pytest.raises(ImproperlyConfigured, match="at least 30"):
        importlib.reload(operations_settings)
    monkeypatch.delenv("NOTIFICATION_RETENTION_DAYS")
    importlib.reload(operations_settings)
    assert operations_settings.NOTIFICATION_RETENTION_DAYS == 90


def test_ledger_says_how_far_back_the_record_goes(client, cast, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 120
    client.force_login(cast.bob.user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("ledger", kwargs={"org_slug": cast.org.slug}))
    assert "Reflect keeps this record for 120 days, then deletes it." in response.content.decode()
