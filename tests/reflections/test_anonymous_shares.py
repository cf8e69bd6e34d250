"""An anonymous share stays anonymous: it shows no meeting, and it is refused where fewer
than k people could have written it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.cohorts.models import CohortRole
from sessions_app.meetings.models import MeetingInvitee
from sessions_app.reflections.models import Reflection, Visibility
from sessions_app.reflections.services import reflection_save, reflection_set_visibility
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory

pytestmark = [pytest.mark.reflections, pytest.mark.django_db]

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
HOT = "Cardiac arrest bay 3"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def ward(cast):
    """A cohort of seven (a facilitator and six members) with an invite-only hot debrief
    to which two of them were called. All joined a month before the shares below."""
    with time_machine.travel(NOW - timedelta(days=30), tick=False), scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Ward 7 team")
        facilitator = CohortMemberFactory(cohort=cohort, role=CohortRole.FACILITATOR).membership
        members = [CohortMemberFactory(cohort=cohort).membership for _ in range(6)]
        debrief = MeetingFactory(
            cohort=cohort, title=HOT, invite_only=True, kind="hot_debrief", starts_at=NOW - timedelta(hours=3)
        )
        for person in members[:2]:
            MeetingInvitee.objects.create(organization=cast.org, meeting=debrief, membership=person)
        rounds = MeetingFactory(cohort=cohort, title="Team Time", starts_at=NOW - timedelta(days=1))
    return {"cohort": cohort, "facilitator": facilitator, "members": members, "debrief": debrief, "rounds": rounds}


def share(author, *, visibility=Visibility.COHORT_ANONYMOUS, meeting=None, cohort=None) -> Reflection:
    with scope(organization=author.organization):
        return reflection_save(
            author=author,
            template_key="one_thing",
            answers={"note": "I keep seeing it."},
            visibility=visibility,
            meeting=meeting,
            cohort=cohort,
        )


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_an_anonymous_share_shows_no_meeting(client, cast, ward):
    reflection = share(ward["members"][0], meeting=ward["rounds"])
    client.force_login(ward["facilitator"].user)
    pages = [
        text(client.get(reverse("reflection_detail", args=[cast.org.slug, reflection.public_id]))),
        text(client.get(reverse("reflection_list", args=[cast.org.slug]))),
        text(client.get(reverse("cohort_shared_reflections", args=[cast.org.slug, ward["cohort"].public_id]))),
    ]
    assert "Someone in Ward 7 team · 2 March 2026 </p>" in pages[0]
    assert [page for page in pages if "Team Time" in page] == []
    # The author still sees which meeting it was about.
    client.force_login(ward["members"][0].user)
    mine = text(client.get(reverse("reflection_detail", args=[cast.org.slug, reflection.public_id])))
    assert "You · 2 March 2026 · after Team Time" in mine


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_a_share_with_the_name_still_shows_its_meeting(client, cast, ward):
    reflection = share(ward["members"][0], visibility=Visibility.COHORT, meeting=ward["rounds"])
    client.force_login(ward["members"][3].user)
    page = text(client.get(reverse("reflection_detail", args=[cast.org.slug, reflection.public_id])))
    assert "· 2 March 2026 · after Team Time" in page


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_anonymous_share_of_a_hot_debrief_with_two_called_is_refused(cast, ward):
    with pytest.raises(ValidationError) as refused:
        share(ward["members"][0], meeting=ward["debrief"])
    assert refused.value.messages == [
        "Only 2 people could have written about this meeting, fewer than 5, so readers could tell "
        "it was you. Share it with your name, with the facilitators only, or keep it to yourself."
    ]
    with scopes_disabled():
        assert Reflection.objects.count() == 0


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_making_a_share_anonymous_later_is_refused_the_same_way(cast, ward):
    reflection = share(ward["members"][0], visibility=Visibility.FACILITATORS, meeting=ward["debrief"])
    with scope(organization=cast.org), pytest.raises(ValidationError) as refused:
        reflection_set_visibility(
            reflection=reflection, author=ward["members"][0], visibility=Visibility.COHORT_ANONYMOUS
        )
    assert refused.value.messages[0].startswith("Only 2 people could have written about this meeting")
    with scopes_disabled():
        assert Reflection.objects.get().visibility == Visibility.FACILITATORS


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_anonymous_share_in_a_cohort_of_four_is_refused_and_of_five_allowed(cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Small group")
        people = [CohortMemberFactory(cohort=cohort).membership for _ in range(4)]
    with pytest.raises(ValidationError) as refused:
        share(people[0], cohort=cohort)
    assert refused.value.messages == [
        "Only 4 people could have written this in Small group, fewer than 5, so readers could tell "
        "it was you. Share it with your name, with the facilitators only, or keep it to yourself."
    ]
    with scope(organization=cast.org):
        CohortMemberFactory(cohort=cohort)
    assert share(people[0], cohort=cohort).visibility == Visibility.COHORT_ANONYMOUS


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_the_form_explains_the_refusal_and_saves_nothing(client, cast, ward):
    author = ward["members"][0]
    client.force_login(author.user)
    url = reverse("reflection_new", args=[cast.org.slug]) + "?template=one_thing"
    response = client.post(
        url,
        {
            "answer_note": "I keep seeing it.",
            "visibility": "cohort_anonymous",
            "meeting": ward["debrief"].public_id,
            "save": "1",
        },
    )
    assert response.status_code == 200
    assert "Only 2 people could have written about this meeting, fewer than 5" in text(response)
    with scopes_disabled():
        assert Reflection.objects.count() == 0
