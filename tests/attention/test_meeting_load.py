"""The monthly meeting-load budget: counts for admins, a one-click skip for the person."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.attention import meeting_load
from sessions_app.attention.forms import DAY_KEYS
from sessions_app.attention.models import AttentionPolicy
from sessions_app.meetings import series as series_services
from sessions_app.meetings.models import Rsvp
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory

pytestmark = [pytest.mark.attention, pytest.mark.django_db]

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def cohort(cast):
    with scope(organization=cast.org):
        AttentionPolicy.objects.create(organization=cast.org, monthly_meeting_minutes=120)
        cohort = CohortFactory(organization=cast.org)
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
        yield cohort


def _meeting(cohort, day: int, minutes: int = 60):
    start = datetime(2026, 12, day, 12, 0, tzinfo=ZoneInfo("UTC"))
    return MeetingFactory(cohort=cohort, starts_at=start, ends_at=start + timedelta(minutes=minutes))


def test_over_budget_month_offers_the_latest_unanswered_meetings(cohort, cast):
    first, second, third, fourth = (_meeting(cohort, d) for d in (1, 8, 15, 22))
    Rsvp.objects.create(organization=cast.org, meeting=fourth, membership=cast.bob, status="going")
    (overload,) = meeting_load.overloads(cast.bob, now=NOW)
    assert (overload.month, overload.minutes, overload.limit) == ("2026-12", 240, 120)
    # 120 minutes too many; the person said yes to the 22nd, so the 15th and 8th are offered.
    assert [m.pk for m in overload.surplus] == [second.pk, third.pk]
    assert first.pk not in {m.pk for m in overload.surplus}


def test_declined_meetings_do_not_count(cohort, cast):
    meetings = [_meeting(cohort, d) for d in (1, 8, 15)]
    Rsvp.objects.create(organization=cast.org, meeting=meetings[0], membership=cast.bob, status="cant")
    assert meeting_load.overloads(cast.bob, now=NOW) == []


@time_machine.travel(NOW)
def test_admin_sees_a_count_and_the_member_skips_in_one_click(client, cohort, cast):
    with scope(organization=cast.org):
        CohortMemberFactory(cohort=cohort)  # a second member with the same load as bob
        _meeting(cohort, 2, minutes=90)  # both already have 90 minutes in December
    client.force_login(cast.alice.user)
    response = client.post(
        reverse("series_create", kwargs={"org_slug": cast.org.slug, "cohort_id": cohort.public_id}),
        {
            "frequency": "weekly",
            "weekday": date(2026, 12, 3).weekday(),
            "first_date": "2026-12-03",
            "start_time": "13:00",
            "time_zone": "Europe/London",
            "duration_minutes": 60,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "This series puts 2 members over their monthly meeting budget" in page
    assert "Bob" not in page.split("This series puts")[1].split("</li>")[0]

    client.force_login(cast.bob.user)
    home = client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug})).content.decode()
    # Five Thursdays at 60 minutes plus the 90-minute meeting on the 2nd: one line on the
    # home page, the meetings themselves on the review page (issue 12).
    assert "December: 6.5 hours of meetings, over your 2-hour budget" in " ".join(home.split())
    review = client.get(reverse("meeting_load_review", kwargs={"org_slug": cast.org.slug})).content.decode()
    assert "390 minutes of meetings for you." in " ".join(review.split())
    skip = client.post(reverse("meeting_load_skip", kwargs={"org_slug": cast.org.slug}), {"month": "2026-12"})
    assert skip["Location"] == reverse("meeting_load_review", kwargs={"org_slug": cast.org.slug})
    with scopes_disabled():
        skipped = Rsvp.objects.filter(membership=cast.bob, status="skip").count()
    assert skipped == 5  # the latest unanswered first: 390 - 5 × 60 = 90 ≤ 120


def test_person_may_lower_but_not_raise_their_budget_beyond_the_organisation(client, cohort, cast):
    client.force_login(cast.bob.user)
    url = reverse("attention_settings", kwargs={"org_slug": cast.org.slug})
    form = {
        "quiet_hours_enabled": "on",
        **{f"quiet_{day}_{end}": at for day in DAY_KEYS for end, at in (("start", "21:00"), ("end", "07:00"))},
        "daily_cap": 3,
        "weekly_cap": 10,
        "min_gap_minutes": 120,
        "digest_time": "17:00",
        "monthly_meeting_minutes": 500,
    }
    refused = client.post(url, form)
    assert "Your organisation&#x27;s meeting budget is 120 minutes a month." in refused.content.decode()
    client.post(url, {**form, "monthly_meeting_minutes": 60})
    assert meeting_load.meeting_minutes_limit(cast.bob) == 60


def test_series_within_budget_reports_nobody(cohort, cast):
    series = series_services.series_create(
        cohort=cohort,
        rule="FREQ=MONTHLY;BYDAY=1TU",
        first_date=date(2026, 12, 1),
        start_time=time(12),
        time_zone="Europe/London",
        duration_minutes=60,
        now=NOW,
    )
    assert meeting_load.members_pushed_over(series, now=NOW) == 0
