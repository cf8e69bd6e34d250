"""Every member page runs at most six queries, the session, the user and the membership
included, and the same number whatever the amount of data behind it (issue 15).
bench/pages.py measures the same pages under load."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from sessions_app.meetings.models import Rsvp, RsvpStatus
from tests.factories import (
    CohortFactory,
    CohortMemberFactory,
    MeetingFactory,
    MembershipFactory,
    NotificationFactory,
    ReflectionFactory,
    SeriesFactory,
)

NOW = datetime(2027, 3, 3, 10, tzinfo=UTC)
MAX_QUERIES = 6
# (name, URL name, URL arguments taken from the world)
MEMBER_PAGES = [
    ("home", "organization_home", ()),
    ("meeting", "meeting_detail", ("meeting_id",)),
    ("past_meeting", "meeting_detail", ("past_meeting_id",)),
    ("reflections", "reflection_list", ()),
    ("reflection", "reflection_detail", ("reflection_id",)),
    ("ledger", "ledger", ()),
    ("attention", "attention_settings", ()),
    ("meeting_load", "meeting_load_review", ()),
    ("whats_on", "whats_on", ()),
    ("cohorts", "cohort_list", ()),
    ("cohort", "cohort_detail", ("cohort_id",)),
]


def _world(cast, rows: int) -> dict:
    """Bob in ``rows`` cohorts of ``rows`` other people each, every cohort meeting ``rows``
    times before and after now, with RSVPs, reflections and notifications to match."""
    bob = cast.bob
    past = None
    with scope(organization=cast.org):
        for n in range(rows):
            cohort = CohortFactory(organization=cast.org, name=f"Circle {rows}.{n}")
            CohortMemberFactory(cohort=cohort, membership=bob, ground_rules_acknowledged_at=NOW)
            others = [MembershipFactory(organization=cast.org) for _ in range(rows)]
            for person in others:
                CohortMemberFactory(cohort=cohort, membership=person, ground_rules_acknowledged_at=NOW)
            series = SeriesFactory(cohort=cohort, title=f"Rounds {rows}.{n}")
            for k in range(-rows, rows):
                starts = NOW + timedelta(days=7 * k + 1)
                meeting = MeetingFactory(
                    cohort=cohort,
                    series=series,
                    series_local_date=starts.date(),
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                )
                past = past if k != -rows else meeting
                for person in [bob, *others]:
                    Rsvp.objects.create(
                        organization=cast.org, meeting=meeting, membership=person, status=RsvpStatus.GOING
                    )
                ReflectionFactory(author=bob, cohort=cohort, meeting=meeting, visibility="cohort")
                ReflectionFactory(author=others[0], cohort=cohort, meeting=meeting, visibility="cohort")
                NotificationFactory(recipient=bob, meeting=meeting, status="sent", sent_at=starts - timedelta(days=1))
                NotificationFactory(recipient=bob, meeting=meeting, status="dropped", reason="quiet hours")
    with scope(organization=cast.org):
        return {
            "cohort_id": cohort.public_id,
            "meeting_id": meeting.public_id,
            "past_meeting_id": past.public_id,
            "reflection_id": bob.reflections.order_by("-created_at").first().public_id,
        }


def _counts(client, cast, objects: dict) -> dict[str, int]:
    counts = {}
    for name, url_name, keys in MEMBER_PAGES:
        url = reverse(
            url_name, kwargs={"org_slug": cast.org.slug, **{key.removeprefix("past_"): objects[key] for key in keys}}
        )
        client.get(url)  # the session's once-a-minute bookkeeping is not the page's
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = len(captured)
    return counts


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_member_pages_cost_at_most_six_queries_at_any_size(client, cast):
    client.force_login(cast.bob.user)
    small = _counts(client, cast, _world(cast, rows=1))
    large = _counts(client, cast, _world(cast, rows=3))

    assert large == small
    assert {name: count for name, count in large.items() if count > MAX_QUERIES} == {}
