"""The one place where scheduling tells people about changes.

Cohorts and meetings never import notifications: they send the signals of
``cohorts.signals`` and ``meetings.signals`` inside their transaction, and the receivers
here (connected by ``connect``, from ``SessionsAppConfig.ready``) have the outbox planned
(``notifications.planning``) or cleared in that same transaction. No service needs to
know how people are told.
"""

import logging
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership
from sessions_app.cohorts import signals as cohort_signals
from sessions_app.cohorts.models import Cohort
from sessions_app.meetings import signals as meeting_signals
from sessions_app.meetings.models import Meeting, Series
from sessions_app.notifications import join_notices, planning
from sessions_app.notifications.models import DUE_STATUSES, Notification, NotificationStatus

logger = logging.getLogger(__name__)


def meeting_changed(
    sender=None,
    *,
    meeting: Meeting,
    change: str,
    people: list[Membership] | None = None,
    now: datetime | None = None,
    actor: Membership | None = None,
    **kwargs,
) -> int:
    """Plan what ``change`` to ``meeting`` means for ``people`` (default: its audience),
    leaving out ``actor``, who made the change.

    Returns how many notifications were planned. Never logs names or anything a person wrote.
    """
    if change not in meeting_signals.CHANGES:
        raise ValueError(f"unknown change {change!r}")
    now = now or timezone.now()
    if change == "created":
        planned = planning.plan_meeting_created(meeting=meeting, now=now, actor=actor)
    elif change == "updated":
        planned = planning.plan_meeting_updated(meeting=meeting, now=now, actor=actor)
    elif change == "cancelled":
        planned = planning.plan_meetings_cancelled(meetings=[meeting], now=now, actor=actor)
    else:
        planned = planning.plan_meeting_promoted(meeting=meeting, people=people or [], now=now)
    logger.debug("meeting %s %s: %d notifications planned", meeting.public_id, change, planned)
    return planned


def meetings_cancelled(
    sender=None, *, meetings: list[Meeting], now: datetime, actor: Membership | None = None, **kwargs
) -> int:
    """One cancellation of several meetings ("this and all following"): one message per person."""
    planned = planning.plan_meetings_cancelled(meetings=meetings, now=now, actor=actor)
    logger.debug("%d meetings cancelled together: %d notifications planned", len(meetings), planned)
    return planned


def series_created(sender=None, *, series: Series, now: datetime, actor: Membership | None = None, **kwargs) -> int:
    return planning.plan_series_created(series=series, now=now, actor=actor)


def video_link_arrived(sender=None, *, meeting: Meeting, now: datetime, **kwargs) -> int:
    """A provider's link arrived after the meeting was planned. What is still waiting to go
    out shows the meeting as it is when sent, link included, so nobody needs a second
    message; only where something about it already went out does an update follow, through
    the normal change notice (the new SEQUENCE replaces the calendar entry)."""
    already_told = Notification.objects.filter(meeting=meeting, status=NotificationStatus.SENT).exists()
    return planning.plan_meeting_updated(meeting=meeting, now=now) if already_told else 0


def rsvp_changed(sender=None, *, meeting: Meeting, membership: Membership, status: str, now: datetime, **kwargs) -> int:
    return planning.plan_rsvp_change(meeting=meeting, membership=membership, status=status, now=now)


def panellist_added(sender=None, *, meeting: Meeting, membership: Membership, now: datetime, **kwargs) -> int:
    return planning.plan_panellist_added(meeting=meeting, membership=membership, now=now)


def panellist_removed(sender=None, *, meeting: Meeting, membership: Membership, now: datetime, **kwargs) -> int:
    return planning.plan_panellist_removed(meeting=meeting, membership=membership, now=now)


def member_leaving(sender=None, *, membership: Membership, cohort: Cohort | None, now: datetime, **kwargs) -> int:
    """Nothing still waiting goes out to someone who left a cohort (about its meetings) or
    the organisation (about anything), digest items included."""
    if cohort is None:
        reason = f"Not sent: you are no longer a member of {membership.organization.name}."
        return _drop_owed(membership, Q(), reason, now)
    return _drop_owed(membership, Q(meeting__cohort=cohort), f"Not sent: you left {cohort.name}.", now)


def cohort_archived(sender=None, *, cohort: Cohort, now: datetime, **kwargs) -> int:
    """As when someone leaves, nothing still waiting about an archived cohort's meetings
    goes out (the dispatcher's re-check would stop it too; this says why in each ledger)."""
    return _drop_waiting(Q(meeting__cohort=cohort), f"Not sent: {cohort.name} was archived.", now)


def _drop_owed(membership: Membership, about: Q, reason: str, now: datetime) -> int:
    return _drop_waiting(Q(recipient=membership) & about, reason, now)


def _drop_waiting(about: Q, reason: str, now: datetime) -> int:
    """Drop what is still waiting to go out: due rows, and items merged into a digest
    that has not gone out yet (a digest left empty is dropped when it falls due)."""
    waiting = Q(status__in=DUE_STATUSES) | Q(status=NotificationStatus.MERGED, digest__status__in=DUE_STATUSES)
    return Notification.objects.filter(waiting, about).update(
        status=NotificationStatus.DROPPED, reason=reason, updated_at=now
    )


def connect() -> None:
    """Connect the receivers above (called once, from ``SessionsAppConfig.ready``)."""
    pairs = [
        (meeting_signals.meeting_changed, meeting_changed),
        (meeting_signals.meetings_cancelled, meetings_cancelled),
        (meeting_signals.series_created, series_created),
        (meeting_signals.rsvp_changed, rsvp_changed),
        (meeting_signals.panellist_added, panellist_added),
        (meeting_signals.panellist_removed, panellist_removed),
        (meeting_signals.video_link_arrived, video_link_arrived),
        (cohort_signals.member_leaving, member_leaving),
        (cohort_signals.cohort_archived, cohort_archived),
        (cohort_signals.join_requested, join_notices.join_requested),
        (cohort_signals.join_request_closed, join_notices.join_request_closed),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, weak=False, dispatch_uid=f"sessions_app.notify.{receiver.__name__}")
