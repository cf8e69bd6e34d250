"""Signing in at the door with the meeting's code (issue 13 §2): the window's edges, a
second scan, a cancelled meeting, tampered and foreign codes, and the rate limit."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scopes_disabled

from sessions_app.attendance import codes
from sessions_app.attendance.models import Attendance
from sessions_app.attendance.selectors import meeting_door_code
from sessions_app.attendance.services import DOOR_MISSES
from sessions_app.meetings.models import MeetingStatus
from tests.attendance.conftest import ENDS, STARTS
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, MembershipFactory

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def door_url(org, code):
    return reverse("attendance_door_code", kwargs={"org_slug": org.slug, "code": code})


def code_of(meeting):
    with scopes_disabled():
        return meeting_door_code(meeting)


def present(meeting):
    with scopes_disabled():
        return list(Attendance.objects.filter(meeting=meeting).values_list("membership__user__email", "source"))


OPENS = STARTS - timedelta(minutes=30)
CLOSES = ENDS + timedelta(minutes=30)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (OPENS - SECOND, False),
        (OPENS, True),
        (CLOSES, True),
        (CLOSES + SECOND, False),
    ],
    ids=["a second before it opens", "30 minutes before the start", "30 minutes after the end", "a second late"],
)
def test_the_code_works_from_30_minutes_before_the_start_to_30_after_the_end(client, cast, meeting, moment, allowed):
    with time_machine.travel(moment, tick=False):
        client.force_login(cast.bob.user)
        page = client.get(door_url(cast.org, code_of(meeting)))
        response = client.post(door_url(cast.org, code_of(meeting)), {"action": "here"}, follow=True)
    assert (">I'm here<" in text(page)) is allowed
    assert present(meeting) == ([("bob@example.org", "door")] if allowed else [])
    message = text(response)
    if allowed:
        assert "Thank you, you&#x27;re signed in." in message
    elif moment < STARTS:
        assert "Sign-in opens at 12:00, 30 minutes before the meeting." in message
    else:
        assert "Sign-in closed at 14:00, 30 minutes after the meeting ended." in message


@time_machine.travel(STARTS, tick=False)
def test_scanning_twice_changes_nothing_and_says_so(client, cast, meeting):
    client.force_login(cast.bob.user)
    client.post(door_url(cast.org, code_of(meeting)), {"action": "here"})
    again = client.post(door_url(cast.org, code_of(meeting)), {"action": "here"}, follow=True)
    assert "You&#x27;re already signed in — thank you." in text(again)
    assert present(meeting) == [("bob@example.org", "door")]


@time_machine.travel(STARTS, tick=False)
def test_a_cancelled_meeting_says_so_and_records_nothing(client, cast, meeting):
    with scopes_disabled():
        meeting.status = MeetingStatus.CANCELLED
        meeting.save()
    client.force_login(cast.bob.user)
    response = client.post(door_url(cast.org, code_of(meeting)), {"action": "here"}, follow=True)
    assert "This meeting was cancelled, so there is nothing to sign in to." in text(response)
    assert present(meeting) == []


@pytest.mark.security
@time_machine.travel(STARTS, tick=False)
def test_a_tampered_code_is_refused_and_records_nothing(client, cast, meeting):
    code = code_of(meeting)
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    client.force_login(cast.bob.user)
    response = client.post(door_url(cast.org, tampered), {"action": "here"})
    assert response.status_code == 404
    assert "This code doesn&#x27;t let you sign in to anything at St Elsewhere." in text(response)
    assert meeting.display_title not in response.content.decode()
    assert present(meeting) == []


@pytest.mark.security
@time_machine.travel(STARTS, tick=False)
def test_another_organisations_code_fails_here(client, cast, meeting):
    # Sam is in both organisations: St Elsewhere's code typed at County General's door.
    with scopes_disabled():
        sam = MembershipFactory(organization=cast.org, user__email="sam@example.org")
        CohortMemberFactory(cohort=meeting.cohort, membership=sam)
        MembershipFactory(organization=cast.other_org, user=sam.user)
    client.force_login(sam.user)
    response = client.post(door_url(cast.other_org, code_of(meeting)), {"action": "here"})
    assert response.status_code == 404
    assert "This code doesn&#x27;t let you sign in to anything at County General." in text(response)
    assert meeting.display_title not in response.content.decode()
    assert present(meeting) == []


@pytest.mark.security
@time_machine.travel(STARTS, tick=False)
def test_the_same_meeting_in_another_organisation_has_another_code(cast):
    with scopes_disabled():
        ours = MeetingFactory(cohort=CohortFactory(organization=cast.org), starts_at=STARTS, ends_at=ENDS)
        theirs = MeetingFactory(cohort=CohortFactory(organization=cast.other_org), starts_at=STARTS, ends_at=ENDS)
        theirs.public_id = ours.public_id + "x"
    assert meeting_door_code(ours) != codes.door_code(
        organization_id=cast.other_org.pk, meeting_id=ours.public_id, starts_at=STARTS, ends_at=ENDS
    )


@pytest.mark.security
@time_machine.travel(STARTS, tick=False)
def test_a_closed_cohorts_code_reveals_nothing_to_someone_outside_it(client, cast, meeting):
    client.force_login(cast.alice.user)  # the admin, in no cohort
    response = client.get(door_url(cast.org, code_of(meeting)))
    assert response.status_code == 404
    assert meeting.display_title not in response.content.decode()
    assert meeting.cohort.name not in response.content.decode()


@time_machine.travel(STARTS, tick=False)
def test_anyone_in_the_organisation_signs_in_to_an_open_cohorts_meeting(client, cast, meeting):
    with scopes_disabled():
        meeting.cohort.is_open = True
        meeting.cohort.save()
    client.force_login(cast.alice.user)
    client.post(door_url(cast.org, code_of(meeting)), {"action": "here"})
    assert present(meeting) == [("alice@example.org", "door")]


@time_machine.travel(STARTS, tick=False)
def test_an_invite_only_debrief_stays_closed_even_in_an_open_cohort(client, cast, meeting):
    with scopes_disabled():
        meeting.cohort.is_open = True
        meeting.cohort.save()
        meeting.invite_only = True
        meeting.save()
    client.force_login(cast.alice.user)
    assert client.post(door_url(cast.org, code_of(meeting)), {"action": "here"}).status_code == 404
    assert present(meeting) == []


def test_a_typed_code_goes_to_the_meetings_door_page(client, cast, meeting):
    client.force_login(cast.bob.user)
    code = code_of(meeting)
    typed = f" {code[:4].lower()}-{code[4:]} "
    response = client.post(reverse("attendance_door", kwargs={"org_slug": cast.org.slug}), {"code": typed})
    assert response["Location"] == door_url(cast.org, code)


def test_something_that_is_not_a_code_gets_a_clear_message(client, cast, meeting):
    client.force_login(cast.bob.user)
    response = client.post(reverse("attendance_door", kwargs={"org_slug": cast.org.slug}), {"code": "0000"})
    assert response.status_code == 200
    assert "A sign-in code is eight letters and numbers, like ABCD-EF23." in text(response)


@pytest.mark.security
@time_machine.travel(STARTS, tick=False)
def test_wrong_codes_are_limited_per_person_and_then_even_the_right_one_waits(client, cast, meeting):
    client.force_login(cast.bob.user)
    wrong = [f"ZZZZZZ{a}{b}" for a in "23" for b in "23456789"][: DOOR_MISSES.per]
    statuses = [client.get(door_url(cast.org, code)).status_code for code in wrong]
    assert statuses == [404] * DOOR_MISSES.per
    locked = client.post(door_url(cast.org, code_of(meeting)), {"action": "here"})
    assert locked.status_code == 429
    assert "Too many codes that didn&#x27;t match. Please wait until 12:45, then try again." in text(locked)
    assert present(meeting) == []
    # Someone else is not held up by bob's mistakes, and bob may try again later.
    client.force_login(cast.alice.user)
    with scopes_disabled():
        meeting.cohort.is_open = True
        meeting.cohort.save()
    assert client.get(door_url(cast.org, code_of(meeting))).status_code == 200
    with time_machine.travel(STARTS + timedelta(minutes=15), tick=False):
        client.force_login(cast.bob.user)
        client.post(door_url(cast.org, code_of(meeting)), {"action": "here"})
    assert present(meeting) == [("bob@example.org", "door")]


@time_machine.travel(STARTS, tick=False)
def test_the_door_shows_ground_rules_not_yet_accepted_and_accepting_is_not_a_gate(client, cast, meeting):
    with scopes_disabled():
        meeting.cohort.ground_rules = "What is said here stays here."
        meeting.cohort.save()
    client.force_login(cast.bob.user)
    page = text(client.get(door_url(cast.org, code_of(meeting))))
    assert "What is said here stays here." in page
    assert "I accept these ground rules" in page
    client.post(door_url(cast.org, code_of(meeting)), {"action": "here"})
    assert present(meeting) == [("bob@example.org", "door")]
    client.post(door_url(cast.org, code_of(meeting)), {"action": "ground_rules"})
    assert "What is said here stays here." not in text(client.get(door_url(cast.org, code_of(meeting))))


@time_machine.travel(STARTS, tick=False)
def test_the_facilitators_screen_shows_the_code_and_a_qr_code_of_the_door_url(client, cast, rounds, meeting):
    client.force_login(rounds.farah.user)
    page = client.get(
        reverse("attendance_door_screen", kwargs={"org_slug": cast.org.slug, "meeting_id": meeting.public_id})
    )
    body = page.content.decode()
    assert codes.display(code_of(meeting)) in body
    assert '<svg class="qr" role="img"' in body
    assert "<script" not in body.split("<body", 1)[1]


@time_machine.travel(STARTS, tick=False)
def test_only_the_cohorts_facilitators_open_the_sign_in_screen(client, cast, meeting):
    client.force_login(cast.alice.user)  # an admin, not a facilitator of this cohort
    url = reverse("attendance_door_screen", kwargs={"org_slug": cast.org.slug, "meeting_id": meeting.public_id})
    assert client.get(url).status_code == 403
    client.force_login(cast.bob.user)  # a member of the cohort
    assert client.get(url).status_code == 403
