"""The TRiM lists cost the same number of queries for one offer as for many."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import MembershipFactory
from tests.trim.conftest import call_debrief

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]

LONDON = ZoneInfo("Europe/London")
INCIDENT = datetime(2026, 10, 5, 3, 10, tzinfo=LONDON)
# The user and their membership (tenant resolution; the session is read from the cache);
# then is-a-practitioner
# and the offers with their answers and assessment dates in one query.
HOME_QUERIES = 4
CASELOAD_QUERIES = 4


def _count(client, url) -> int:
    with time_machine.travel(INCIDENT, tick=False), CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("people", [1, 6])
def test_the_caseload_costs_the_same_for_one_offer_as_for_many(client, cast, team, people):
    with scopes_disabled():
        called = [MembershipFactory(organization=cast.org) for _ in range(people)]
    call_debrief(team, called, INCIDENT)
    client.force_login(team.pat.user)
    page = client.get(reverse("trim_caseload", kwargs={"org_slug": cast.org.slug})).content.decode()
    assert page.count("<tr>") - 1 == 2 * ((people + 1) // 2)  # Pat is named for every other person
    assert _count(client, reverse("trim_caseload", kwargs={"org_slug": cast.org.slug})) == CASELOAD_QUERIES


@pytest.mark.parametrize("debriefs", [1, 4])
def test_my_offers_cost_the_same_for_one_offer_as_for_many(client, cast, team, debriefs):
    for _ in range(debriefs):
        call_debrief(team, [cast.bob], INCIDENT)
    client.force_login(cast.bob.user)
    url = reverse("trim_home", kwargs={"org_slug": cast.org.slug})
    assert client.get(url).content.decode().count('<li class="card">') == 2 * debriefs
    assert _count(client, url) == HOME_QUERIES
