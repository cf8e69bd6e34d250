"""Writing the outbox: one ``Notification`` row per person and thing to tell, keyed
(``org:person:meeting:kind:…``) and inserted with ``ignore_conflicts``, so planning twice
is harmless. Urgent rows wake the dispatcher after the commit."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from sessions_app.meetings.models import DECLINED, Meeting, Rsvp, RsvpStatus
from sessions_app.meetings.selectors import meeting_audience
from sessions_app.notifications.dispatch import dispatch_notifications
from sessions_app.notifications.models import DUE_STATUSES, Notification, NotificationPriority, NotificationStatus

# Not going: declined, or waiting for a place.
NOT_GOING = (*DECLINED, RsvpStatus.WAITLISTED)


def key(*parts) -> str:
    return ":".join(str(part) for part in parts)


def new_row(
    *,
    person: Membership,
    kind: str,
    priority: str,
    key_parts: Iterable,
    due_at: datetime,
    meeting: Meeting | None = None,
    latest_useful_at: datetime | None = None,
    **extra,
) -> Notification:
    return Notification(
        organization_id=person.organization_id,
        recipient=person,
        kind=kind,
        priority=priority,
        meeting=meeting,
        idempotency_key=key(person.organization_id, person.pk, *key_parts),
        due_at=due_at,
        latest_useful_at=latest_useful_at,
        **extra,
    )


def write(rows: list[Notification]) -> int:
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if any(row.priority == NotificationPriority.URGENT for row in rows):
        _wake_dispatcher()
    return len(rows)


def _wake_dispatcher() -> None:
    # Urgent items should not wait for the next minute's sweep; the sweep stays the
    # guarantee if this wake-up call is lost with Redis.
    transaction.on_commit(lambda: dispatch_notifications.delay(), robust=True)


def drop_pending(meeting: Meeting, reason: str, *, kinds: Iterable[str] | None = None) -> int:
    pending = Notification.objects.filter(meeting=meeting, status__in=DUE_STATUSES)
    if kinds is not None:
        pending = pending.filter(kind__in=list(kinds))
    return pending.update(status=NotificationStatus.DROPPED, reason=reason, updated_at=timezone.now())


def _not_coming_ids(meeting: Meeting) -> set[int]:
    return set(Rsvp.objects.filter(meeting=meeting, status__in=NOT_GOING).values_list("membership_id", flat=True))


def audience(meeting: Meeting, *, exclude_not_coming: bool = True) -> list[Membership]:
    people = list(meeting_audience(meeting).select_related("user"))
    if exclude_not_coming:
        skip = _not_coming_ids(meeting)
        people = [person for person in people if person.pk not in skip]
    return people
