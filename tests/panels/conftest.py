"""A Schwartz Rounds programme in St Elsewhere: Fiona facilitates, bob is a member, and
a Round in three days in a monthly series called "Schwartz Round". Nobody has a minimum
gap between messages, so what the dispatcher sends is what the test is about."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from accounts.models import Membership
from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.cohorts.models import Cohort, CohortRole
from sessions_app.meetings.models import Meeting
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, MembershipFactory, SeriesFactory

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 09:00, London winter time (UTC+0)
ROUND_STARTS = NOW + timedelta(days=3, hours=3)  # Thursday 12:00


@dataclass
class Rounds:
    cohort: Cohort
    meeting: Meeting
    fiona: Membership  # facilitator
    bob: Membership  # member
    dev: Membership  # in the organisation, not in the cohort


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rounds(cast, frozen) -> Rounds:
    with scope(organization=cast.org):
        cohort = CohortFactory(
            organization=cast.org,
            name="Schwartz Rounds",
            kind="schwartz_rounds",
            panel_size=3,
            panel_prep_days=7,
            ground_rules="What is said in the Round stays in the Round.",
        )
        fiona = CohortMemberFactory(
            cohort=cohort, role=CohortRole.FACILITATOR, membership__user__display_name="Fiona"
        ).membership
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
        dev = MembershipFactory(organization=cast.org, user__display_name="Dev", user__email="dev@example.org")
        series = SeriesFactory(cohort=cohort, title="Schwartz Round", first_date=ROUND_STARTS.date())
        meeting = MeetingFactory(
            cohort=cohort, series=series, series_local_date=ROUND_STARTS.date(), starts_at=ROUND_STARTS, location="Hall"
        )
        AttentionPolicy.objects.create(organization=cast.org, min_min_gap_minutes=0)
        for person in (fiona, cast.bob, dev):
            AttentionBudget.objects.create(organization=cast.org, membership=person, min_gap_minutes=0)
    return Rounds(cohort=cohort, meeting=meeting, fiona=fiona, bob=cast.bob, dev=dev)


def url(name, cast, **kwargs):
    return reverse(name, kwargs={"org_slug": cast.org.slug, **kwargs})
