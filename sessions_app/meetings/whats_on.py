"""Reads for "What's on": the organisation's open programmes and their coming meetings,
and the closed cohorts a person may ask to join. A fixed number of queries whatever the
number of programmes, meetings or cohorts."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery

from accounts.models import Membership
from reflect.datewords import short_when
from sessions_app.cohorts.models import Cohort, CohortMember, JoinRequest
from sessions_app.cohorts.presets import PRESETS
from sessions_app.meetings.models import Meeting, MeetingStatus, RsvpStatus, Series
from sessions_app.meetings.rrule_words import describe_rrule
from sessions_app.meetings.selectors import open_cohorts, with_my_rsvp

AHEAD = timedelta(weeks=8)
MOST_MEETINGS = 60


@dataclass
class Programme:
    """An open cohort and its coming meetings, as the page lists them."""

    cohort: Cohort
    following: bool
    meetings: list[Meeting] = field(default_factory=list)


def open_programmes(membership: Membership, *, now: datetime, zone: str) -> list[Programme]:
    """The open cohorts' coming meetings (not hot debriefs, not cancelled) over the next
    eight weeks, grouped by programme, each with the person's answer (``my_rsvp``), how
    many are going (``going_count``) and ``when`` in the person's zone and language."""
    mine = CohortMember.objects.filter(cohort_id=OuterRef("cohort_id"), membership=membership)
    meetings = (
        Meeting.objects.filter(
            cohort__in=open_cohorts().filter(organization_id=membership.organization_id),
            invite_only=False,
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + AHEAD,
        )
        .select_related("cohort", "series")
        .annotate(going_count=Count("rsvps", filter=Q(rsvps__status=RsvpStatus.GOING)), following=Exists(mine))
        .order_by("cohort__name", "cohort_id", "starts_at")
    )
    local = ZoneInfo(zone)
    programmes = []
    for _cohort_id, group in groupby(with_my_rsvp(meetings, membership)[:MOST_MEETINGS], key=lambda m: m.cohort_id):
        group = list(group)
        for meeting in group:
            meeting.when = short_when(meeting.starts_at.astimezone(local))
            meeting.places_left = max(meeting.capacity - meeting.going_count, 0) if meeting.capacity else None
        programmes.append(Programme(cohort=group[0].cohort, following=group[0].following, meetings=group))
    return programmes


def cohorts_to_ask(membership: Membership) -> list[Cohort]:
    """Closed cohorts of the organisation that take requests and that the person is not
    in, with ``rhythm`` (how often they meet, in words), ``kind_label`` and the person's
    latest request (``my_request_status``, ``my_request_id``). Never who is in them."""
    latest = JoinRequest.objects.filter(cohort=OuterRef("pk"), membership=membership).order_by("-created_at")
    cohorts = (
        Cohort.objects.filter(
            organization_id=membership.organization_id,
            archived_at=None,
            is_open=False,
            accepts_join_requests=True,
        )
        .exclude(members__membership=membership)
        .annotate(
            my_request_status=Subquery(latest.values("status")[:1]),
            my_request_id=Subquery(latest.values("public_id")[:1]),
        )
        .prefetch_related(Prefetch("series", queryset=Series.objects.filter(last_date=None), to_attr="running"))
        .order_by("name")
    )
    found = list(cohorts)
    for cohort in found:
        cohort.kind_label = PRESETS[cohort.kind].label
        cohort.rhythm = describe_rrule(cohort.running[0].rrule) if cohort.running else ""
    return found
