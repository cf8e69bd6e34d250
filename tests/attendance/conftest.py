from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_scopes import scope

from sessions_app.cohorts.models import CohortRole
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, MembershipFactory

# A Round from 12:30 to 13:30 UTC on a winter day (London = UTC): sign-in 12:00–14:00.
STARTS = datetime(2027, 1, 13, 12, 30, tzinfo=UTC)
ENDS = datetime(2027, 1, 13, 13, 30, tzinfo=UTC)
# The cohort and its places are made a month before, whatever the wall clock says: when
# the ground rules were last changed, who joined when, must not depend on the day the
# suite runs (CI runs it frozen at other instants too).
SET_UP = STARTS - timedelta(days=30)


@pytest.fixture
def rounds(cast):
    """A closed cohort bob is in, facilitated by Farah; alice (admin) is in no cohort."""
    with time_machine.travel(SET_UP, tick=False), scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Schwartz Rounds", kind="schwartz_rounds")
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
        farah = MembershipFactory(
            organization=cast.org, user__email="farah@example.org", user__display_name="Farah Haddad"
        )
        CohortMemberFactory(cohort=cohort, membership=farah, role=CohortRole.FACILITATOR)
    cohort.farah = farah
    return cohort


@pytest.fixture
def meeting(cast, rounds):
    with time_machine.travel(SET_UP, tick=False), scope(organization=cast.org):
        return MeetingFactory(cohort=rounds, starts_at=STARTS, ends_at=ENDS, title="The patient I can't forget")
