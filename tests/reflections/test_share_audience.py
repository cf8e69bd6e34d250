"""What a newcomer reads: a share reaches the people who were in the cohort when it was
shared (and its facilitators then), unless its author widens it to future members too."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.cohorts.models import CohortMember, CohortRole
from sessions_app.cohorts.services import cohort_add_member, cohort_member_role_set
from sessions_app.reflections.models import Reflection, Visibility
from sessions_app.reflections.services import reflection_save, reflection_set_visibility
from tests.factories import CohortFactory, CohortMemberFactory, MembershipFactory

pytestmark = [pytest.mark.reflections, pytest.mark.django_db]

SHARED_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
LATER = SHARED_AT + timedelta(days=20)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def team(cast):
    with time_machine.travel(SHARED_AT - timedelta(days=30), tick=False), scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Ward 7 team")
        facilitator = CohortMemberFactory(cohort=cohort, role=CohortRole.FACILITATOR).membership
        members = [CohortMemberFactory(cohort=cohort).membership for _ in range(5)]
    return {"cohort": cohort, "facilitator": facilitator, "members": members}


def share(team, visibility, **kwargs) -> Reflection:
    with time_machine.travel(SHARED_AT, tick=False), scope(organization=team["cohort"].organization):
        return reflection_save(
            author=team["members"][0],
            template_key="one_thing",
            answers={"note": "the family in bed 4"},
            visibility=visibility,
            cohort=team["cohort"],
            **kwargs,
        )


def join(team, role=CohortRole.MEMBER, membership=None):
    """Someone joins the cohort later, or someone in it takes a new role later."""
    with time_machine.travel(LATER, tick=False), scope(organization=team["cohort"].organization):
        membership = membership or MembershipFactory(organization=team["cohort"].organization)
        place = CohortMember.objects.filter(cohort=team["cohort"], membership=membership).first()
        if place:
            return cohort_member_role_set(cohort_member=place, role=role).membership
        return cohort_add_member(cohort=team["cohort"], membership=membership, role=role).membership


def reads(client, cast, team, reader, reflection) -> dict[str, bool]:
    client.force_login(reader.user)
    detail = client.get(reverse("reflection_detail", args=[cast.org.slug, reflection.public_id]))
    listed = text(client.get(reverse("reflection_list", args=[cast.org.slug])))
    shared = text(client.get(reverse("cohort_shared_reflections", args=[cast.org.slug, team["cohort"].public_id])))
    return {
        "detail": detail.status_code == 200 and "the family in bed 4" in text(detail),
        "list": reflection.public_id in listed,
        "cohort page": reflection.public_id in shared,
    }


NOWHERE = {"detail": False, "list": False, "cohort page": False}
EVERYWHERE = {"detail": True, "list": True, "cohort page": True}


@pytest.mark.security
@pytest.mark.parametrize("visibility", [Visibility.COHORT, Visibility.COHORT_ANONYMOUS])
@time_machine.travel(LATER + timedelta(hours=1), tick=False)
def test_someone_who_joins_later_does_not_read_what_was_shared_before(client, cast, team, visibility):
    reflection = share(team, visibility)
    newcomer = join(team)
    new_facilitator = join(team, role=CohortRole.FACILITATOR)
    assert reads(client, cast, team, newcomer, reflection) == NOWHERE
    assert reads(client, cast, team, new_facilitator, reflection) == NOWHERE
    assert reads(client, cast, team, team["members"][1], reflection) == EVERYWHERE
    assert reads(client, cast, team, team["facilitator"], reflection) == EVERYWHERE


@pytest.mark.security
@time_machine.travel(LATER + timedelta(hours=1), tick=False)
def test_a_member_made_facilitator_later_does_not_read_what_was_shared_with_facilitators(client, cast, team):
    reflection = share(team, Visibility.FACILITATORS)
    promoted = join(team, role=CohortRole.FACILITATOR, membership=team["members"][2])
    client.force_login(promoted.user)
    detail = client.get(reverse("reflection_detail", args=[cast.org.slug, reflection.public_id]))
    assert detail.status_code == 404
    client.force_login(team["facilitator"].user)
    assert client.get(reverse("reflection_detail", args=[cast.org.slug, reflection.public_id])).status_code == 200


@time_machine.travel(LATER + timedelta(hours=1), tick=False)
def test_the_author_may_widen_a_share_to_future_members(client, cast, team):
    reflection = share(team, Visibility.COHORT, reaches_later_members=True)
    newcomer = join(team)
    assert reads(client, cast, team, newcomer, reflection) == EVERYWHERE


@time_machine.travel(LATER + timedelta(hours=1), tick=False)
def test_sharing_again_later_reaches_the_members_of_that_time(client, cast, team):
    reflection = share(team, Visibility.COHORT)
    newcomer = join(team)
    with scope(organization=cast.org):
        reflection_set_visibility(reflection=reflection, author=team["members"][0], visibility=Visibility.PRIVATE)
        reflection_set_visibility(reflection=reflection, author=team["members"][0], visibility=Visibility.COHORT)
    assert reads(client, cast, team, newcomer, reflection) == EVERYWHERE


@time_machine.travel(SHARED_AT, tick=False)
def test_the_form_offers_future_members_and_keeps_the_choice(client, cast, team):
    author = team["members"][0]
    client.force_login(author.user)
    url = reverse("reflection_new", args=[cast.org.slug]) + "?template=one_thing"
    page = text(client.get(url))
    assert "People who join the cohort later may read it too" in page
    response = client.post(
        url,
        {
            "answer_note": "x",
            "visibility": "cohort",
            "cohort": team["cohort"].public_id,
            "reaches_later_members": "on",
            "save": "1",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        saved = Reflection.objects.get()
    assert (saved.visibility, saved.reaches_later_members, saved.shared_at) == ("cohort", True, SHARED_AT)
    share_url = reverse("reflection_share", args=[cast.org.slug, saved.public_id])
    client.post(share_url, {"visibility": "cohort"})
    with scopes_disabled():
        saved.refresh_from_db()
    assert (saved.visibility, saved.reaches_later_members) == ("cohort", False)
