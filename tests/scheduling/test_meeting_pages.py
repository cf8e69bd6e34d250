"""Meeting and cohort pages in ordinary use (issue 9, defects 5-7 and 9): what a person
sees after answering, moving a meeting, or meeting across a summer-time change."""

import re
from datetime import date, time

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from sessions_app.services.scheduling import series_create
from tests.factories import CohortFactory, CohortMemberFactory

pytestmark = [pytest.mark.scheduling, pytest.mark.django_db]


def url(name, cast, **kwargs):
    return reverse(name, kwargs={"org_slug": cast.org.slug, **kwargs})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _weekly_series(cohort, *, first_date: date, start_time: time, time_zone: str):
    return series_create(
        cohort=cohort,
        rule="FREQ=WEEKLY",
        first_date=first_date,
        start_time=start_time,
        time_zone=time_zone,
        duration_minutes=60,
    )


@pytest.fixture
def rounds(cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Schwartz Rounds", kind="schwartz_rounds")
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
    return cohort


@time_machine.travel("2027-03-01 09:00Z", tick=False)
def test_move_or_edit_shows_the_meetings_date_and_time_as_a_browser_reads_them(client, cast, rounds):
    with scope(organization=cast.org):
        series = _weekly_series(
            rounds, first_date=date(2027, 3, 15), start_time=time(14, 30), time_zone="Europe/London"
        )
        meeting = series.meetings.order_by("starts_at").first()
    client.force_login(cast.alice.user)
    page = text(client.get(url("meeting_edit", cast, meeting_id=meeting.public_id)))
    assert 'type="date" name="local_date" value="2027-03-15"' in page
    assert 'type="time" name="start_time" value="14:30"' in page


@time_machine.travel("2027-03-01 09:00Z", tick=False)
@pytest.mark.parametrize(
    ("kind", "frequency"),
    [("schwartz_rounds", "monthly_weekday"), ("balint_group", "fortnightly"), ("team_time", "weekly")],
)
def test_series_form_suggests_the_kinds_own_rhythm_on_the_first_dates_weekday(client, cast, kind, frequency):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, kind=kind)
    client.force_login(cast.alice.user)
    page = text(client.get(url("series_create", cast, cohort_id=cohort.public_id)))
    assert re.findall(r'<option value="(\w+)" selected>', page)[:3] == [frequency, "0", "2"]
    assert 'type="date" name="first_date" value="2027-03-08"' in page  # a Monday, the second in March
