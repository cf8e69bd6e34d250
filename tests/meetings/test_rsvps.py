"""RSVPs: one click, no explanation, capacity with a race-safe waitlist."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone
from django_scopes import scope

from sessions_app.meetings import rsvps
from sessions_app.meetings.models import MeetingStatus, Rsvp, RsvpStatus
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory

pytestmark = [pytest.mark.scheduling]


def _people(cohort, n):
    return [CohortMemberFactory(cohort=cohort).membership for _ in range(n)]


@pytest.fixture
def cohort(cast):
    with scope(organization=cast.org):
        yield CohortFactory(organization=cast.org)


@pytest.mark.django_db
def test_going_until_full_then_waitlisted_in_order(cohort):
    meeting = MeetingFactory(cohort=cohort, capacity=2)
    a, b, c, d = _people(cohort, 4)
    statuses = [rsvps.rsvp_set(meeting=meeting, membership=p, status="going").status for p in (a, b, c, d)]
    assert statuses == ["going", "going", "waitlisted", "waitlisted"]


@pytest.mark.django_db
def test_freed_place_goes_to_the_first_waiting(cohort):
    meeting = MeetingFactory(cohort=cohort, capacity=1)
    a, b, c = _people(cohort, 3)
    for person in (a, b, c):
        rsvps.rsvp_set(meeting=meeting, membership=person, status="going")
    rsvps.rsvp_set(meeting=meeting, membership=a, status="skip")
    by_person = dict(Rsvp.objects.filter(meeting=meeting).values_list("membership_id", "status"))
    assert by_person == {a.pk: "skip", b.pk: "going", c.pk: "waitlisted"}


@pytest.mark.django_db
def test_asking_again_keeps_your_waitlist_place(cohort):
    meeting = MeetingFactory(cohort=cohort, capacity=1)
    a, b, c = _people(cohort, 3)
    for person in (a, b, c):
        rsvps.rsvp_set(meeting=meeting, membership=person, status="going")
    rsvps.rsvp_set(meeting=meeting, membership=b, status="going")  # b clicks again
    rsvps.rsvp_set(meeting=meeting, membership=a, status="cant")
    assert Rsvp.objects.get(meeting=meeting, membership=b).status == "going"


@pytest.mark.django_db
def test_raising_capacity_promotes_in_order(cohort):
    meeting = MeetingFactory(cohort=cohort, capacity=1)
    people = _people(cohort, 4)
    for person in people:
        rsvps.rsvp_set(meeting=meeting, membership=person, status="going")
    promoted = rsvps.meeting_capacity_update(meeting=meeting, capacity=3)
    assert [r.membership_id for r in promoted] == [people[1].pk, people[2].pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("cancelled", "This meeting is cancelled."),
        ("past", "This meeting has already taken place."),
        ("outsider", "This meeting is for its cohort's members."),
        ("rules", "Please read and accept the group's ground rules before your first meeting."),
    ],
)
def test_refused_answers_say_why_and_change_nothing(cohort, cast, setup, message):
    meeting = MeetingFactory(cohort=cohort)
    person = cast.alice if setup == "outsider" else _people(cohort, 1)[0]
    if setup == "cancelled":
        meeting.status = MeetingStatus.CANCELLED
        meeting.save()
    if setup == "past":
        meeting.starts_at, meeting.ends_at = timezone.now() - timedelta(hours=2), timezone.now() - timedelta(hours=1)
        meeting.save()
    if setup == "rules":
        cohort.ground_rules = "Confidential."
        cohort.save()
    with pytest.raises(ValidationError) as caught:
        rsvps.rsvp_set(meeting=meeting, membership=person, status="going")
    assert caught.value.messages == [message]
    assert not Rsvp.objects.exists()


@pytest.mark.django_db
def test_skip_needs_no_ground_rules(cohort):
    cohort.ground_rules = "Confidential."
    cohort.save()
    meeting = MeetingFactory(cohort=cohort)
    person = _people(cohort, 1)[0]
    assert rsvps.rsvp_set(meeting=meeting, membership=person, status="skip").status == RsvpStatus.SKIP


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_place_at_once_exactly_one_gets_it(cast):
    assert connection.vendor == "postgresql", "run in the PostgreSQL pass (make test-postgres)"
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org)
        meeting = MeetingFactory(cohort=cohort, capacity=3)
        others = _people(cohort, 2)
        racers = _people(cohort, 8)
        for person in others:
            rsvps.rsvp_set(meeting=meeting, membership=person, status="going")
    start = threading.Barrier(len(racers))
    errors = []

    def take_place(person):
        try:
            with scope(organization=cast.org):
                start.wait()
                rsvps.rsvp_set(meeting=meeting, membership=person, status="going")
        except Exception as error:  # surfaced below; a thread must not swallow it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take_place, args=(p,)) for p in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with scope(organization=cast.org):
        statuses = sorted(Rsvp.objects.filter(membership__in=racers).values_list("status", flat=True))
    assert errors == []
    assert statuses == ["going"] + ["waitlisted"] * 7
