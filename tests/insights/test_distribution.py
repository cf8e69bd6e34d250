"""The admin's distribution of messages per person: the one k rule, and only weeks that
have ended, so two looks minutes apart show the same figures."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.models import Organization, group_size
from sessions_app.insights import distribution
from tests.factories import MembershipFactory, NotificationFactory

pytestmark = [pytest.mark.attention, pytest.mark.django_db]

UTC = ZoneInfo("UTC")
# Wednesday 25 November 2026; the last four whole weeks are Mon 26 Oct – Sun 22 Nov.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def sent(membership, key, at):
    return NotificationFactory(recipient=membership, idempotency_key=key, due_at=at, sent_at=at, status="sent")


def cells(page: str) -> list[tuple[str, str]]:
    return re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td></tr>", page)


@pytest.mark.security
def test_the_k_rule_is_one_function_that_never_goes_below_the_floor():
    assert group_size(Organization(min_group_size=1)) == 3
    assert group_size(Organization(min_group_size=7)) == 7
    assert distribution.group_size is group_size  # the distribution asks the same function


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_distribution_uses_the_floored_k_not_the_raw_setting(cast):
    organization = cast.org
    organization.min_group_size = 2  # what a bad row or an unsaved form could hold
    with scope(organization=organization):
        # alice and bob: two people, below the floor of 3 whatever the setting says.
        assert distribution.notification_distribution(organization, now=NOW) is None


@pytest.mark.security
def test_distribution_is_the_same_for_every_look_within_a_week(client, cast):
    with scopes_disabled():
        people = [MembershipFactory(organization=cast.org) for _ in range(8)]
    with scope(organization=cast.org):
        for person in people[:5]:
            for n in range(4):  # one a week in the four weeks that ended
                sent(person, f"{person.pk}-{n}", NOW - timedelta(days=3 + 7 * n))
        # The last person gets messages this week: two looks an hour apart must not
        # show them moving from "none" to "1–2".
        looks = []
        for hour in range(3):
            sent(people[7], f"now-{hour}", NOW + timedelta(hours=hour))
            with time_machine.travel(NOW + timedelta(hours=hour, minutes=30), tick=False):
                client.force_login(cast.alice.user)
                looks.append(cells(text(client.get(reverse("organization_attention", args=[cast.org.slug])))))
    assert looks[0] == [("none", "5"), ("1–2", "5"), ("3–5", "0"), ("6–10", "0"), ("more than 10", "0")]
    assert looks == [looks[0]] * 3


@time_machine.travel(NOW, tick=False)
def test_distribution_names_the_weeks_it_covers(client, cast):
    with scopes_disabled():
        for _ in range(3):
            MembershipFactory(organization=cast.org)
    client.force_login(cast.alice.user)
    page = text(client.get(reverse("organization_attention", args=[cast.org.slug])))
    assert "Messages per person, the four weeks from 26 October to 22 November 2026" in page
