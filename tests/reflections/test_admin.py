"""The site operator's Django admin must not undo anonymity: no way to list a person's
anonymous shares, nor whose a share is."""

import re

import pytest
from django.urls import reverse
from django_scopes import scope

from sessions_app.reflections.models import Reflection, SessionEvaluation, Visibility
from tests.factories import CohortFactory, MeetingFactory, ReflectionFactory

pytestmark = [pytest.mark.reflections, pytest.mark.django_db]


@pytest.fixture
def operator(admin_client):
    """A site operator, signed in with the two-factor authentication staff must have."""
    return admin_client


def anonymous_share(author, cohort) -> Reflection:
    return ReflectionFactory(
        author=author, cohort=cohort, visibility=Visibility.COHORT_ANONYMOUS, answers={"thing": "x"}
    )


@pytest.mark.security
def test_admin_cannot_filter_anonymous_reflections_by_author(operator, cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org)
        mine = anonymous_share(cast.bob, cohort)
        anonymous_share(cast.alice, cohort)
    changelist = reverse("admin:sessions_app_reflection_changelist")
    response = operator.get(changelist, {"author": cast.bob.pk, "visibility": Visibility.COHORT_ANONYMOUS})
    assert response.status_code == 400  # Django's refusal of a lookup it does not allow
    assert mine.public_id not in response.content.decode()
    for lookup in ("author__id__exact", "author__user__email", "author__pk", "author_id", "author_id__in"):
        assert operator.get(changelist, {lookup: cast.bob.pk}).status_code == 400


@pytest.mark.security
def test_admin_cannot_list_the_anonymous_shares_of_one_meeting(operator, cast):
    """A hot debrief called for two people: its shares are as good as signed."""
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org)
        meeting = MeetingFactory(cohort=cohort)
        share = anonymous_share(cast.bob, cohort)
        share.meeting = meeting
        share.save()
    changelist = reverse("admin:sessions_app_reflection_changelist")
    for lookup in ("meeting", "meeting_id", "meeting__id__exact", "meeting__cohort"):
        response = operator.get(changelist, {lookup: meeting.pk, "visibility": Visibility.COHORT_ANONYMOUS})
        assert (response.status_code, share.public_id in response.content.decode()) == (400, False)


@pytest.mark.security
def test_admin_still_filters_by_what_it_offers(operator, cast):
    with scope(organization=cast.org):
        share = anonymous_share(cast.bob, CohortFactory(organization=cast.org))
    changelist = reverse("admin:sessions_app_reflection_changelist")
    response = operator.get(
        changelist, {"organization__id__exact": cast.org.pk, "visibility__exact": "cohort_anonymous"}
    )
    assert (response.status_code, share.public_id in response.content.decode()) == (200, True)


@pytest.mark.security
def test_admin_shows_no_author_column_or_field(operator, cast):
    with scope(organization=cast.org):
        reflection = anonymous_share(cast.bob, CohortFactory(organization=cast.org))
    page = operator.get(reverse("admin:sessions_app_reflection_changelist")).content.decode()
    detail = operator.get(reverse("admin:sessions_app_reflection_change", args=[reflection.pk])).content.decode()
    for shown in (page, detail):
        assert cast.bob.user.email not in shown
        assert cast.bob.user.name not in shown
        assert re.findall(r"\bauthor\b", shown, flags=re.IGNORECASE) == []


@pytest.mark.security
def test_admin_cannot_filter_evaluations_by_respondent(operator, cast):
    with scope(organization=cast.org):
        meeting = MeetingFactory(cohort=CohortFactory(organization=cast.org))
        SessionEvaluation.objects.create(organization=cast.org, meeting=meeting, respondent=cast.bob, ratings={})
    changelist = reverse("admin:sessions_app_sessionevaluation_changelist")
    assert operator.get(changelist, {"respondent": cast.bob.pk}).status_code == 400
    assert operator.get(changelist, {"respondent__user__email": cast.bob.user.email}).status_code == 400
    assert operator.get(changelist, {"respondent_id": cast.bob.pk}).status_code == 400
    assert operator.get(changelist, {"respondent_id__in": cast.bob.pk}).status_code == 400
