"""Reads for cohorts and meetings. Every ``access_*`` helper answers 404 both for
objects that do not exist and for objects this person may not see."""

from datetime import datetime

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import Membership
from sessions_app.models import (
    Cohort,
    CohortMember,
    CohortRole,
    Meeting,
    MeetingInvitee,
    MeetingStatus,
    Rsvp,
    RsvpStatus,
)


def visible_cohorts(membership: Membership) -> QuerySet[Cohort]:
    """Admins see every cohort of the organisation; everyone else the cohorts they are in."""
    cohorts = Cohort.objects.filter(organization_id=membership.organization_id, archived_at=None)
    if membership.is_admin:
        return cohorts
    return cohorts.filter(members__membership=membership)


def access_cohort(membership: Membership, cohort_id: str) -> Cohort:
    cohort = visible_cohorts(membership).filter(public_id=cohort_id).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def cohort_member_of(cohort: Cohort, membership: Membership) -> CohortMember | None:
    return CohortMember.objects.filter(cohort=cohort, membership=membership).select_related("cohort").first()


def can_manage_cohort(membership: Membership, cohort: Cohort) -> bool:
    """Organisation admins and the cohort's own facilitators run a cohort."""
    if membership.is_admin:
        return True
    return CohortMember.objects.filter(cohort=cohort, membership=membership, role=CohortRole.FACILITATOR).exists()


def visible_meetings(membership: Membership) -> QuerySet[Meeting]:
    """Meetings of visible cohorts; invite-only ones (hot debriefs) only for the people
    called, the cohort's facilitators and admins."""
    meetings = Meeting.objects.filter(cohort__in=visible_cohorts(membership))
    if membership.is_admin:
        return meetings
    facilitated = CohortMember.objects.filter(membership=membership, role=CohortRole.FACILITATOR).values("cohort_id")
    invited = MeetingInvitee.objects.filter(membership=membership).values("meeting_id")
    return meetings.filter(Q(invite_only=False) | Q(cohort_id__in=facilitated) | Q(pk__in=invited))


def access_meeting(membership: Membership, meeting_id: str) -> Meeting:
    meeting = (
        visible_meetings(membership)
        .filter(public_id=meeting_id)
        .select_related("cohort", "series", "organization")
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def with_my_rsvp(meetings: QuerySet[Meeting], membership: Membership) -> QuerySet[Meeting]:
    """Annotate ``my_rsvp`` (a status or None) in the same query."""
    mine = Rsvp.objects.filter(meeting=OuterRef("pk"), membership=membership).values("status")[:1]
    return meetings.annotate(my_rsvp=Subquery(mine))


def my_upcoming_meetings(membership: Membership, *, now: datetime, limit: int = 20) -> list[Meeting]:
    """The person's next meetings across their cohorts, soonest first: ones they can attend
    (invite-only debriefs only when called), cancelled ones included so a cancellation is
    seen where the meeting was."""
    my_cohorts = CohortMember.objects.filter(membership=membership).values("cohort_id")
    invited = MeetingInvitee.objects.filter(membership=membership).values("meeting_id")
    meetings = Meeting.objects.filter(
        Q(cohort_id__in=my_cohorts, invite_only=False) | Q(pk__in=invited), ends_at__gt=now, cohort__archived_at=None
    ).select_related("cohort", "series")
    return list(with_my_rsvp(meetings, membership).order_by("starts_at")[:limit])


def cohorts_needing_ground_rules(membership: Membership) -> list[CohortMember]:
    members = CohortMember.objects.filter(membership=membership).select_related("cohort")
    return [m for m in members if m.needs_ground_rules]


def cohort_members(cohort: Cohort) -> QuerySet[CohortMember]:
    return CohortMember.objects.filter(cohort=cohort).select_related("membership__user")


def cohort_upcoming_meetings(cohort: Cohort, *, now: datetime, limit: int = 12) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(cohort=cohort, ends_at__gt=now)
        .select_related("series", "cohort")
        .order_by("starts_at")[:limit]
    )


def meeting_going(meeting: Meeting) -> QuerySet[Rsvp]:
    return (
        Rsvp.objects.filter(meeting=meeting, status__in=[RsvpStatus.GOING, RsvpStatus.WAITLISTED])
        .select_related("membership__user")
        .order_by("status", "requested_at")
    )


def rsvp_counts(meeting: Meeting) -> dict[str, int]:
    counts = {status: 0 for status in RsvpStatus.values}
    for status in Rsvp.objects.filter(meeting=meeting).values_list("status", flat=True):
        counts[status] += 1
    return counts


def scheduled(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.filter(status=MeetingStatus.SCHEDULED)


def cohorts_with_members(membership: Membership) -> QuerySet[Cohort]:
    return visible_cohorts(membership).prefetch_related(
        Prefetch("members", queryset=CohortMember.objects.select_related("membership__user"))
    )
