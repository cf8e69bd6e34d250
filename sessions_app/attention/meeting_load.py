"""The meeting-load limit: minutes of debriefs per person per month.

Debriefs are meant to restore attention, not to become one more demand on it. When a
cohort's meetings push someone over their monthly limit, they are offered a one-click
"skip" for the surplus; admins see only how many people are affected, never who.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import Membership
from reflect.dates import MONTH_NAMES
from sessions_app.attention import budgets
from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.cohorts.models import CohortMember
from sessions_app.meetings import rsvps
from sessions_app.meetings.models import DECLINED, Meeting, MeetingInvitee, MeetingStatus, Rsvp, RsvpStatus, Series


@dataclass(frozen=True)
class Overload:
    month: str  # "2026-12"
    minutes: int
    limit: int  # the person's meeting_minutes_limit
    surplus: tuple[Meeting, ...]  # meetings the person could skip to get back within the limit

    @property
    def month_name(self) -> str:
        return month_name(self.month)


def month_name(month: str) -> str:
    """ "2026-12" → "December" (str() renders a lazily translated name in the active language)."""
    return str(MONTH_NAMES[int(month[5:7]) - 1])


def meeting_minutes_limit(membership: Membership) -> int:
    """Minutes of meetings a month this person accepts: their own choice, else the organisation's."""
    own = AttentionBudget.objects.filter(membership=membership).values_list("monthly_meeting_minutes", flat=True)
    chosen = next(iter(own), None)
    return chosen if chosen is not None else budgets.policy_for(membership.organization).monthly_meeting_minutes


def _limit(membership: Membership) -> Coalesce:
    """``meeting_minutes_limit`` as an expression, to be read in the same query as the meetings."""
    own = AttentionBudget.objects.filter(membership=membership).values("monthly_meeting_minutes")[:1]
    organisation = AttentionPolicy.objects.filter(organization_id=membership.organization_id)
    default = AttentionPolicy._meta.get_field("monthly_meeting_minutes").default
    return Coalesce(Subquery(own), Subquery(organisation.values("monthly_meeting_minutes")[:1]), Value(default))


def _expected_meetings(membership: Membership, now: datetime) -> QuerySet[Meeting]:
    """Meetings the person is expected at: their cohorts' and debriefs they were called
    to, not cancelled, not declined."""
    cohorts = CohortMember.objects.filter(membership=membership).values("cohort_id")
    invited = MeetingInvitee.objects.filter(membership=membership).values("meeting_id")
    declined = Rsvp.objects.filter(membership=membership, status__in=DECLINED).values("meeting_id")
    return (
        Meeting.objects.filter(Q(cohort_id__in=cohorts, invite_only=False) | Q(pk__in=invited))
        .filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now)
        .exclude(pk__in=declined)
        .select_related("cohort", "series")
        .order_by("starts_at")
    )


def overloads(membership: Membership, *, now: datetime | None = None) -> list[Overload]:
    """The months this person's meetings go over their limit, in one query: the home page
    asks on every view (issue 15), so the answers and the limit ride on the meetings."""
    now = now or timezone.now()
    zone = ZoneInfo(membership.user.time_zone)
    mine = Rsvp.objects.filter(meeting=OuterRef("pk"), membership=membership, status=RsvpStatus.GOING)
    meetings = list(_expected_meetings(membership, now).annotate(going=Exists(mine), minutes_limit=_limit(membership)))
    if not meetings:
        return []
    limit = meetings[0].minutes_limit
    going = {meeting.pk for meeting in meetings if meeting.going}
    by_month: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_month[f"{meeting.starts_at.astimezone(zone):%Y-%m}"].append(meeting)
    result = []
    for month, meetings in sorted(by_month.items()):
        minutes = sum(_minutes(m) for m in meetings)
        if minutes > limit:
            result.append(Overload(month, minutes, limit, _surplus(meetings, minutes - limit, going)))
    return result


def _minutes(meeting: Meeting) -> int:
    return int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)


def _surplus(meetings: list[Meeting], excess: int, going: set[int]) -> tuple[Meeting, ...]:
    """The latest meetings of the month the person hasn't said yes to, until the excess is covered."""
    chosen = []
    for meeting in reversed(meetings):
        if excess <= 0:
            break
        if meeting.pk in going:
            continue
        chosen.append(meeting)
        excess -= _minutes(meeting)
    return tuple(reversed(chosen))


def members_pushed_over(series: Series, *, now: datetime | None = None) -> int:
    """How many of the cohort's members this series puts over their meeting-minutes limit in any
    month (a count, never names)."""
    now = now or timezone.now()
    members = Membership.objects.filter(
        pk__in=CohortMember.objects.filter(cohort_id=series.cohort_id).values("membership_id"), is_active=True
    ).select_related("user", "organization")
    return sum(
        1
        for person in members
        if any(m.series_id == series.pk for overload in overloads(person, now=now) for m in overload.surplus)
    )


def series_advice(sender=None, *, series: Series, **kwargs) -> str | None:
    """What the person who scheduled ``series`` is told about the meeting load it brings
    (a receiver of ``meetings.signals.series_advice``)."""
    over = members_pushed_over(series)
    if not over:
        return None
    return ngettext(
        "This series puts %(count)d member over their monthly meeting budget; "
        "they are offered a one-click skip for the extra meetings.",
        "This series puts %(count)d members over their monthly meeting budget; "
        "they are offered a one-click skip for the extra meetings.",
        over,
    ) % {"count": over}


def meeting_load_skip_surplus(*, membership: Membership, month: str, now: datetime | None = None) -> int:
    """One click: answer "skip this one" for the surplus meetings of ``month``."""
    now = now or timezone.now()
    surplus = [
        meeting
        for overload in overloads(membership, now=now)
        if overload.month == month
        for meeting in overload.surplus
    ]
    return rsvps.rsvp_set_many(meetings=surplus, membership=membership, status=RsvpStatus.SKIP, now=now)
