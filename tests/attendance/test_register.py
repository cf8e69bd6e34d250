"""The facilitator's register (issue 13 §2): ticking and unticking in one save, walk-ins
by e-mail and by name, the counts on top, and who may open it."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.attendance.models import Attendance
from sessions_app.meetings.models import Rsvp, RsvpStatus
from tests.attendance.conftest import STARTS
from tests.factories import CohortMemberFactory, MembershipFactory

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def url(name, cast, meeting):
    return reverse(name, kwargs={"org_slug": cast.org.slug, "meeting_id": meeting.public_id})


def counts(page: str) -> tuple[str, str, str]:
    found = dict(re.findall(r'<dd id="count-([a-z-]+)">(\d+)</dd>', page))
    return found["present"], found["going"], found["walk-ins"]


@pytest.fixture
def going(cast, rounds, meeting):
    """Bob and Priya said Going; Priya signed in at the door."""
    with scope(organization=cast.org):
        priya = MembershipFactory(organization=cast.org, user__email="priya@example.org", user__display_name="Priya")
        CohortMemberFactory(cohort=rounds, membership=priya)
        for person in (cast.bob, priya):
            Rsvp.objects.create(organization=cast.org, meeting=meeting, membership=person, status=RsvpStatus.GOING)
        Attendance.objects.create(organization=cast.org, meeting=meeting, membership=priya, source="door")
    return priya


def present(meeting):
    with scopes_disabled():
        return sorted(
            (a.membership.user.email if a.membership_id else a.guest_name, a.source)
            for a in Attendance.objects.filter(meeting=meeting).select_related("membership__user")
        )


@time_machine.travel(STARTS, tick=False)
def test_the_register_lists_who_said_going_and_who_is_present_with_counts(client, cast, rounds, meeting, going):
    client.force_login(rounds.farah.user)
    page = text(client.get(url("attendance_register", cast, meeting)))
    assert counts(page) == ("1", "2", "0")
    assert f'name="present" value="{cast.bob.public_id}"> Bob</label>' in page
    assert f'name="present" value="{going.public_id}" checked> Priya</label>' in page


@time_machine.travel(STARTS, tick=False)
def test_ticking_and_unticking_save_in_one_post(client, cast, rounds, meeting, going):
    client.force_login(rounds.farah.user)
    listed = [cast.bob.public_id, going.public_id]
    response = client.post(
        url("attendance_register", cast, meeting), {"listed": listed, "present": [cast.bob.public_id]}
    )
    assert response.status_code == 302
    assert present(meeting) == [("bob@example.org", "register")]
    page = text(client.get(url("attendance_register", cast, meeting)))
    assert "Register saved: 1 marked present, 1 removed." in page
    assert counts(page) == ("1", "2", "0")
    with scopes_disabled():
        assert Attendance.objects.get(meeting=meeting).recorded_by == rounds.farah


@time_machine.travel(STARTS, tick=False)
def test_someone_signed_in_at_the_door_meanwhile_is_not_unticked(client, cast, rounds, meeting, going):
    client.force_login(rounds.farah.user)
    # The page listed only bob; priya signed in while it was open.
    client.post(url("attendance_register", cast, meeting), {"listed": [cast.bob.public_id], "present": []})
    assert present(meeting) == [("priya@example.org", "door")]


@time_machine.travel(STARTS, tick=False)
def test_a_walk_in_by_email_is_the_members_own_attendance(client, cast, rounds, meeting, going):
    client.force_login(rounds.farah.user)
    response = client.post(url("attendance_walk_in", cast, meeting), {"email": "ALICE@example.org"}, follow=True)
    page = text(response)
    assert "Added Alice as a walk-in." in page
    assert counts(page) == ("2", "2", "1")
    assert present(meeting) == [("alice@example.org", "walk_in"), ("priya@example.org", "door")]


@time_machine.travel(STARTS, tick=False)
def test_an_unknown_email_offers_to_add_by_name_and_changes_nothing(client, cast, rounds, meeting, going):
    client.force_login(rounds.farah.user)
    response = client.post(url("attendance_walk_in", cast, meeting), {"email": "visitor@elsewhere.example"})
    assert response.status_code == 400
    assert "Nobody in St Elsewhere uses visitor@elsewhere.example. You can add them by name instead." in text(response)
    assert present(meeting) == [("priya@example.org", "door")]


@pytest.mark.security
@time_machine.travel(STARTS, tick=False)
def test_an_email_of_another_organisation_is_unknown_here(client, cast, rounds, meeting):
    client.force_login(rounds.farah.user)
    response = client.post(url("attendance_walk_in", cast, meeting), {"email": cast.charlie.user.email})
    assert "Nobody in St Elsewhere uses charlie@example.org." in text(response)
    assert present(meeting) == []


@time_machine.travel(STARTS, tick=False)
def test_a_walk_in_by_name_is_a_guest_kept_encrypted(client, cast, rounds, meeting):
    client.force_login(rounds.farah.user)
    page = text(client.post(url("attendance_walk_in", cast, meeting), {"name": "Dr Visiting Student"}, follow=True))
    assert counts(page) == ("1", "0", "1")
    assert 'Dr Visiting Student</label> <span class="muted">(guest)</span>' in page
    with connection.cursor() as cursor:
        cursor.execute("SELECT guest_name FROM sessions_app_attendance")
        (raw,) = cursor.fetchone()
    assert "Visiting" not in raw


@time_machine.travel(STARTS, tick=False)
def test_a_name_with_a_line_break_is_refused(client, cast, rounds, meeting):
    client.force_login(rounds.farah.user)
    response = client.post(url("attendance_walk_in", cast, meeting), {"name": "Eve\r\nBcc: x"})
    assert response.status_code == 400
    assert "Use one line of plain text" in text(response)
    assert present(meeting) == []


@time_machine.travel(STARTS, tick=False)
def test_unticking_a_guest_removes_them(client, cast, rounds, meeting):
    client.force_login(rounds.farah.user)
    client.post(url("attendance_walk_in", cast, meeting), {"name": "A visitor"})
    with scopes_disabled():
        guest = Attendance.objects.get(meeting=meeting)
    client.post(url("attendance_register", cast, meeting), {"listed": [guest.public_id], "present": []})
    assert present(meeting) == []


@time_machine.travel(STARTS - timedelta(hours=2), tick=False)
def test_the_register_cannot_be_filled_before_it_opens(client, cast, rounds, meeting, going):
    client.force_login(rounds.farah.user)
    response = client.post(
        url("attendance_register", cast, meeting),
        {"listed": [cast.bob.public_id], "present": [cast.bob.public_id]},
        follow=True,
    )
    assert "The register opens at 12:00, 30 minutes before the meeting." in text(response)
    assert present(meeting) == [("priya@example.org", "door")]


@pytest.mark.security
@time_machine.travel(STARTS, tick=False)
def test_only_the_cohorts_facilitators_see_the_register_not_admins_or_members(client, cast, rounds, meeting, going):
    for person in (cast.alice, cast.bob):
        client.force_login(person.user)
        get = client.get(url("attendance_register", cast, meeting))
        post = client.post(url("attendance_walk_in", cast, meeting), {"name": "Mallory"})
        assert (get.status_code, post.status_code) == (403, 403)
        assert b"Priya" not in get.content
    assert present(meeting) == [("priya@example.org", "door")]


@time_machine.travel(STARTS + timedelta(hours=3), tick=False)
def test_a_past_meeting_page_says_you_were_there_and_offers_the_register(client, cast, rounds, meeting, going):
    client.force_login(going.user)
    page = text(
        client.get(reverse("meeting_detail", kwargs={"org_slug": cast.org.slug, "meeting_id": meeting.public_id}))
    )
    assert "You were there." in page
    client.force_login(cast.bob.user)
    page = text(
        client.get(reverse("meeting_detail", kwargs={"org_slug": cast.org.slug, "meeting_id": meeting.public_id}))
    )
    assert "You were there." not in page
    assert "Sign-in at the door" not in page
    client.force_login(rounds.farah.user)
    page = text(
        client.get(reverse("meeting_detail", kwargs={"org_slug": cast.org.slug, "meeting_id": meeting.public_id}))
    )
    assert url("attendance_register", cast, meeting) in page
    assert url("attendance_door_screen", cast, meeting) in page
