"""The register, a person's attendance and the admin's headcounts cost the same number of
queries for one row as for many (issue 13)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from sessions_app.attendance.models import Attendance
from sessions_app.meetings.models import Rsvp, RsvpStatus
from tests.attendance.conftest import STARTS
from tests.factories import MeetingFactory, MembershipFactory

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


def _people(cast, rounds, meeting, count):
    with scope(organization=cast.org):
        for n in range(count):
            person = MembershipFactory(organization=cast.org, user__display_name=f"Person {n}")
            Rsvp.objects.create(organization=cast.org, meeting=meeting, membership=person, status=RsvpStatus.GOING)
            Attendance.objects.create(organization=cast.org, meeting=meeting, membership=person, source="door")
            Attendance.objects.create(organization=cast.org, meeting=meeting, guest_name=f"Guest {n}", source="walk_in")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@time_machine.travel(STARTS, tick=False)
@pytest.mark.parametrize("rows", [1, 12])
def test_the_register_costs_the_same_for_one_person_as_for_many(client, cast, rounds, meeting, rows):
    _people(cast, rounds, meeting, rows)
    client.force_login(rounds.farah.user)
    url = reverse("attendance_register", kwargs={"org_slug": cast.org.slug, "meeting_id": meeting.public_id})
    assert _queries(client, url) == 6


@time_machine.travel(STARTS + timedelta(days=40), tick=False)
@pytest.mark.parametrize("rows", [1, 12])
def test_my_attendance_costs_the_same_for_one_meeting_as_for_many(client, cast, rounds, rows):
    with scope(organization=cast.org):
        for n in range(rows):
            meeting = MeetingFactory(
                cohort=rounds, starts_at=STARTS + timedelta(days=n), ends_at=STARTS + timedelta(days=n, hours=1)
            )
            Attendance.objects.create(organization=cast.org, meeting=meeting, membership=cast.bob, source="door")
    client.force_login(cast.bob.user)
    assert _queries(client, reverse("my_attendance", kwargs={"org_slug": cast.org.slug})) == 3


@time_machine.travel(datetime(2027, 3, 2, 9, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("rows", [1, 12])
def test_the_headcounts_cost_the_same_for_one_meeting_as_for_many(client, cast, rounds, rows):
    with scope(organization=cast.org):
        for n in range(rows):
            start = datetime(2027, 1, 1, 12, tzinfo=UTC) + timedelta(days=n * 4)
            meeting = MeetingFactory(cohort=rounds, starts_at=start, ends_at=start + timedelta(hours=1))
            Attendance.objects.create(organization=cast.org, meeting=meeting, membership=cast.bob, source="door")
    client.force_login(cast.alice.user)
    url = reverse("organization_attendance", kwargs={"org_slug": cast.org.slug})
    first = _queries(client, url)
    # The page also shows the feedback figures of four ended quarters (issue 14): on first
    # showing two aggregates a quarter, one store and one read back; after that one read
    # (the session comes from the cache).
    assert (first, _queries(client, url)) == (23, 5)
