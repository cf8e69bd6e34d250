"""What organisation admins see of attendance (issue 13 §2): headcounts per meeting and per
month through the one k rule, never a name, and no total that gives a hidden one back."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.attendance.models import Attendance
from sessions_app.insights.headcounts import organization_headcounts_show
from tests.factories import MeetingFactory, MembershipFactory

pytestmark = [pytest.mark.programmes, pytest.mark.security, pytest.mark.django_db]

NOW = datetime(2027, 2, 3, 10, 0, tzinfo=UTC)
NAMES = [f"Attendee{letter}" for letter in "ABCDEFGHIJKLM"]


def text(response) -> str:
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", main)


@pytest.fixture
def january(cast, rounds):
    """Three Rounds in January with 6, 5 and 2 present (k = 5): 13 people in all."""
    with scope(organization=cast.org):
        cast.org.min_group_size = 5
        cast.org.save()
        people = [
            MembershipFactory(organization=cast.org, user__display_name=name, user__email=f"{name}@example.org")
            for name in NAMES
        ]
        meetings = []
        for day, (title, count) in enumerate([("Round six", 6), ("Round five", 5), ("Round two", 2)], start=10):
            meeting = MeetingFactory(
                cohort=rounds,
                title=title,
                starts_at=datetime(2027, 1, day, 12, 30, tzinfo=UTC),
                ends_at=datetime(2027, 1, day, 13, 30, tzinfo=UTC),
            )
            meetings.append(meeting)
            for person in people[:count]:
                Attendance.objects.create(organization=cast.org, meeting=meeting, membership=person, source="door")
        Attendance.objects.create(
            organization=cast.org, meeting=meetings[0], guest_name="GuestVisitor", source="walk_in"
        )
    return meetings


@time_machine.travel(NOW, tick=False)
def test_each_meeting_shows_its_headcount_only_from_k_and_the_month_adds_only_those_shown(cast, january):
    with scope(organization=cast.org):
        months = organization_headcounts_show(organization=cast.org, now=NOW)
    latest = months[0]
    assert latest.label == "January 2027"
    assert [(m.meeting.title, m.present) for m in latest.meetings] == [
        ("Round six", 7),
        ("Round five", 5),
        ("Round two", None),
    ]
    assert (latest.total, latest.hidden) == (12, 1)
    # Neither the hidden meeting's 2 nor a total over every meeting (14) can be read.
    assert latest.total != sum(m.present or 0 for m in latest.meetings) + 2


@time_machine.travel(NOW, tick=False)
def test_a_month_with_every_meeting_below_k_shows_no_total(cast, rounds):
    with scope(organization=cast.org):
        meeting = MeetingFactory(
            cohort=rounds,
            starts_at=datetime(2027, 1, 5, 12, tzinfo=UTC),
            ends_at=datetime(2027, 1, 5, 13, tzinfo=UTC),
        )
        Attendance.objects.create(organization=cast.org, meeting=meeting, membership=cast.bob, source="door")
        (latest, *_rest) = organization_headcounts_show(organization=cast.org, now=NOW)
    assert (latest.total, latest.hidden, [m.present for m in latest.meetings]) == (None, 1, [None])


@time_machine.travel(NOW, tick=False)
def test_a_headcount_once_shown_does_not_move_when_an_account_is_deleted(client, cast, january):
    client.force_login(cast.alice.user)
    url = reverse("organization_attendance", kwargs={"org_slug": cast.org.slug})
    before = text(client.get(url))
    with scopes_disabled():
        Attendance.objects.filter(membership__user__display_name="AttendeeA").delete()
    after = text(client.get(url))
    assert before == after
    assert "12 people present at the 2 meetings shown. 1 meeting with fewer than 5 is not counted." in after


@time_machine.travel(NOW, tick=False)
def test_the_admins_page_names_nobody_who_attended(client, cast, january):
    client.force_login(cast.alice.user)
    response = client.get(reverse("organization_attendance", kwargs={"org_slug": cast.org.slug}))
    body = response.content.decode()
    assert '<td data-label="Present">fewer than 5</td>' in body
    assert [name for name in [*NAMES, "GuestVisitor", "Bob"] if name in body] == []


@time_machine.travel(NOW, tick=False)
def test_an_admin_sees_no_name_of_who_attended_on_any_page_about_the_meeting(client, cast, january):
    client.force_login(cast.alice.user)
    slug = cast.org.slug
    pages = [reverse("organization_attendance", kwargs={"org_slug": slug})]
    for meeting in january:
        for name in ("meeting_detail", "attendance_register", "attendance_door_screen"):
            pages.append(reverse(name, kwargs={"org_slug": slug, "meeting_id": meeting.public_id}))
    pages.append(reverse("cohort_insights", kwargs={"org_slug": slug, "cohort_id": january[0].cohort.public_id}))
    for page in pages:
        body = client.get(page).content.decode()
        assert [name for name in [*NAMES, "GuestVisitor"] if name in body] == [], page


@time_machine.travel(NOW, tick=False)
def test_only_admins_open_the_headcounts(client, cast, january):
    client.force_login(cast.bob.user)
    assert client.get(reverse("organization_attendance", kwargs={"org_slug": cast.org.slug})).status_code == 403
