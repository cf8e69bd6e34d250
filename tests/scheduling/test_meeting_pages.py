"""Meeting and cohort pages in ordinary use (issue 9, defects 5-7 and 9): what a person
sees after answering, moving a meeting, or meeting across a summer-time change."""

import re
from datetime import date, time

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.models import Rsvp
from sessions_app.services.scheduling import series_create
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory

pytestmark = [pytest.mark.scheduling, pytest.mark.django_db]


def url(name, cast, **kwargs):
    return reverse(name, kwargs={"org_slug": cast.org.slug, **kwargs})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _weekly_series(cohort, *, first_date: date, start_time: time, time_zone: str):
    return series_create(
        cohort=cohort,
        rule="FREQ=WEEKLY",
        first_date=first_date,
        start_time=start_time,
        time_zone=time_zone,
        duration_minutes=60,
    )


@pytest.fixture
def rounds(cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Schwartz Rounds", kind="schwartz_rounds")
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
    return cohort


@time_machine.travel("2027-03-01 09:00Z", tick=False)
def test_move_or_edit_shows_the_meetings_date_and_time_as_a_browser_reads_them(client, cast, rounds):
    with scope(organization=cast.org):
        series = _weekly_series(
            rounds, first_date=date(2027, 3, 15), start_time=time(14, 30), time_zone="Europe/London"
        )
        meeting = series.meetings.order_by("starts_at").first()
    client.force_login(cast.alice.user)
    page = text(client.get(url("meeting_edit", cast, meeting_id=meeting.public_id)))
    assert 'type="date" name="local_date" value="2027-03-15"' in page
    assert 'type="time" name="start_time" value="14:30"' in page


@time_machine.travel("2027-03-01 09:00Z", tick=False)
@pytest.mark.parametrize(
    ("kind", "frequency"),
    [("schwartz_rounds", "monthly_weekday"), ("balint_group", "fortnightly"), ("team_time", "weekly")],
)
def test_series_form_suggests_the_kinds_own_rhythm_on_the_first_dates_weekday(client, cast, kind, frequency):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, kind=kind)
    client.force_login(cast.alice.user)
    page = text(client.get(url("series_create", cast, cohort_id=cohort.public_id)))
    assert re.findall(r'<option value="(\w+)" selected>', page)[:3] == [frequency, "0", "2"]
    assert 'type="date" name="first_date" value="2027-03-08"' in page  # a Monday, the second in March


@pytest.fixture
def first_meeting(cast, rounds):
    with scope(organization=cast.org):
        rounds.ground_rules = "What is said here stays here."
        rounds.save()
        return MeetingFactory(cohort=rounds)


def test_going_is_carried_through_the_ground_rules_and_recorded_on_acceptance(client, cast, rounds, first_meeting):
    client.force_login(cast.bob.user)
    response = client.post(url("meeting_rsvp", cast, meeting_id=first_meeting.public_id), {"status": "going"})
    rules = url("ground_rules", cast, cohort_id=rounds.public_id)
    assert response["Location"] == f"{rules}?going={first_meeting.public_id}"

    page = text(client.get(response["Location"]))
    assert f'<input type="hidden" name="going" value="{first_meeting.public_id}">' in page
    assert "I accept these ground rules and I'm going</button>" in page
    accepted = client.post(rules, {"going": first_meeting.public_id}, follow=True)

    assert accepted.redirect_chain == [(url("meeting_detail", cast, meeting_id=first_meeting.public_id), 302)]
    assert "Thank you for accepting the ground rules. You&#x27;re going. See you there." in text(accepted)
    with scopes_disabled():
        assert list(Rsvp.objects.values_list("membership", "meeting", "status")) == [
            (cast.bob.pk, first_meeting.pk, "going")
        ]


def test_a_full_first_meeting_puts_the_newcomer_on_the_waitlist_after_the_ground_rules(
    client, cast, rounds, first_meeting
):
    with scope(organization=cast.org):
        first_meeting.capacity = 1
        first_meeting.save()
        Rsvp.objects.create(organization=cast.org, meeting=first_meeting, membership=cast.alice, status="going")
    client.force_login(cast.bob.user)
    accepted = client.post(
        url("ground_rules", cast, cohort_id=rounds.public_id), {"going": first_meeting.public_id}, follow=True
    )
    assert "This one is full, so you&#x27;re on the waitlist" in text(accepted)
    with scopes_disabled():
        assert Rsvp.objects.get(membership=cast.bob).status == "waitlisted"


@pytest.mark.security
def test_the_carried_answer_cannot_name_a_meeting_of_another_cohort_or_organisation(client, cast, rounds):
    """Accepting one cohort's rules answers only that cohort's meeting: a forged id for a
    meeting elsewhere is ignored, the same whether that meeting exists or not."""
    with scopes_disabled():
        elsewhere = MeetingFactory(cohort=CohortFactory(organization=cast.other_org))
        other_cohort = MeetingFactory(cohort=CohortFactory(organization=cast.org))
    rules = url("ground_rules", cast, cohort_id=rounds.public_id)
    client.force_login(cast.bob.user)
    pages = [
        text(client.post(rules, {"going": meeting_id}, follow=True))
        for meeting_id in (elsewhere.public_id, other_cohort.public_id, "no-such-meeting")
    ]
    assert all("Thank you. You&#x27;re ready to join the meetings of Schwartz Rounds." in page for page in pages)
    with scopes_disabled():
        assert not Rsvp.objects.exists()
