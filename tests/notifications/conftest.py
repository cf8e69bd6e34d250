"""Fixtures of the outbox and dispatch tests."""

import pytest
from django_scopes import scope

from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from tests.factories import CohortFactory, CohortMemberFactory


@pytest.fixture
def team_time(cast):
    """Bob in "Team Time", with no minimum gap between messages: (cohort, bob)."""
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Team Time")
        bob = CohortMemberFactory(cohort=cohort, membership=cast.bob).membership
        AttentionBudget.objects.create(organization=cast.org, membership=bob, min_gap_minutes=0)
        AttentionPolicy.objects.create(organization=cast.org, min_min_gap_minutes=0)
        yield cohort, bob
