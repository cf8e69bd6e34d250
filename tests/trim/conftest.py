from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from accounts.models import Membership, Role
from sessions_app.cohorts.models import Cohort
from sessions_app.meetings import services as scheduling
from sessions_app.trim import services
from sessions_app.trim.models import TrimCase
from tests.factories import CohortFactory, MembershipFactory


@dataclass
class Team:
    cohort: Cohort
    pat: Membership  # TRiM practitioner
    quinn: Membership  # TRiM practitioner
    dee: Membership  # facilitator, calls the debrief as the manager
    other_practitioner: Membership  # a practitioner of charlie's organisation


@pytest.fixture
def team(cast) -> Team:
    with scopes_disabled():
        cohort = CohortFactory(organization=cast.org, name="Ward 7", kind="hot_debrief")
        pat = MembershipFactory(organization=cast.org, user__display_name="Pat", user__email="pat@example.org")
        quinn = MembershipFactory(organization=cast.org, user__display_name="Quinn", user__email="q@example.org")
        dee = MembershipFactory(
            organization=cast.org, role=Role.FACILITATOR, user__display_name="Dee", user__email="dee@example.org"
        )
        other = MembershipFactory(organization=cast.other_org, user__display_name="Oli", user__email="oli@example.org")
    with scope(organization=cast.org):
        services.practitioner_grant(membership=pat, actor=cast.alice)
        services.practitioner_grant(membership=quinn, actor=cast.alice)
    with scope(organization=cast.other_org):
        services.practitioner_grant(membership=other, actor=cast.charlie)
    return Team(cohort=cohort, pat=pat, quinn=quinn, dee=dee, other_practitioner=other)


def call_debrief(team: Team, people: list[Membership], now: datetime) -> TrimCase:
    """The debrief called at ``now`` (the incident's instant), with its pathway, the clock pinned."""
    with time_machine.travel(now, tick=False), scope(organization=team.cohort.organization):
        debrief = scheduling.hot_debrief_create(
            cohort=team.cohort, starts_at=now + timedelta(minutes=30), people=people, now=now, actor=team.dee
        )
        return services.trim_case_open(debrief=debrief, people=people, manager=team.dee, now=now)
