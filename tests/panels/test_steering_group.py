"""A programme's steering group: set by an admin on the cohort form, one level deep, and
its members see the programme's k-anonymous figures; nobody else learns they exist."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from sessions_app.cohorts.models import Cohort, CohortMember, CohortRole
from sessions_app.meetings.models import Rsvp
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory
from tests.panels.conftest import url

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
frozen = time_machine.travel(NOW, tick=False)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def programme(cast):
    """Schwartz Rounds steered by "Rounds steering group", in which bob sits."""
    with scope(organization=cast.org):
        steering = CohortFactory(organization=cast.org, name="Rounds steering group")
        CohortMemberFactory(cohort=steering, membership=cast.bob)
        rounds = CohortFactory(
            organization=cast.org, name="Schwartz Rounds", kind="schwartz_rounds", panel_size=3, steering_group=steering
        )
    return rounds


def _edit(client, cast, cohort, **changes):
    client.force_login(cast.alice.user)
    fields = {"name": cohort.name, "default_duration_minutes": 60, "panel_size": 3, "panel_prep_days": 7}
    return client.post(url("cohort_edit", cast, cohort_id=cohort.public_id), {**fields, **changes}, follow=True)


def test_an_admin_links_a_steering_group(client, cast):
    with scope(organization=cast.org):
        rounds = CohortFactory(organization=cast.org, name="Schwartz Rounds", kind="schwartz_rounds", panel_size=3)
        steering = CohortFactory(organization=cast.org, name="Rounds steering group")
    _edit(client, cast, rounds, steering_group=steering.pk)
    with scopes_disabled():
        assert Cohort.objects.get(pk=rounds.pk).steering_group == steering


@pytest.mark.parametrize("case", ["itself", "a steered cohort", "while steering others"])
def test_a_steering_group_is_one_level_and_never_itself(client, cast, programme, case):
    with scope(organization=cast.org):
        steering = programme.steering_group
        other = CohortFactory(organization=cast.org, name="Balint", steering_group=None)
    cohort, group, message = {
        "itself": (other, other, "Select a valid choice."),
        "a steered cohort": (other, programme, "has a steering group of its own"),
        "while steering others": (steering, other, "is the steering group of other cohorts, so it can&#x27;t have one"),
    }[case]

    page = text(_edit(client, cast, cohort, steering_group=group.pk))

    assert message in page
    with scopes_disabled():
        assert Cohort.objects.get(pk=cohort.pk).steering_group_id is None


@pytest.mark.security
def test_another_organisations_cohort_is_no_choice(client, cast, programme):
    with scopes_disabled():
        foreign = CohortFactory(organization=cast.other_org, name="County steering")
    page = text(_edit(client, cast, programme, steering_group=foreign.pk))
    assert "Select a valid choice." in page
    with scopes_disabled():
        assert Cohort.objects.get(pk=programme.pk).steering_group.name == "Rounds steering group"


@frozen
@pytest.mark.security
@pytest.mark.parametrize(("going", "expected"), [(4, "Too few to show"), (5, "5")])
def test_the_steering_group_sees_the_programmes_figures_above_k_and_no_names(client, cast, programme, going, expected):
    with scope(organization=cast.org):
        people = [CohortMemberFactory(cohort=programme).membership for _ in range(going)]
        meeting = MeetingFactory(cohort=programme, starts_at=FEBRUARY)
        for person in people:
            Rsvp.objects.create(organization=cast.org, meeting=meeting, membership=person, status="going")
    client.force_login(cast.bob.user)

    steering_page = text(client.get(url("cohort_detail", cast, cohort_id=programme.steering_group.public_id)))
    page = text(client.get(url("programme_figures", cast, cohort_id=programme.public_id)))

    figures = url("programme_figures", cast, cohort_id=programme.public_id)
    assert f'<a href="{figures}">Figures of Schwartz Rounds</a>' in steering_page
    assert "<h1>How Schwartz Rounds is going</h1>" in page
    assert re.findall(r'<td data-label="Average attendance">(.*?)</td>', page)[-1] == expected
    assert [p.user.name for p in people if p.user.name in page] == []
    assert [p.user.email for p in people if p.user.email in page] == []


@pytest.mark.security
@pytest.mark.parametrize("who", ["member of the programme", "facilitator of the programme", "someone else"])
def test_only_the_steering_group_sees_the_programme_figures(client, cast, programme, who):
    with scope(organization=cast.org):
        role = CohortRole.FACILITATOR if who == "facilitator of the programme" else CohortRole.MEMBER
        cohort = programme if who != "someone else" else CohortFactory(organization=cast.org)
        person = CohortMemberFactory(cohort=cohort, role=role).membership
    client.force_login(person.user)
    figures = client.get(url("programme_figures", cast, cohort_id=programme.public_id))
    missing = client.get(url("programme_figures", cast, cohort_id="doesNotExist"))
    assert (figures.status_code, missing.status_code) == (404, 404)
    assert figures.content == missing.content


@pytest.mark.security
def test_a_cohort_without_a_steering_group_has_no_programme_figures(client, cast, programme):
    with scope(organization=cast.org):
        Cohort.objects.filter(pk=programme.pk).update(steering_group=None)
    client.force_login(cast.bob.user)
    assert client.get(url("programme_figures", cast, cohort_id=programme.public_id)).status_code == 404


@pytest.mark.security
def test_leaving_the_steering_group_ends_the_view(client, cast, programme):
    with scope(organization=cast.org):
        CohortMember.objects.filter(cohort=programme.steering_group, membership=cast.bob).delete()
    client.force_login(cast.bob.user)
    assert client.get(url("programme_figures", cast, cohort_id=programme.public_id)).status_code == 404
