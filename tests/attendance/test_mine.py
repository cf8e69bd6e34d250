"""A person's own attendance (issue 13 §2): their page, their export, and deleting the
account deletes it."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.attendance.models import Attendance
from sessions_app.mydata.deletion import account_delete
from sessions_app.mydata.export import personal_data_export
from sessions_app.mydata.markdown import personal_data_markdown
from tests.factories import MeetingFactory

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def attended(cast, rounds):
    """Bob was at a 90-minute Round last December and a 60-minute one this January."""
    with scope(organization=cast.org):
        december = MeetingFactory(
            cohort=rounds,
            title="December Round",
            starts_at=datetime(2026, 12, 9, 12, 30, tzinfo=UTC),
            ends_at=datetime(2026, 12, 9, 14, 0, tzinfo=UTC),
        )
        january = MeetingFactory(
            cohort=rounds,
            title="January Round",
            starts_at=datetime(2027, 1, 13, 12, 30, tzinfo=UTC),
            ends_at=datetime(2027, 1, 13, 13, 30, tzinfo=UTC),
        )
        for meeting in (december, january):
            Attendance.objects.create(organization=cast.org, meeting=meeting, membership=cast.bob, source="door")
        Attendance.objects.create(organization=cast.org, meeting=january, membership=cast.alice, source="register")
    return december, january


@time_machine.travel("2027-02-01 10:00Z", tick=False)
def test_my_attendance_lists_my_meetings_and_this_years_hours(client, cast, attended):
    client.force_login(cast.bob.user)
    page = text(client.get(reverse("my_attendance", kwargs={"org_slug": cast.org.slug})))
    assert "This year: 1 meeting, 1 hours." in page
    assert page.index("January Round") < page.index("December Round")
    assert "Wednesday 9 December 2026, 12:30–14:00 · Schwartz Rounds · 90 minutes" in page
    assert "Alice" not in page.split("<main", 1)[1]


@time_machine.travel("2027-02-01 10:00Z", tick=False)
def test_my_export_lists_my_attendance_and_nobody_elses(cast, attended, unscoped):
    export = personal_data_export(cast.bob.user)
    (org,) = export["organizations"]
    assert [(a["meeting"]["title"], a["source"]) for a in org["attendance"]] == [
        ("December Round", "door"),
        ("January Round", "door"),
    ]
    markdown = personal_data_markdown(export)
    section = markdown.split("### Meetings you were at", 1)[1].split("###", 1)[0]
    assert section.count("Signed in at the door") == 2
    assert "December Round" in section
    assert "register" not in section


@pytest.mark.security
@time_machine.travel("2027-02-01 10:00Z", tick=False)
def test_deleting_the_account_deletes_its_attendance(cast, attended):
    account_delete(user=cast.bob.user, now=datetime(2027, 2, 1, 10, tzinfo=UTC))
    with scopes_disabled():
        left = list(Attendance.objects.values_list("membership__user__email", flat=True))
    assert left == ["alice@example.org"]
