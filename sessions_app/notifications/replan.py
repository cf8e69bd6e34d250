"""Bringing a person's queue in line with their attention settings after they changed.

``sessions_app.receivers`` runs ``person_replan`` when attention announces
``attention_settings_changed``, synchronously inside the transaction that saved them."""

from datetime import datetime

from accounts.models import Membership
from sessions_app.attention import budgets
from sessions_app.attention import policy as attention
from sessions_app.notifications import digests, reminders
from sessions_app.notifications.models import DUE_STATUSES, Notification, NotificationKind, NotificationStatus


def person_replan(*, membership: Membership, now: datetime) -> None:
    """Bring one person's queue in line with their current settings (zone, quiet hours,
    days off, lead times, digest time, leave), with a fixed number of queries:

    * reminders for their own meetings in the planning window are planned again (lead
      times removed are dropped, quiet time avoided, nothing planned while on leave);
    * anything the policy held back is due again now, to be decided under the new rules;
    * their waiting digests become one, at their next digest time.
    """
    Notification.objects.filter(recipient=membership, status=NotificationStatus.HELD).exclude(
        kind__in=[NotificationKind.REMINDER, NotificationKind.DIGEST]
    ).update(status=NotificationStatus.PENDING, due_at=now, reason="", updated_at=now)
    reminders.plan_person_reminders(membership=membership, now=now)
    _replan_digests(membership, now)


def _replan_digests(membership: Membership, now: datetime) -> None:
    waiting = list(
        Notification.objects.filter(recipient=membership, kind=NotificationKind.DIGEST, status__in=DUE_STATUSES)
    )
    if not waiting:
        return
    limits = budgets.effective_policy_for(membership)
    at = digests.digest_time(membership, limits, attention.next_digest_at(limits=limits, after=now), now)
    target = digests.digest_row(membership, at, now)
    others = [row.pk for row in waiting if row.pk != target.pk]
    Notification.objects.filter(digest_id__in=others).update(digest=target, updated_at=now)
    when = attention.clock(limits, at, now)
    Notification.objects.filter(pk__in=others).update(
        status=NotificationStatus.DROPPED,
        reason=f"Replaced by your digest at {when}: your settings changed.",
        updated_at=now,
    )
