"""Only a TRiM practitioner reads a risk score or a referral decision. The person sees
that an assessment took place and its date; managers and admins see nothing of it but a
count from k people up; another organisation's practitioner sees nothing at all."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.trim import selectors, services
from sessions_app.trim.models import RiskAssessment, TrimOffer
from tests.factories import MembershipFactory
from tests.trim.conftest import call_debrief

pytestmark = [pytest.mark.evidence, pytest.mark.security, pytest.mark.django_db]

LONDON = ZoneInfo("Europe/London")
INCIDENT = datetime(2026, 10, 25, 3, 10, tzinfo=LONDON)
LATER = datetime(2026, 11, 2, 12, 0, tzinfo=LONDON)  # after the 72-hour round


@pytest.fixture
def assessed(cast, team):
    """Bob's 72-hour one-to-one with a practitioner, held on 28 October, scored 7, referred on."""
    case = call_debrief(team, [cast.bob], INCIDENT)
    with scopes_disabled():
        offer = TrimOffer.objects.filter(case=case).order_by("meeting__starts_at").first()
    with time_machine.travel(LATER, tick=False), scope(organization=cast.org):
        services.assessment_record(
            offer=offer, practitioner=offer.practitioner, held_on=date(2026, 10, 28), score=7, referral="referred"
        )
    return offer


def _assessment_url(org, offer) -> str:
    return reverse("trim_assessment", kwargs={"org_slug": org.slug, "offer_id": offer.public_id})


def test_a_practitioner_reads_the_score_and_referral(client, cast, assessed):
    client.force_login(assessed.practitioner.user)
    with time_machine.travel(LATER, tick=False):
        page = client.get(_assessment_url(cast.org, assessed)).content.decode()
    assert '<dd id="trim-score">7</dd>' in page
    assert "<dd>Referred</dd>" in page


def test_another_practitioner_of_the_team_reads_it_too(client, cast, team, assessed):
    other = team.quinn if assessed.practitioner == team.pat else team.pat
    client.force_login(other.user)
    with time_machine.travel(LATER, tick=False):
        page = client.get(_assessment_url(cast.org, assessed)).content.decode()
    assert '<dd id="trim-score">7</dd>' in page


@pytest.mark.parametrize("who", ["person", "manager", "admin", "member", "former practitioner"])
def test_nobody_but_a_practitioner_can_read_a_risk_score(client, cast, team, assessed, who):
    if who == "former practitioner":
        with scopes_disabled():
            services.practitioner_revoke(membership=team.quinn, actor=cast.alice)
    people = {
        "person": cast.bob,
        "manager": team.dee,
        "admin": cast.alice,
        "member": MembershipFactory(organization=cast.org),
        "former practitioner": team.quinn,
    }
    client.force_login(people[who].user)
    with time_machine.travel(LATER, tick=False):
        get = client.get(_assessment_url(cast.org, assessed))
        post = client.post(
            _assessment_url(cast.org, assessed), {"held_on": "2026-10-28", "score": 0, "referral": "none"}
        )
        caseload = client.get(reverse("trim_caseload", kwargs={"org_slug": cast.org.slug}))
    assert (get.status_code, post.status_code, caseload.status_code) == (404, 404, 404)
    with scopes_disabled():
        assert RiskAssessment.objects.get().score == "7"


def test_another_organisations_practitioner_gets_404(client, cast, team, assessed):
    client.force_login(team.other_practitioner.user)
    with time_machine.travel(LATER, tick=False):
        under_theirs = client.get(_assessment_url(cast.other_org, assessed))
        under_ours = client.get(_assessment_url(cast.org, assessed))
    assert (under_theirs.status_code, under_ours.status_code) == (404, 404)


def test_the_person_sees_only_that_an_assessment_took_place_and_its_date(client, cast, assessed):
    client.force_login(cast.bob.user)
    with time_machine.travel(LATER, tick=False):
        page = client.get(reverse("trim_home", kwargs={"org_slug": cast.org.slug})).content.decode()
    assert "An assessment took place on 28 October 2026." in page
    assert "Referred" not in page and "score" not in page.lower()
    assert ">7<" not in page


def test_the_one_to_one_meeting_is_hidden_from_admins_and_facilitators(client, cast, team, assessed):
    url = reverse("meeting_detail", kwargs={"org_slug": cast.org.slug, "meeting_id": assessed.meeting.public_id})
    with scopes_disabled():
        from sessions_app.cohorts.models import CohortMember

        CohortMember.objects.create(organization=cast.org, cohort=team.cohort, membership=team.dee, role="facilitator")
    seen = {}
    with time_machine.travel(INCIDENT, tick=False):
        for person in (cast.alice, team.dee, cast.bob, assessed.practitioner):
            client.force_login(person.user)
            seen[person.user.display_name] = client.get(url).status_code
    assert seen == {"Alice": 404, "Dee": 404, "Bob": 200, assessed.practitioner.user.display_name: 200}


def test_score_and_referral_are_encrypted_at_rest(assessed):
    with connection.cursor() as cursor:
        cursor.execute("SELECT score, referral FROM sessions_app_riskassessment")
        score, referral = cursor.fetchone()
    assert score != "7" and "referred" not in referral
    assert score.startswith("gAAAA") and referral.startswith("gAAAA")  # Fernet tokens


def test_admins_see_a_count_only_from_k_people_up(client, cast, team, assessed):
    client.force_login(cast.alice.user)
    url = reverse("trim_practitioners", kwargs={"org_slug": cast.org.slug})
    with time_machine.travel(LATER, tick=False):
        below = client.get(url).content.decode()
    assert "Not shown: fewer people than the organisation's minimum group size were assessed." in below
    assert "Referred" not in below and ">7<" not in below
    with scope(organization=cast.org):
        k = selectors.group_size(cast.org)
        more = [MembershipFactory(organization=cast.org) for _ in range(k - 1)]
    case = call_debrief(team, more, INCIDENT)
    with time_machine.travel(LATER, tick=False), scope(organization=cast.org):
        for offer in TrimOffer.objects.filter(case=case, round="72h"):
            services.assessment_record(
                offer=offer, practitioner=offer.practitioner, held_on=date(2026, 10, 28), score=2, referral="none"
            )
    with time_machine.travel(LATER, tick=False):
        above = client.get(url).content.decode()
    assert f'<p id="trim-held">{k} assessments held.</p>' in above
    assert "Referred" not in above


def test_only_admins_name_practitioners(client, cast, team):
    url = reverse("trim_practitioners", kwargs={"org_slug": cast.org.slug})
    client.force_login(team.pat.user)
    assert client.post(url, {"member": cast.bob.public_id}).status_code == 403
    client.force_login(cast.alice.user)
    response = client.post(url, {"member": cast.bob.public_id}, follow=True)
    assert "Bob is now a TRiM practitioner." in response.content.decode()
    with scope(organization=cast.org):
        assert selectors.is_practitioner(cast.bob)
        response = client.post(url, {"remove": cast.bob.public_id}, follow=True)
        assert "Bob is no longer a TRiM practitioner." in response.content.decode()
        assert not selectors.is_practitioner(cast.bob)


def test_a_score_out_of_range_is_a_form_error_and_changes_nothing(client, cast, assessed):
    client.force_login(assessed.practitioner.user)
    with time_machine.travel(LATER, tick=False):
        response = client.post(
            _assessment_url(cast.org, assessed), {"held_on": "2026-10-28", "score": 21, "referral": "none"}
        )
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 20." in response.content.decode()
    with scopes_disabled():
        assert (RiskAssessment.objects.get().score, RiskAssessment.objects.get().referral) == ("7", "referred")
