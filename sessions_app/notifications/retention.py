"""Keeping the outbox bounded: finished rows go once they are older than
``NOTIFICATION_RETENTION_DAYS``, a few thousand per transaction.

Only rows nothing more will happen to (``FINISHED_STATUSES``) are deleted, by when they
were last changed; a row still waiting, held or being sent stays whatever its age. A
merged row stays while the digest it waits for is still to go, so the digest can say
what it gathered. Retention warnings stay too: a reflection points at the notice that
told its author it is due for deletion (reflections/retention.py), and that deletion
counts from it. Each batch is its own short transaction and skips rows another
transaction holds, so the dispatcher is never kept waiting behind the purge.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from sessions_app.notifications.models import (
    DUE_STATUSES,
    FINISHED_STATUSES,
    Notification,
    NotificationKind,
    NotificationStatus,
)


def retention_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)


def _expired(now: datetime):
    digest_still_due = Q(
        status=NotificationStatus.MERGED, digest__status__in=(*DUE_STATUSES, NotificationStatus.SENDING)
    )
    return (
        Notification.objects.filter(status__in=FINISHED_STATUSES, updated_at__lt=retention_cutoff(now))
        .exclude(digest_still_due)
        .exclude(kind=NotificationKind.RETENTION_WARNING)
        .order_by()
    )


def outbox_purge_batch(*, now: datetime, batch_size: int) -> int:
    """Delete at most ``batch_size`` expired rows of the current organisation in one
    transaction; the number deleted."""
    with transaction.atomic():
        expired = _expired(now)
        if connection.features.has_select_for_update_skip_locked:
            expired = expired.select_for_update(skip_locked=True, of=("self",))
        ids = list(expired.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return 0
        # A digest going before the rows merged into it (both expired, or only the
        # digest): those rows lose the link, as the model's SET_NULL says.
        Notification.objects.filter(digest_id__in=ids).exclude(pk__in=ids).update(digest=None)
        return _delete_rows(ids)


def _delete_rows(ids: list[int]) -> int:
    # One plain DELETE by primary key: the ORM's delete() would first load every row to
    # look for related rows, and the only relation (merged_items) was unlinked above.
    table = connection.ops.quote_name(Notification._meta.db_table)
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({placeholders})", ids)  # noqa: S608 - our table name
        return cursor.rowcount


def outbox_purge(*, now: datetime, batch_size: int | None = None) -> int:
    """Delete every expired row of the current organisation, batch by batch; the number
    deleted. Safe to run again at once: the second run finds nothing."""
    batch_size = batch_size or settings.NOTIFICATION_RETENTION_BATCH
    total = 0
    while True:
        deleted = outbox_purge_batch(now=now, batch_size=batch_size)
        total += deleted
        if deleted < batch_size:
            return total
