"""The one place where scheduling tells people about changes.

Services call ``meeting_changed`` inside their transaction. It works out who is
affected; the notification outbox (planned rows, attention policy, digest) hangs off
this function, so no service needs to know how people are told.
"""

import logging

from django.db.models import QuerySet

from accounts.models import Membership
from sessions_app.models import CohortMember, Meeting, MeetingInvitee, Rsvp, RsvpStatus

logger = logging.getLogger(__name__)

CHANGES = {"created", "updated", "cancelled", "promoted"}


def meeting_audience(meeting: Meeting) -> QuerySet[Membership]:
    """Everyone a meeting concerns: its invitees (invite-only meetings) or its cohort,
    less people who said they will not come (they need no reminders, but do hear of
    a change or cancellation — callers decide)."""
    if meeting.invite_only:
        ids = MeetingInvitee.objects.filter(meeting=meeting).values("membership_id")
    else:
        ids = CohortMember.objects.filter(cohort_id=meeting.cohort_id).values("membership_id")
    return Membership.objects.filter(pk__in=ids, is_active=True)


def meeting_changed(*, meeting: Meeting, change: str, people: list[Membership] | None = None) -> list[int]:
    """Record that ``meeting`` changed for ``people`` (default: its whole audience).

    Returns the membership ids to tell. Never logs names or anything a person wrote.
    """
    if change not in CHANGES:
        raise ValueError(f"unknown change {change!r}")
    if people is None:
        recipients = list(meeting_audience(meeting).values_list("pk", flat=True))
    else:
        recipients = [person.pk for person in people]
    logger.debug("meeting %s %s: %d people to tell", meeting.public_id, change, len(recipients))
    return recipients


def going_people(meeting: Meeting) -> QuerySet[Membership]:
    ids = Rsvp.objects.filter(meeting=meeting, status=RsvpStatus.GOING).values("membership_id")
    return Membership.objects.filter(pk__in=ids)
