"""Cohort, series and meeting pages as members, facilitators and admins use them."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Role
from sessions_app.cohorts.models import Cohort, CohortMember, CohortRole
from sessions_app.meetings.models import Meeting, Rsvp, Series
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, MembershipFactory

pytestmark = [pytest.mark.scheduling, pytest.mark.django_db]


def url(name, cast, **kwargs):
    return reverse(name, kwargs={"org_slug": cast.org.slug, **kwargs})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def balint(cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Balint Tuesdays", kind="balint_group", max_members=12)
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
    return cohort


def test_admin_creates_a_cohort_with_its_kind_defaults(client, cast):
    client.force_login(cast.alice.user)
    response = client.post(url("cohort_create", cast), {"name": "Wednesday Balint", "kind": "balint_group"})
    with scopes_disabled():
        cohort = Cohort.objects.get(name="Wednesday Balint")
    assert response["Location"] == url("cohort_detail", cast, cohort_id=cohort.public_id)
    assert (cohort.min_members, cohort.max_members, cohort.max_facilitators) == (6, 12, 2)
    assert cohort.default_duration_minutes == 90
    assert "What is said here stays here." in cohort.ground_rules


def test_duplicate_cohort_name_is_a_form_error(client, cast, balint):
    client.force_login(cast.alice.user)
    response = client.post(url("cohort_create", cast), {"name": "balint tuesdays", "kind": "custom"})
    assert "There is already a cohort called “balint tuesdays”." in text(response)


def test_members_cannot_create_cohorts(client, cast):
    client.force_login(cast.bob.user)
    assert client.post(url("cohort_create", cast), {"name": "X", "kind": "custom"}).status_code == 403


def test_member_sees_only_their_cohorts(client, cast, balint):
    with scope(organization=cast.org):
        CohortFactory(organization=cast.org, name="Secret other cohort")
    client.force_login(cast.bob.user)
    page = text(client.get(url("cohort_list", cast)))
    assert "Balint Tuesdays" in page
    assert "Secret other cohort" not in page


def test_size_limit_is_enforced_with_a_clear_message(client, cast, balint):
    with scope(organization=cast.org):
        balint.max_members = 1
        balint.save()
        newcomer = MembershipFactory(organization=cast.org)
    client.force_login(cast.alice.user)
    response = client.post(
        url("cohort_member_add", cast, cohort_id=balint.public_id),
        {"membership": newcomer.public_id, "role": "member"},
        follow=True,
    )
    assert "Balint Tuesdays can have at most 1 members (Balint group); it has 1, so 1 more would not fit." in text(
        response
    )
    with scopes_disabled():
        assert not CohortMember.objects.filter(membership=newcomer).exists()


def test_adding_by_email_invites_with_a_reserved_place(
    client, cast, balint, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.alice.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("cohort_member_add", cast, cohort_id=balint.public_id),
            {"email": "gp@example.org", "role": "facilitator"},
            follow=True,
        )
    assert "Invitation sent to gp@example.org; they join Balint Tuesdays when they accept." in text(response)
    assert [m.to for m in mailoutbox] == [["gp@example.org"]]
    with scopes_disabled():
        place = balint.pending_invitations.get()
    assert (place.invitation.email, place.role) == ("gp@example.org", CohortRole.FACILITATOR)


def test_accepting_the_invitation_takes_up_the_cohort_place(client, cast, balint):
    with scope(organization=cast.org):
        from sessions_app.cohorts.services import cohort_invite

        invitation, _ = cohort_invite(
            cohort=balint,
            email="charlie@example.org",
            role=Role.MEMBER,
            cohort_role=CohortRole.MEMBER,
            invited_by=cast.alice.user,
        )
    client.force_login(cast.charlie.user)
    client.post(reverse("invitation_accept", kwargs={"token": invitation.token}))
    with scopes_disabled():
        assert CohortMember.objects.filter(cohort=balint, membership__user=cast.charlie.user).exists()


def test_facilitator_schedules_a_fortnightly_series_from_the_friendly_form(client, cast, balint):
    with scope(organization=cast.org):
        facilitator = CohortMemberFactory(cohort=balint, role=CohortRole.FACILITATOR)
    client.force_login(facilitator.membership.user)
    first = timezone.localdate() + timedelta(days=7)
    response = client.post(
        url("series_create", cast, cohort_id=balint.public_id),
        {
            "frequency": "fortnightly",
            "weekday": first.weekday(),
            "first_date": first.isoformat(),
            "start_time": "18:30",
            "time_zone": "Europe/London",
            "duration_minutes": 90,
            "location": "Library",
        },
        follow=True,
    )
    with scopes_disabled():
        series = Series.objects.get(cohort=balint)
    assert series.rrule == f"FREQ=WEEKLY;INTERVAL=2;BYDAY={['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][first.weekday()]}"
    count = 8 if (first - timezone.localdate()).days < 14 else 7
    assert f"Scheduled {count} meetings for the next 16 weeks" in text(response)
    assert "Every 2 weeks on" in text(response)


def test_bad_series_input_is_a_form_error_that_creates_nothing(client, cast, balint):
    client.force_login(cast.alice.user)
    response = client.post(
        url("series_create", cast, cohort_id=balint.public_id),
        {
            "frequency": "custom",
            "rrule": "FREQ=MINUTELY",
            "first_date": "2020-01-01",
            "start_time": "25:00",
            "time_zone": "Mars/Base",
            "duration_minutes": 0,
        },
    )
    page = text(response)
    assert "The first meeting can&#x27;t be in the past." in page
    assert "Enter a valid time." in page
    assert "Select a valid choice. Mars/Base is not one of the available choices." in page
    with scopes_disabled():
        assert not Series.objects.exists()


def test_members_cannot_schedule(client, cast, balint):
    client.force_login(cast.bob.user)
    assert client.get(url("series_create", cast, cohort_id=balint.public_id)).status_code == 403


def test_one_click_skip_from_the_home_page(client, cast, balint):
    with scope(organization=cast.org):
        meeting = MeetingFactory(cohort=balint)
    client.force_login(cast.bob.user)
    home = url("organization_home", cast)
    response = client.post(url("meeting_rsvp", cast, meeting_id=meeting.public_id), {"status": "skip", "next": home})
    assert response["Location"] == home
    page = text(client.get(home))
    assert "Skipping this one. No need to explain." in page
    assert 'value="skip" class="chosen" aria-pressed="true"' in page
    with scopes_disabled():
        assert Rsvp.objects.get().status == "skip"


def test_going_before_accepting_ground_rules_leads_to_them(client, cast, balint):
    with scope(organization=cast.org):
        balint.ground_rules = "We keep confidences."
        balint.save()
        meeting = MeetingFactory(cohort=balint)
    client.force_login(cast.bob.user)
    response = client.post(url("meeting_rsvp", cast, meeting_id=meeting.public_id), {"status": "going"})
    assert response["Location"] == url("ground_rules", cast, cohort_id=balint.public_id) + f"?going={meeting.public_id}"
    client.post(url("ground_rules", cast, cohort_id=balint.public_id))
    client.post(url("meeting_rsvp", cast, meeting_id=meeting.public_id), {"status": "going"})
    with scopes_disabled():
        assert Rsvp.objects.get().status == "going"
        assert CohortMember.objects.get(membership=cast.bob).ground_rules_acknowledged_at is not None


def test_unsafe_next_is_ignored(client, cast, balint):
    with scope(organization=cast.org):
        meeting = MeetingFactory(cohort=balint)
    client.force_login(cast.bob.user)
    response = client.post(
        url("meeting_rsvp", cast, meeting_id=meeting.public_id), {"status": "skip", "next": "https://evil.example/"}
    )
    assert response["Location"] == url("meeting_detail", cast, meeting_id=meeting.public_id)


def test_names_of_who_is_coming_only_for_the_cohorts_facilitators(client, cast, balint):
    with scope(organization=cast.org):
        facilitator = CohortMemberFactory(cohort=balint, role=CohortRole.FACILITATOR)
        meeting = MeetingFactory(cohort=balint)
        Rsvp.objects.create(organization=cast.org, meeting=meeting, membership=cast.bob, status="going")
    meeting_url = url("meeting_detail", cast, meeting_id=meeting.public_id)
    client.force_login(facilitator.membership.user)
    as_facilitator = text(client.get(meeting_url))
    client.force_login(cast.alice.user)  # organisation admin, not this cohort's facilitator
    as_admin = text(client.get(meeting_url))
    assert "Who is coming" in as_facilitator and "<li>Bob</li>" in as_facilitator
    assert "Who is coming" not in as_admin and "Bob" not in as_admin
    # One person going: the admin, outside the cohort, sees no count below k.
    assert "<dt>Coming</dt><dd>fewer than 5</dd>" in as_admin


def test_home_shows_times_in_the_persons_own_time_zone(client, cast, balint):
    with scope(organization=cast.org):
        start = timezone.now().replace(microsecond=0) + timedelta(days=3)
        MeetingFactory(
            cohort=balint, starts_at=start.replace(hour=17, minute=0), ends_at=start.replace(hour=18, minute=0)
        )
    cast.bob.user.time_zone = "Asia/Kolkata"
    cast.bob.user.save()
    client.force_login(cast.bob.user)
    assert "22:30–23:30" in text(client.get(url("organization_home", cast)))


@time_machine.travel("2026-10-01 09:00Z")
def test_move_one_meeting_from_the_page(client, cast, balint):
    with scope(organization=cast.org):
        from sessions_app.meetings.series import series_create

        series = series_create(
            cohort=balint,
            rule="FREQ=WEEKLY;BYDAY=TU",
            first_date=date(2026, 10, 6),
            start_time=timezone.datetime(2026, 1, 1, 18, 0).time(),
            time_zone="Europe/London",
            duration_minutes=60,
        )
        second = series.meetings.order_by("starts_at")[1]
    client.force_login(cast.alice.user)
    client.post(
        url("meeting_edit", cast, meeting_id=second.public_id),
        {"local_date": "2026-10-14", "start_time": "12:15", "duration_minutes": 45, "following": "0"},
    )
    with scopes_disabled():
        second.refresh_from_db()
    assert second.starts_at.isoformat() == "2026-10-14T11:15:00+00:00"
    assert second.ends_at - second.starts_at == timedelta(minutes=45)
    assert second.sequence == 1


@pytest.mark.parametrize("rows", [1, 15])
def test_list_pages_use_a_constant_number_of_queries(client, cast, balint, django_assert_num_queries, rows):
    with scope(organization=cast.org):
        for _ in range(rows):
            meeting = MeetingFactory(cohort=balint)
            Rsvp.objects.create(organization=cast.org, meeting=meeting, membership=cast.bob, status="going")
            CohortMemberFactory(cohort=balint)
            CohortFactory(organization=cast.org)
    client.force_login(cast.alice.user)
    with django_assert_num_queries(3):
        client.get(url("cohort_list", cast))
    with django_assert_num_queries(9):  # 9th: the requests to join waiting (issue 13)
        client.get(url("cohort_detail", cast, cohort_id=balint.public_id))
    client.force_login(cast.bob.user)
    with django_assert_num_queries(6):
        client.get(url("organization_home", cast))
    with scopes_disabled():
        assert Meeting.objects.count() == rows


@pytest.mark.parametrize("rows", [1, 15])
def test_meeting_page_for_a_facilitator_uses_constant_queries(client, cast, balint, django_assert_num_queries, rows):
    with scope(organization=cast.org):
        facilitator = CohortMemberFactory(cohort=balint, role=CohortRole.FACILITATOR)
        meeting = MeetingFactory(cohort=balint)
        for _ in range(rows):
            person = CohortMemberFactory(cohort=balint).membership
            Rsvp.objects.create(organization=cast.org, meeting=meeting, membership=person, status="going")
    client.force_login(facilitator.membership.user)
    # 8: the seven of the page, and its video link's state (does a facilitator need to act?).
    with django_assert_num_queries(8):
        page = text(client.get(url("meeting_detail", cast, meeting_id=meeting.public_id)))
    assert page.count("<li>Person ") == rows
