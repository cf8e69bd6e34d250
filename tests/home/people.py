"""A busy member for the home-page tests: five cohorts whose ground rules they have not
accepted, and four months over their 4-hour meeting budget (issue 12)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django_scopes import scope

from accounts.models import Membership
from sessions_app.attention.models import AttentionPolicy
from sessions_app.cohorts.models import Cohort
from sessions_app.meetings.models import Meeting
from sessions_app.notifications.models import NotificationKind, NotificationStatus
from tests.factories import (
    CohortFactory,
    CohortMemberFactory,
    MeetingFactory,
    MembershipFactory,
    NotificationFactory,
    OrganizationFactory,
)

LONDON = ZoneInfo("Europe/London")
BUDGET_MINUTES = 240
# (year, month, number of 90-minute meetings): 15, 12, 7.5 and 6 hours, all over 4.
OVERLOADED_MONTHS = ((2030, 12, 10), (2031, 1, 8), (2031, 2, 5), (2031, 3, 4))
# A Monday morning in late November, so the next debrief is tomorrow and the four
# overloaded months follow.
NOW = datetime(2030, 11, 25, 9, 0, tzinfo=ZoneInfo("UTC"))


@dataclass
class BusyMember:
    membership: Membership
    cohorts: list[Cohort]
    next_meeting: Meeting
    titles: list[str]


def busy_member(*, now: datetime = NOW) -> BusyMember:
    """The person, their five cohorts (ground rules pending), their next debrief and
    every meeting title, so tests can check that none leaks into the to-do card."""
    org = OrganizationFactory(name="St Non Hospice", slug="st-non")
    person = MembershipFactory(organization=org, user__display_name="Nia Evans", user__time_zone="Europe/London")
    with scope(organization=org):
        AttentionPolicy.objects.create(organization=org, monthly_meeting_minutes=BUDGET_MINUTES)
        cohorts = [
            CohortFactory(organization=org, name=f"Circle {n}", ground_rules="We keep what is said here.")
            for n in range(1, 6)
        ]
        for cohort in cohorts:
            CohortMemberFactory(cohort=cohort, membership=person)
        first = now.astimezone(LONDON).replace(hour=12, minute=30) + timedelta(days=1)
        next_meeting = MeetingFactory(
            cohort=cohorts[0], title="Tuesday debrief", starts_at=first, ends_at=first + timedelta(minutes=60)
        )
        titles = [next_meeting.title]
        for year, month, count in OVERLOADED_MONTHS:
            for n in range(count):
                start = datetime(year, month, 1 + 2 * n, 13, 0, tzinfo=LONDON)
                title = f"Load meeting {year}-{month:02d} #{n + 1}"
                MeetingFactory(
                    cohort=cohorts[n % 5], title=title, starts_at=start, ends_at=start + timedelta(minutes=90)
                )
                titles.append(title)
        for kind in (NotificationKind.REMINDER, NotificationKind.CANCELLATION, NotificationKind.PROMOTION):
            NotificationFactory(
                recipient=person,
                kind=kind,
                meeting=next_meeting,
                status=NotificationStatus.SENT,
                due_at=now - timedelta(hours=2),
            )
    return BusyMember(membership=person, cohorts=cohorts, next_meeting=next_meeting, titles=titles)
