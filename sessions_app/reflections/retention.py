"""Retention: reflections older than their organisation's period are deleted unless
their author chose to keep them (``Reflection.pinned``) — and never without warning.

The cycle, run daily by ``tasks.purge_expired_reflections``:

1. ``plan_retention_warnings``: ``WARNING_AHEAD`` (30 days) before a reflection expires,
   its author is sent one low-priority notice through the outbox (so the attention
   policy decides when: usually the digest). One notice covers everything of theirs
   that expires within ``BATCH_SPAN`` after that too, so a person hears about retention
   at most about once a month. It says how many and from when, with links to keep and
   to export; never a title or a word of what they wrote. Each covered reflection points
   at its notice (``Reflection.retention_notice``).
2. ``reflections_purge_expired`` deletes an expired, unpinned reflection only when its
   notice has an outcome in the person's ledger, at least ``GRACE`` (30 days) ago:
   sent (alone or in a digest), or not sent with the policy's reason (dropped: on leave,
   no longer a member, account switched off). A notice that *failed* (the mail server
   refused it) does not count: it is re-planned the next day. A reflection kept in the
   meantime is never deleted; keeping one forgets its notice, so one stopped being kept
   later is warned again before it goes.
3. The purge records one audit event per organisation with counts only.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Count, Min, Q

from accounts.audit import AuditAction, record
from accounts.models import Membership, Organization
from sessions_app.notifications import planning
from sessions_app.notifications.models import Notification, NotificationStatus
from sessions_app.reflections.models import Reflection

WARNING_AHEAD = timedelta(days=30)  # the author is told this long before a reflection expires
BATCH_SPAN = timedelta(days=30)  # one notice also covers what expires this long after
GRACE = timedelta(days=30)  # and nothing goes until this long after the notice's outcome


def expiry_cutoff(organization: Organization, at: datetime) -> datetime | None:
    """Reflections written before this have expired at ``at``; None: kept forever."""
    months = organization.reflection_retention_months
    if months is None:
        return None
    # Calendar months, so "36 months" ends on the same day of the month three years on
    # (relativedelta clamps 31 March minus one month to 28/29 February).
    return at - relativedelta(months=months)


# --- 1. Warning ---------------------------------------------------------------------


def plan_retention_warnings(*, organization: Organization, now: datetime) -> int:
    """Plan (or extend) one notice per author with unkept reflections expiring within
    ``WARNING_AHEAD``; return how many notices were planned or extended. Idempotent. In scope."""
    soon = expiry_cutoff(organization, now + WARNING_AHEAD)
    if soon is None:
        return 0
    _forget_failed_notices(organization)
    unwarned = Reflection.objects.filter(organization=organization, pinned=False, retention_notice__isnull=True)
    authors = unwarned.filter(created_at__lt=soon).values_list("author_id", flat=True).distinct()
    later = expiry_cutoff(organization, now + WARNING_AHEAD + BATCH_SPAN)
    planned = 0
    for author in Membership.objects.filter(pk__in=list(authors)).select_related("organization"):
        with transaction.atomic():
            notice = planning.retention_notice(person=author, now=now)
            unwarned.filter(author=author, created_at__lt=later).update(retention_notice=notice)
            _describe(notice, organization)
        planned += 1
    return planned


def _forget_failed_notices(organization: Organization) -> None:
    """A notice the mail server refused told nobody anything: plan another."""
    failed = Q(retention_notice__status=NotificationStatus.FAILED) | Q(
        retention_notice__status=NotificationStatus.MERGED,
        retention_notice__digest__status=NotificationStatus.FAILED,
    )
    Reflection.objects.filter(failed, organization=organization).update(retention_notice=None)


def _describe(notice: Notification, organization: Organization) -> None:
    """The notice's payload, from what is linked to it now: how many, and the earliest
    day one may go (its own expiry, or the end of the grace period if that is later)."""
    facts = Reflection.objects.filter(retention_notice=notice, pinned=False).aggregate(
        count=Count("pk"), first=Min("created_at")
    )
    first_expiry = facts["first"] + relativedelta(months=organization.reflection_retention_months)
    planning.describe_retention_notice(
        notice, count=facts["count"], not_before=max(first_expiry, notice.due_at + GRACE)
    )


# --- 2. Deletion --------------------------------------------------------------------


def told_before(moment: datetime) -> Q:
    """Reflections whose notice has an outcome in the ledger from before ``moment``:
    sent alone, sent in a digest, or recorded as not sent with the policy's reason."""
    sent = Q(retention_notice__status=NotificationStatus.SENT, retention_notice__sent_at__lte=moment)
    in_digest = Q(
        retention_notice__status=NotificationStatus.MERGED,
        retention_notice__digest__status=NotificationStatus.SENT,
        retention_notice__digest__sent_at__lte=moment,
    )
    dropped = Q(retention_notice__status=NotificationStatus.DROPPED, retention_notice__updated_at__lte=moment)
    return sent | in_digest | dropped


@dataclass(frozen=True)
class Purged:
    deleted: int = 0
    authors: int = 0
    waiting_for_notice: int = 0  # expired, unkept, but not told (long enough ago) yet
    kept: int = 0  # expired, kept by their authors


def reflections_purge_expired(*, organization: Organization, now: datetime) -> Purged:
    """Delete the organisation's expired, unkept reflections whose authors were told at
    least ``GRACE`` ago; audit the counts. No period (``None``) keeps everything. In scope."""
    cutoff = expiry_cutoff(organization, now)
    if cutoff is None:
        return Purged()
    expired = Reflection.objects.filter(organization=organization, created_at__lt=cutoff)
    due = expired.filter(told_before(now - GRACE), pinned=False)
    with transaction.atomic():
        authors = due.values("author_id").distinct().count()
        _, deleted = Reflection.objects.filter(pk__in=list(due.values_list("pk", flat=True))).delete()
        result = Purged(
            deleted=deleted.get(Reflection._meta.label, 0),
            authors=authors,
            waiting_for_notice=expired.filter(pinned=False).count(),
            kept=expired.filter(pinned=True).count(),
        )
        if result.deleted:
            _audit(organization, result)
    return result


def _audit(organization: Organization, result: Purged) -> None:
    # Counts only: which reflections went, and what they said, is nobody's record.
    record(
        organization=organization,
        actor=None,
        action=AuditAction.REFLECTIONS_PURGED,
        changes={
            "deleted": result.deleted,
            "authors": result.authors,
            "waiting_for_notice": result.waiting_for_notice,
            "kept": result.kept,
            "retention_months": organization.reflection_retention_months,
        },
    )
