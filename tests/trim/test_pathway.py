"""Calling a hot debrief opens the TRiM pathway: a planning meeting within 24-48 hours and
two rounds of one-to-ones, every one at a daytime slot in the person's own zone."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.attention.models import AttentionBudget
from sessions_app.meetings.models import Meeting, MeetingKind, Rsvp, RsvpStatus
from sessions_app.notifications.models import Notification, NotificationKind, NotificationStatus
from sessions_app.trim import selectors, services
from sessions_app.trim.models import TrimCase, TrimOffer, TrimRound
from sessions_app.trim.slots import WORKING_HOURS
from tests.factories import MembershipFactory
from tests.trim.conftest import call_debrief

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
CLOCK_CHANGE_NIGHTS = [date(2027, 3, 28), date(2026, 10, 25)]


def _offers(case: TrimCase, person=None) -> list[TrimOffer]:
    with scopes_disabled():
        offers = TrimOffer.objects.filter(case=case).select_related("meeting", "person", "practitioner")
        if person is not None:
            offers = offers.filter(person=person)
        return list(offers.order_by("meeting__starts_at", "pk"))


def _assert_daytime(meeting: Meeting, zone: ZoneInfo) -> None:
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    assert WORKING_HOURS[0] <= start.time() and end.time() <= WORKING_HOURS[1] and end.date() == start.date()


@pytest.mark.security
@pytest.mark.parametrize("night", CLOCK_CHANGE_NIGHTS, ids=["spring-forward", "fall-back"])
def test_incident_at_0310_on_the_night_the_clocks_change_gives_daytime_follow_ups(cast, team, night):
    incident = datetime.combine(night, time(3, 10), LONDON)
    case = call_debrief(team, [cast.bob, cast.alice], incident)

    offers = _offers(case)
    assert len(offers) == 4
    for offer in offers:
        _assert_daytime(offer.meeting, LONDON)
        assert offer.meeting.starts_at.astimezone(LONDON).time() != time(3, 10)
        assert offer.meeting.kind == MeetingKind.TRIM_ONE_TO_ONE
    first = [o for o in offers if o.round == TrimRound.FIRST]
    # Never before 72 hours: the first daytime after it, 09:00 three days on, for the first
    # person; the second person's practitioner is another, so also 09:00.
    assert {o.meeting.starts_at.astimezone(LONDON) for o in first} == {
        datetime.combine(night + timedelta(days=3), time(9), LONDON)
    }
    assert {o.practitioner for o in first} == {team.pat, team.quinn}  # named in turn
    second = [o for o in offers if o.round == TrimRound.SECOND]
    for offer in second:
        assert abs(offer.meeting.starts_at - (incident + timedelta(days=30))) < timedelta(days=1)


@pytest.mark.parametrize("night", CLOCK_CHANGE_NIGHTS, ids=["spring-forward", "fall-back"])
def test_the_planning_meeting_lands_within_24_to_48_hours_in_daytime(cast, team, night):
    incident = datetime.combine(night, time(3, 10), LONDON)
    case = call_debrief(team, [cast.bob], incident)

    with scopes_disabled():
        planning = case.planning
        invited = set(planning.invitees.values_list("membership_id", flat=True))
    assert planning.kind == MeetingKind.TRIM_PLANNING
    assert incident + timedelta(hours=24) <= planning.starts_at <= incident + timedelta(hours=48)
    _assert_daytime(planning, LONDON)
    assert planning.starts_at.astimezone(LONDON) == datetime.combine(night + timedelta(days=1), time(9), LONDON)
    assert invited == {team.pat.pk, team.quinn.pk, team.dee.pk}


@pytest.mark.security
def test_a_persons_day_off_is_respected(cast, team):
    incident = datetime(2027, 3, 28, 3, 10, tzinfo=LONDON)  # Sunday
    with scopes_disabled():
        AttentionBudget.objects.create(organization=cast.org, membership=cast.bob, days_off=[2])  # Wednesdays
    case = call_debrief(team, [cast.bob], incident)

    first = _offers(case)[0]
    # 72 hours on is Wednesday 31 March: Bob's day off, so Thursday 09:00.
    assert first.meeting.starts_at.astimezone(LONDON) == datetime(2027, 4, 1, 9, 0, tzinfo=LONDON)
    for offer in _offers(case):
        assert offer.meeting.starts_at.astimezone(LONDON).weekday() != 2


@pytest.mark.security
def test_leave_is_respected(cast, team):
    incident = datetime(2026, 10, 25, 3, 10, tzinfo=LONDON)
    with scopes_disabled():
        AttentionBudget.objects.create(
            organization=cast.org, membership=cast.bob, leave_starts=date(2026, 10, 28), leave_ends=date(2026, 10, 30)
        )
    case = call_debrief(team, [cast.bob], incident)

    first = _offers(case)[0]
    assert first.meeting.starts_at.astimezone(LONDON) == datetime(2026, 10, 31, 9, 0, tzinfo=LONDON)


@pytest.mark.security
def test_a_person_in_another_zone_gets_their_own_daytime(cast, team):
    incident = datetime(2027, 3, 28, 3, 10, tzinfo=LONDON)
    with scopes_disabled():
        cast.bob.user.time_zone = "America/New_York"
        cast.bob.user.save(update_fields=["time_zone"])
    case = call_debrief(team, [cast.bob], incident)

    offers = _offers(case)
    for offer in offers:
        _assert_daytime(offer.meeting, NEW_YORK)
        assert offer.meeting.time_zone == "America/New_York"
    # 72 hours on is 22:10 in New York: the first daytime after it is 09:00 the next day.
    assert offers[0].meeting.starts_at.astimezone(NEW_YORK) == datetime(2027, 3, 31, 9, 0, tzinfo=NEW_YORK)


def test_a_practitioner_is_never_offered_twice_at_once(cast, team):
    with scopes_disabled():
        services.practitioner_revoke(membership=team.quinn, actor=cast.alice)
        people = [MembershipFactory(organization=cast.org) for _ in range(3)]
    case = call_debrief(team, people, datetime(2026, 10, 5, 14, 0, tzinfo=LONDON))

    starts = [o.meeting.starts_at for o in _offers(case) if o.round == TrimRound.FIRST]
    assert sorted(s.astimezone(LONDON).time() for s in starts) == [time(14), time(15), time(16)]


def test_each_offer_reaches_the_person_and_the_practitioner_through_the_outbox(cast, team):
    incident = datetime(2026, 10, 25, 3, 10, tzinfo=LONDON)
    case = call_debrief(team, [cast.bob], incident)

    offer = _offers(case)[0]
    with scopes_disabled():
        rows = Notification.objects.filter(meeting=offer.meeting, kind=NotificationKind.TRIM_OFFER)
        assert sorted(rows.values_list("recipient__user__display_name", flat=True)) == ["Bob", "Pat"]
        assert not Notification.objects.filter(meeting=offer.meeting, recipient=team.dee).exists()


def test_the_offer_email_names_the_practitioner_in_the_persons_language(cast, team, unscoped):
    from sessions_app.notifications.emails import notification_email

    case = call_debrief(team, [cast.bob], datetime(2026, 10, 25, 3, 10, tzinfo=LONDON))
    cast.bob.user.language = "cy"
    cast.bob.user.save(update_fields=["language"])
    offer = _offers(case)[0]
    offers_only = Notification.objects.filter(kind=NotificationKind.TRIM_OFFER, meeting=offer.meeting)
    row = offers_only.get(recipient=cast.bob)
    with time_machine.travel(datetime(2026, 10, 25, 9, 0, tzinfo=LONDON), tick=False):
        english_row = offers_only.get(recipient=team.pat)
        message = notification_email(english_row, connection=None, now=english_row.due_at)
        welsh = notification_email(row, connection=None, now=row.due_at)
    assert message.subject.endswith("Offered: TRiM one-to-one with Bob, Wed 28 Oct 09:00")
    assert welsh.subject.endswith("Cynnig: Sgwrs un-i-un TRiM gyda Pat, Mer 28 Hyd 09:00"), welsh.subject
    assert any(part[2] == "text/calendar" for part in welsh.attachments) or "text/calendar" in str(welsh.message())


def test_declining_is_respected_and_the_practitioner_sees_it(client, cast, team):
    case = call_debrief(team, [cast.bob], datetime(2026, 10, 5, 3, 10, tzinfo=LONDON))
    offer = _offers(case)[0]
    client.force_login(cast.bob.user)
    with time_machine.travel(datetime(2026, 10, 5, 12, 0, tzinfo=LONDON), tick=False):
        response = client.post(
            reverse("trim_offer_answer", kwargs={"org_slug": cast.org.slug, "offer_id": offer.public_id}),
            {"answer": "decline"},
            follow=True,
        )
    assert "Declined. Nobody will chase you about it." in response.content.decode()
    with scopes_disabled():
        assert Rsvp.objects.get(meeting=offer.meeting, membership=cast.bob).status == RsvpStatus.CANT
        waiting = Notification.objects.filter(
            meeting=offer.meeting, recipient=cast.bob, kind=NotificationKind.REMINDER
        ).exclude(status=NotificationStatus.DROPPED)
        assert not waiting.exists()
    with scope(organization=cast.org):
        seen = {o.public_id: o.get_status_label() for o in selectors.caseload(offer.practitioner)}
    assert seen[offer.public_id] == "Declined"


def test_without_practitioners_the_pathway_is_refused_and_nothing_is_called(client, cast, team):
    with scopes_disabled():
        services.practitioner_revoke(membership=team.pat, actor=cast.alice)
        services.practitioner_revoke(membership=team.quinn, actor=cast.alice)
    client.force_login(team.dee.user)
    with scopes_disabled():
        from sessions_app.cohorts.models import CohortMember

        CohortMember.objects.create(organization=cast.org, cohort=team.cohort, membership=team.dee, role="facilitator")
    url = reverse("hot_debrief_create", kwargs={"org_slug": cast.org.slug, "cohort_id": team.cohort.public_id})
    response = client.post(url, {"starts_in": 60, "people": [cast.bob.public_id], "trim_pathway": "on"})
    assert "Nobody in this organisation is a TRiM practitioner yet: an admin can name them." in (
        response.content.decode()
    )
    with scopes_disabled():
        assert not Meeting.objects.exists()
        assert not TrimCase.objects.exists()
    with pytest.raises(ValidationError), scopes_disabled():
        services.trim_case_open(debrief=Meeting(organization=cast.org), people=[cast.bob], manager=team.dee)


def test_a_debrief_can_call_anyone_in_the_organisation(client, cast, team):
    """Bob is in no cohort; he is called, sees the debrief and his offers; Alice (not
    called) is an admin, yet his one-to-ones are not hers to see."""
    with scopes_disabled():
        from sessions_app.cohorts.models import CohortMember

        CohortMember.objects.create(organization=cast.org, cohort=team.cohort, membership=team.dee, role="facilitator")
    client.force_login(team.dee.user)
    url = reverse("hot_debrief_create", kwargs={"org_slug": cast.org.slug, "cohort_id": team.cohort.public_id})
    with time_machine.travel(datetime(2026, 10, 5, 3, 10, tzinfo=LONDON), tick=False):
        page = client.get(url).content.decode()
        assert 'value="' + cast.bob.public_id + '"' in page
        response = client.post(
            url, {"starts_in": 60, "people": [cast.bob.public_id], "trim_pathway": "on", "title": "Bay 2"}, follow=True
        )
    assert "Debrief called for 1 person." in response.content.decode()
    with scopes_disabled():
        case = TrimCase.objects.get()
        offers = _offers(case)
    assert [o.person for o in offers] == [cast.bob, cast.bob]
    client.force_login(cast.bob.user)
    debrief_url = reverse("meeting_detail", kwargs={"org_slug": cast.org.slug, "meeting_id": case.debrief.public_id})
    one_to_one = reverse(
        "meeting_detail", kwargs={"org_slug": cast.org.slug, "meeting_id": offers[0].meeting.public_id}
    )
    with time_machine.travel(datetime(2026, 10, 5, 3, 20, tzinfo=LONDON), tick=False):
        assert "Bay 2" in client.get(debrief_url).content.decode()
        assert "TRiM one-to-one" in client.get(one_to_one).content.decode()
        client.force_login(cast.alice.user)
        assert client.get(one_to_one).status_code == 404
