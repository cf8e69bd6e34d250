"""Meeting and cohort pages in ordinary use (issue 9, defects 5-7 and 9): what a person
sees after answering, moving a meeting, or meeting across a summer-time change."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.meetings.models import MeetingInvitee, Rsvp
from sessions_app.meetings.recurrence import gap_move
from sessions_app.meetings.rsvps import rsvp_set
from sessions_app.meetings.series import series_create
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


# A weekly 02:30 series in New York over 14 March 2027, when 02:00 jumps to 03:00 EDT.
NY_GAP_NIGHT = date(2027, 3, 14)


@time_machine.travel("2027-03-01 09:00Z", tick=False)
def test_scheduling_over_the_spring_gap_says_which_meeting_moved(client, cast, rounds):
    client.force_login(cast.alice.user)
    response = client.post(
        url("series_create", cast, cohort_id=rounds.public_id),
        {
            "frequency": "weekly",
            "weekday": 6,
            "first_date": "2027-03-07",
            "start_time": "02:30",
            "time_zone": "America/New_York",
            "duration_minutes": 60,
        },
        follow=True,
    )
    assert (
        "Scheduled 16 meetings for the next 16 weeks; more are added as time goes on. "
        "Sunday 14 March 2027: moved to 03:30: 02:30 does not exist that night in America/New_York."
    ) in text(response)


@time_machine.travel("2027-03-01 09:00Z", tick=False)
@pytest.mark.parametrize("viewer_zone", ["Europe/London", "America/New_York"])
def test_a_meeting_moved_by_the_gap_says_so_and_shows_its_own_zone(client, cast, rounds, viewer_zone):
    with scope(organization=cast.org):
        series = _weekly_series(
            rounds, first_date=date(2027, 3, 7), start_time=time(2, 30), time_zone="America/New_York"
        )
        moved, after = series.meetings.filter(series_local_date__gte=NY_GAP_NIGHT).order_by("starts_at")[:2]
    cast.bob.user.time_zone = viewer_zone
    cast.bob.user.save()
    client.force_login(cast.bob.user)

    page = text(client.get(url("meeting_detail", cast, meeting_id=moved.public_id)))
    unmoved = text(client.get(url("meeting_detail", cast, meeting_id=after.public_id)))

    assert moved.starts_at == datetime.fromisoformat("2027-03-14T07:30Z")
    assert "Moved to 03:30: 02:30 does not exist that night in America/New_York." in page
    assert "does not exist" not in unmoved
    if viewer_zone == "Europe/London":
        assert 'Sunday 14 March 2027, 07:30–08:30</strong> <span class="muted">(Europe/London)</span>' in page
        assert "That is 03:30–04:30 in America/New_York, where the meeting is held." in page
        assert "That is 02:30–03:30 in America/New_York, where the meeting is held." in unmoved
    else:
        assert 'Sunday 14 March 2027, 03:30–04:30</strong> <span class="muted">(America/New_York)</span>' in page
        assert "where the meeting is held" not in page


@time_machine.travel("2027-03-01 09:00Z", tick=False)
def test_moving_one_meeting_into_the_gap_says_where_it_landed(client, cast, rounds):
    with scope(organization=cast.org):
        series = _weekly_series(
            rounds, first_date=date(2027, 3, 6), start_time=time(18, 0), time_zone="America/New_York"
        )
        meeting = series.meetings.order_by("starts_at")[1]  # Saturday 13 March
    client.force_login(cast.alice.user)
    response = client.post(
        url("meeting_edit", cast, meeting_id=meeting.public_id),
        {"local_date": "2027-03-14", "start_time": "02:30", "duration_minutes": 60, "following": "0"},
        follow=True,
    )
    assert (
        "Saved. Everyone affected will be told. "
        "Sunday 14 March 2027: moved to 03:30: 02:30 does not exist that night in America/New_York."
    ) in text(response)
    with scopes_disabled():
        meeting.refresh_from_db()
    assert meeting.starts_at == datetime.fromisoformat("2027-03-14T07:30Z")


@time_machine.travel("2027-03-01 09:00Z", tick=False)
def test_the_meetings_own_time_names_its_day_when_that_differs_from_the_viewers(client, cast, rounds):
    with scope(organization=cast.org):
        series = _weekly_series(
            rounds, first_date=date(2027, 3, 9), start_time=time(20, 0), time_zone="America/New_York"
        )
        meeting = series.meetings.order_by("starts_at").first()
    cast.bob.user.time_zone = "Asia/Tokyo"
    cast.bob.user.save()
    client.force_login(cast.bob.user)
    page = text(client.get(url("meeting_detail", cast, meeting_id=meeting.public_id)))
    assert 'Wednesday 10 March 2027, 10:00–11:00</strong> <span class="muted">(Asia/Tokyo)</span>' in page
    assert "That is Tuesday 9 March, 20:00–21:00 in America/New_York, where the meeting is held." in page


@time_machine.travel("2027-03-01 09:00Z", tick=False)
def test_one_scheduled_meeting_is_one_meeting(client, cast, rounds):
    client.force_login(cast.alice.user)
    response = client.post(
        url("series_create", cast, cohort_id=rounds.public_id),
        {
            "frequency": "weekly",
            "weekday": 2,
            "first_date": "2027-03-10",
            "last_date": "2027-03-10",
            "start_time": "12:30",
            "time_zone": "Europe/London",
            "duration_minutes": 60,
        },
        follow=True,
    )
    assert "Scheduled 1 meeting for the next 16 weeks; more are added as time goes on." in text(response)


@pytest.mark.parametrize(
    ("day", "asked", "zone", "actual"),
    [
        (NY_GAP_NIGHT, time(2, 30), "America/New_York", time(3, 30)),
        (NY_GAP_NIGHT, time(2, 0), "America/New_York", time(3, 0)),
        (NY_GAP_NIGHT, time(3, 0), "America/New_York", None),
        (NY_GAP_NIGHT, time(1, 59), "America/New_York", None),
        (date(2027, 10, 3), time(2, 15), "Australia/Lord_Howe", time(2, 45)),  # a 30-minute gap
        (date(2027, 10, 31), time(1, 30), "Europe/London", None),  # the fold happens twice, not never
        (date(2011, 12, 30), time(10, 0), "Pacific/Apia", None),  # a skipped date has no meeting at all
    ],
)
def test_gap_move_names_the_time_a_missing_wall_clock_time_becomes(day, asked, zone, actual):
    move = gap_move(local_date=day, start_time=asked, time_zone=zone)
    assert (move and move.actual) == actual


@pytest.mark.parametrize(("kind", "panel"), [("schwartz_rounds", True), ("balint_group", False), ("custom", False)])
def test_panel_preparation_only_for_cohorts_with_a_panel(client, cast, kind, panel):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, kind=kind, panel_size=3 if kind == "schwartz_rounds" else 0)
        facilitator = CohortMemberFactory(cohort=cohort, role="facilitator")
        meeting = MeetingFactory(cohort=cohort)
    client.force_login(facilitator.membership.user)
    meeting_page = text(client.get(url("meeting_detail", cast, meeting_id=meeting.public_id)))
    client.force_login(cast.alice.user)
    edit_page = text(client.get(url("cohort_edit", cast, cohort_id=cohort.public_id)))
    assert ("<h2>Panel preparation</h2>" in meeting_page) is panel
    assert ('name="panel_size"' in edit_page, 'name="panel_prep_days"' in edit_page) == (panel, panel)


def test_counts_on_cohort_pages_are_in_words(client, cast, rounds):
    with scope(organization=cast.org):
        balint = CohortFactory(organization=cast.org, name="Balint Tuesdays", kind="balint_group", min_members=6)
        CohortMemberFactory(cohort=balint, membership=cast.bob)
    client.force_login(cast.alice.user)
    cohorts = text(client.get(url("cohort_list", cast)))
    balint_page = text(client.get(url("cohort_detail", cast, cohort_id=balint.public_id)))
    assert "· Schwartz Rounds · 1 person</span>" in cohorts
    assert "A Balint group works best with at least 6 members; this one has 1." in balint_page


def test_calling_a_debrief_for_one_person_says_person(client, cast, rounds):
    client.force_login(cast.alice.user)
    response = client.post(
        url("hot_debrief_create", cast, cohort_id=rounds.public_id),
        {"starts_in": 60, "people": [cast.bob.public_id]},
        follow=True,
    )
    assert "Debrief called for 1 person." in text(response)


ADMIN_LOOKS_AT = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)


def _coming(response) -> str:
    return re.search(r"<dt>(?:Coming|Places)</dt><dd>([^<]*)</dd>", response.content.decode()).group(1)


@pytest.mark.security
def test_an_admin_outside_the_cohort_sees_no_count_below_k(client, cast):
    """A hot debrief called for one person: a count would be that person's answer."""
    with time_machine.travel(ADMIN_LOOKS_AT, tick=False), scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org)
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
        debrief = MeetingFactory(
            cohort=cohort,
            invite_only=True,
            starts_at=ADMIN_LOOKS_AT + timedelta(hours=2),
            ends_at=ADMIN_LOOKS_AT + timedelta(hours=3),
        )
        MeetingInvitee.objects.create(organization=cast.org, meeting=debrief, membership=cast.bob)
        rsvp_set(meeting=debrief, membership=cast.bob, status="going")
    url = reverse("meeting_detail", kwargs={"org_slug": cast.org.slug, "meeting_id": debrief.public_id})

    with time_machine.travel(ADMIN_LOOKS_AT, tick=False):
        client.force_login(cast.alice.user)  # the organisation's admin, not in the cohort
        assert _coming(client.get(url)) == "fewer than 5"
        client.force_login(cast.bob.user)  # called to it: sees the count
        assert _coming(client.get(url)) == "1"


@pytest.mark.security
def test_an_admin_outside_the_cohort_sees_the_count_from_k_people(client, cast):
    with time_machine.travel(ADMIN_LOOKS_AT, tick=False), scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org)
        meeting = MeetingFactory(
            cohort=cohort,
            starts_at=ADMIN_LOOKS_AT + timedelta(days=1),
            ends_at=ADMIN_LOOKS_AT + timedelta(days=1, hours=1),
        )
        for _ in range(5):
            place = CohortMemberFactory(cohort=cohort)
            rsvp_set(meeting=meeting, membership=place.membership, status="going")
    url = reverse("meeting_detail", kwargs={"org_slug": cast.org.slug, "meeting_id": meeting.public_id})

    with time_machine.travel(ADMIN_LOOKS_AT, tick=False):
        client.force_login(cast.alice.user)
        assert _coming(client.get(url)) == "5"


@time_machine.travel("2027-03-17 09:00Z", tick=False)
def test_cohort_page_says_when_each_series_meets_next(client, cast, rounds):
    with scope(organization=cast.org):
        _weekly_series(rounds, first_date=date(2027, 3, 15), start_time=time(14, 30), time_zone="Europe/London")
    client.force_login(cast.bob.user)

    page = text(client.get(url("cohort_detail", cast, cohort_id=rounds.public_id)))

    # Started on Monday 15 March; seen on Wednesday 17th, the next is Monday 22nd.
    assert "next on Monday 22 March" in page
