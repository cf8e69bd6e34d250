"""Reads of the outbox: a person's ledger and their recent notices."""

from datetime import datetime, timedelta

from django.db.models import Q

from accounts.models import Membership
from sessions_app.notifications.models import Notification, NotificationKind, NotificationStatus


def ledger_rows(membership: Membership, *, since: datetime) -> list:
    """Every notification for this person since ``since``, newest first, each with
    ``shown_at``: when it was sent, or when it is (or was) due."""
    rows = (
        Notification.objects.filter(recipient=membership)
        .filter(Q(sent_at__gte=since) | Q(sent_at=None, due_at__gte=since))
        .exclude(status=NotificationStatus.SENDING)
        .select_related("meeting__cohort", "meeting__series")  # display_title reads the series
    )
    for row in rows:
        row.shown_at = row.sent_at or row.due_at
    return sorted(rows, key=lambda row: row.shown_at, reverse=True)


def interruptions_since(membership: Membership, *, since: datetime) -> int:
    return (
        Notification.objects.filter(recipient=membership, status=NotificationStatus.SENT, sent_at__gte=since)
        .exclude(kind=NotificationKind.DIGEST)
        .count()
    )


def interruptions_among(rows: list[Notification], *, since: datetime) -> int:
    """``interruptions_since`` counted in rows already read (``ledger_rows`` from ``since`` or
    earlier), so the ledger page need not ask the database again."""
    return sum(
        1
        for row in rows
        if row.status == NotificationStatus.SENT and row.sent_at >= since and row.kind != NotificationKind.DIGEST
    )


def recent_notices(membership: Membership, *, now: datetime, limit: int = 5) -> list[Notification]:
    """In-app notices: what was sent or gathered for the digest in the last three days."""
    return list(
        Notification.objects.filter(
            recipient=membership,
            status__in=[NotificationStatus.SENT, NotificationStatus.MERGED],
            updated_at__gte=now - timedelta(days=3),
        )
        .exclude(kind=NotificationKind.DIGEST)
        .select_related("meeting__cohort", "meeting__series")  # display_title reads the series
        .order_by("-updated_at")[:limit]
    )


# --- Reflections: who may read what --------------------------------------------------
