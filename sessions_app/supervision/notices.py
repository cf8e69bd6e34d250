"""The one notice of the supervision log: a supervisor hears that an entry naming them
awaits their confirmation. Low priority, so it joins their daily digest; it names
nobody and carries nothing of the entry but its id (sessions_app/notifications/
supervision_words.py writes its line). A notice not yet sent is dropped once it is
pointless: the entry was confirmed, changed supervisor, or was deleted."""

from datetime import datetime

from django.db.models import Q

from sessions_app.notifications.models import DUE_STATUSES, Notification, NotificationKind, NotificationStatus
from sessions_app.notifications.outbox import new_row, write
from sessions_app.notifications.planning import LOW
from sessions_app.supervision.models import SupervisionEntry


def confirmation_requested(*, entry: SupervisionEntry, now: datetime) -> int:
    """Tell the named supervisor (once per version of the entry)."""
    if entry.supervisor_id is None or entry.supervisor_id == entry.owner_id:
        return 0
    row = new_row(
        person=entry.supervisor,
        kind=NotificationKind.SUPERVISION_CONFIRM,
        priority=LOW,
        key_parts=("supervision_confirm", entry.public_id, entry.version),
        due_at=now,
        payload={"entry": entry.public_id},
        created_at=now,
        updated_at=now,
    )
    return write([row])


def confirmation_closed(*, entry_id: str, now: datetime, reason: str) -> int:
    """Whoever has not yet heard of the entry need not (digest items too)."""
    waiting = Q(status__in=DUE_STATUSES) | Q(status=NotificationStatus.MERGED, digest__status__in=DUE_STATUSES)
    return Notification.objects.filter(
        waiting, kind=NotificationKind.SUPERVISION_CONFIRM, payload__entry=entry_id
    ).update(status=NotificationStatus.DROPPED, reason=reason, updated_at=now)
