"""A person's digest: when the next one goes (at most one a local day) and the row that
collects what is merged into it."""

from datetime import datetime, timedelta

from accounts.models import Membership
from sessions_app.attention import policy
from sessions_app.notifications.models import Notification, NotificationKind, NotificationStatus

WEEK_AGO = timedelta(days=7)


def digest_time(recipient: Membership, limits: policy.Limits, at: datetime, now: datetime) -> datetime:
    """``at``, unless the person already had a digest that (local) day: then the next one.
    At most one digest a day, even after a change of zone or digest time."""
    zone = limits.zone
    sent_days = {
        moment.astimezone(zone).date()
        for moment in Notification.objects.filter(
            recipient=recipient,
            kind=NotificationKind.DIGEST,
            status=NotificationStatus.SENT,
            sent_at__gte=now - WEEK_AGO,
        ).values_list("sent_at", flat=True)
    }
    if at.astimezone(zone).date() not in sent_days:
        return at
    return policy.next_digest_at(limits=limits, after=now, skip_days=sent_days)


def digest_row(recipient: Membership, at: datetime, now: datetime) -> Notification:
    """The person's digest at ``at``, created the first time something is merged into it."""
    key = f"{recipient.organization_id}:{recipient.pk}:digest:{at:%Y%m%dT%H%M}"
    digest, _ = Notification.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "organization_id": recipient.organization_id,
            "recipient": recipient,
            "kind": NotificationKind.DIGEST,
            "priority": policy.Priority.LOW,
            "due_at": at,
            "created_at": now,
            "updated_at": now,
        },
    )
    if digest.status == NotificationStatus.DROPPED:  # replaced once, wanted again: it waits again
        digest.status, digest.reason, digest.updated_at = NotificationStatus.PENDING, "", now
        digest.save(update_fields=["status", "reason", "updated_at"])
    return digest
