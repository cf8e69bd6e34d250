"""Calendars end to end: the per-person secret feed, re-read by an independent reader
(recurring_ical_events), and the single-meeting .ics invitation."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events
import time_machine
from django.urls import reverse

from sessions_app.calendars.models import CalendarFeed
from sessions_app.calendars.services import feed_ensure
from sessions_app.meetings.models import MeetingInvitee, MeetingKind, MeetingStatus
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory

pytestmark = [pytest.mark.scheduling, pytest.mark.django_db]

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)
WIDE_OPEN = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def meeting(cohort, start: datetime, *, minutes: int = 60, **fields):
    return MeetingFactory(cohort=cohort, starts_at=start, ends_at=start + timedelta(minutes=minutes), **fields)


def feed_url(membership) -> str:
    return reverse("calendar_feed", kwargs={"token": feed_ensure(membership=membership).token})


def read_feed(body: bytes) -> set[tuple[str, datetime, datetime]]:
    calendar = icalendar.Calendar.from_ical(body)
    return {
        (str(event["UID"]), event["DTSTART"].dt.astimezone(UTC), event["DTEND"].dt.astimezone(UTC))
        for event in recurring_ical_events.of(calendar).between(*WIDE_OPEN)
    }


def expected(*meetings) -> set[tuple[str, datetime, datetime]]:
    return {(m.ical_uid, m.starts_at, m.ends_at) for m in meetings}


def events_by_uid(body: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_feed_holds_exactly_the_persons_meetings(client, cast, unscoped):
    bob = cast.bob
    bob.user.time_zone = "America/New_York"
    bob.user.save()
    balint = CohortMemberFactory(membership=bob, cohort__organization=cast.org, cohort__name="Balint group").cohort
    rounds = CohortMemberFactory(membership=bob, cohort__organization=cast.org, cohort__name="Schwartz Rounds").cohort
    elsewhere = CohortFactory(organization=cast.org, name="Night team")
    CohortMemberFactory(membership=cast.alice, cohort=elsewhere)
    foreign = CohortMemberFactory(membership=cast.charlie, cohort__organization=cast.other_org).cohort

    next_balint = meeting(balint, utc(2026, 10, 6, 17), location="Seminar room 2", panel_notes="Bed 4, Mr Jones")
    recent_balint = meeting(balint, utc(2026, 9, 20, 17))
    meeting(balint, utc(2026, 8, 20, 17))  # more than 30 days ago
    next_rounds = meeting(rounds, utc(2026, 10, 8, 12, 30), minutes=90, video_url="https://meet.example.org/r")
    cancelled = meeting(rounds, utc(2026, 10, 15, 12, 30), status=MeetingStatus.CANCELLED, sequence=1)
    meeting(elsewhere, utc(2026, 10, 7, 9))  # bob is not in this cohort
    meeting(balint, utc(2026, 10, 2, 8), kind=MeetingKind.HOT_DEBRIEF, invite_only=True)  # bob not called
    called = meeting(elsewhere, utc(2026, 10, 2, 9), kind=MeetingKind.HOT_DEBRIEF, invite_only=True)
    MeetingInvitee.objects.create(organization=cast.org, meeting=called, membership=bob)
    meeting(foreign, utc(2026, 10, 6, 17))  # another organisation altogether

    response = client.get(feed_url(bob))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    body = response.content
    assert read_feed(body) == expected(next_balint, recent_balint, next_rounds, cancelled, called)
    events = events_by_uid(body)
    assert events[cancelled.ical_uid]["STATUS"] == "CANCELLED"
    assert events[cancelled.ical_uid]["SEQUENCE"] == 1
    assert events[next_balint.ical_uid]["STATUS"] == "CONFIRMED"
    assert str(events[next_balint.ical_uid]["SUMMARY"]) == "Balint group"
    assert str(events[next_balint.ical_uid]["LOCATION"]) == "Seminar room 2"
    assert "https://meet.example.org/r" in str(events[next_rounds.ical_uid]["DESCRIPTION"])
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["METHOD"] == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Reflect · St Elsewhere"
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"America/New_York"}
    assert b"DTSTART;TZID=America/New_York:20261006T130000" in body
    assert b"ATTENDEE" not in body
    assert b"ORGANIZER" not in body
    for person in (cast.alice, cast.bob, cast.charlie):
        assert person.user.email.encode() not in body
    assert b"Mr Jones" not in body


def test_feed_keeps_local_time_across_the_clocks_going_back(client, cast, unscoped):
    cohort = CohortMemberFactory(membership=cast.bob, cohort__organization=cast.org).cohort
    # 18:00 in London on both evenings: BST (UTC+1) before 25 October 2026, GMT after.
    before = meeting(cohort, utc(2026, 10, 20, 17))
    after = meeting(cohort, utc(2026, 10, 27, 18))

    body = client.get(feed_url(cast.bob)).content

    assert read_feed(body) == {
        (before.ical_uid, utc(2026, 10, 20, 17), utc(2026, 10, 20, 18)),
        (after.ical_uid, utc(2026, 10, 27, 18), utc(2026, 10, 27, 19)),
    }
    assert b"DTSTART;TZID=Europe/London:20261020T180000" in body
    assert b"DTSTART;TZID=Europe/London:20261027T180000" in body
    assert {str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(body).walk("VTIMEZONE")} == {"Europe/London"}


def test_feed_regenerate_retires_the_old_url(client, cast, unscoped):
    old_url = feed_url(cast.bob)
    client.force_login(cast.bob.user)

    response = client.post(reverse("calendar_settings", kwargs={"org_slug": cast.org.slug}), {"action": "regenerate"})

    new_url = reverse("calendar_feed", kwargs={"token": CalendarFeed.objects.get(membership=cast.bob).token})
    assert response.status_code == 302
    assert new_url != old_url
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_feed_revoke_retires_the_url(client, cast, unscoped):
    url = feed_url(cast.bob)
    client.force_login(cast.bob.user)

    response = client.post(reverse("calendar_settings", kwargs={"org_slug": cast.org.slug}), {"action": "revoke"})

    assert response.status_code == 302
    assert response["Location"] == reverse("organization_home", kwargs={"org_slug": cast.org.slug})
    assert not CalendarFeed.objects.filter(membership=cast.bob).exists()
    client.logout()
    assert client.get(url).status_code == 404


def test_feed_of_a_member_who_left_is_gone(client, cast, unscoped):
    url = feed_url(cast.bob)
    cast.bob.is_active = False
    cast.bob.save()

    assert client.get(url).status_code == 404


def test_feed_unknown_token_is_404(client, cast, unscoped):
    feed_url(cast.bob)

    assert client.get(reverse("calendar_feed", kwargs={"token": "not-a-real-token"})).status_code == 404


def meeting_ics_url(meeting) -> str:
    return reverse("meeting_ics", kwargs={"org_slug": meeting.organization.slug, "meeting_id": meeting.public_id})


def test_meeting_ics_keeps_its_uid_and_raises_its_sequence(client, cast, unscoped):
    cohort = CohortMemberFactory(membership=cast.bob, cohort__organization=cast.org, cohort__name="Balint group").cohort
    balint = meeting(cohort, utc(2026, 10, 20, 17), sequence=3)
    client.force_login(cast.bob.user)

    first = client.get(meeting_ics_url(balint))
    second = client.get(meeting_ics_url(balint))
    balint.sequence += 1
    balint.save()
    third = client.get(meeting_ics_url(balint))

    assert first["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    assert first["Content-Disposition"] == 'attachment; filename="balint-group-2026-10-20.ics"'
    events = [icalendar.Calendar.from_ical(r.content).walk("VEVENT")[0] for r in (first, second, third)]
    assert [str(e["UID"]) for e in events] == [balint.ical_uid] * 3
    assert [e["SEQUENCE"] for e in events] == [3, 3, 4]
    calendar = icalendar.Calendar.from_ical(first.content)
    assert calendar["METHOD"] == "REQUEST"
    assert str(events[0]["ORGANIZER"]) == "mailto:reflect@localhost"
    assert str(events[0]["ATTENDEE"]) == "mailto:bob@example.org"
    assert b"DTSTART;TZID=Europe/London:20261020T180000" in first.content


def test_meeting_ics_of_a_cancelled_meeting_is_a_cancellation(client, cast, unscoped):
    cohort = CohortMemberFactory(membership=cast.bob, cohort__organization=cast.org).cohort
    called_off = meeting(cohort, utc(2026, 10, 20, 17), status=MeetingStatus.CANCELLED, sequence=2)
    client.force_login(cast.bob.user)

    response = client.get(meeting_ics_url(called_off))

    assert response["Content-Type"] == "text/calendar; charset=utf-8; method=CANCEL"
    calendar = icalendar.Calendar.from_ical(response.content)
    event = calendar.walk("VEVENT")[0]
    assert (calendar["METHOD"], event["STATUS"], event["SEQUENCE"]) == ("CANCEL", "CANCELLED", 2)


def test_meeting_ics_of_another_organization_is_404(client, cast, unscoped):
    balint = meeting(CohortFactory(organization=cast.org), utc(2026, 10, 20, 17))
    client.force_login(cast.charlie.user)

    assert client.get(meeting_ics_url(balint)).status_code == 404
    own_slug = reverse("meeting_ics", kwargs={"org_slug": cast.other_org.slug, "meeting_id": balint.public_id})
    assert client.get(own_slug).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_feed_query_count_does_not_grow_with_meetings(client, cast, unscoped, django_assert_num_queries, count):
    cohorts = [CohortMemberFactory(membership=cast.bob, cohort__organization=cast.org).cohort for _ in range(3)]
    for n in range(count):
        meeting(cohorts[n % 3], NOW + timedelta(days=n + 1), video_url="https://meet.example.org/x")
    url = feed_url(cast.bob)

    with django_assert_num_queries(2):
        response = client.get(url)

    assert len(read_feed(response.content)) == count


def test_calendar_settings_page_makes_no_feed_until_asked(client, cast, unscoped):
    client.force_login(cast.bob.user)
    page = reverse("calendar_settings", kwargs={"org_slug": cast.org.slug})

    response = client.get(page)

    assert not CalendarFeed.objects.filter(membership=cast.bob).exists()
    assert 'value="create"' in response.content.decode()
    client.post(page, {"action": "create"})
    assert CalendarFeed.objects.filter(membership=cast.bob).count() == 1


def test_calendar_settings_shows_the_exact_feed_url(client, cast, unscoped, settings):
    settings.SITE_URL = "https://reflect.example.org"
    client.force_login(cast.bob.user)
    client.post(reverse("calendar_settings", kwargs={"org_slug": cast.org.slug}), {"action": "create"})

    response = client.get(reverse("calendar_settings", kwargs={"org_slug": cast.org.slug}))

    token = CalendarFeed.objects.get(membership=cast.bob).token
    content = response.content.decode()
    assert response.status_code == 200
    assert f'value="https://reflect.example.org/calendar/{token}.ics"' in content
    assert f'href="webcal://reflect.example.org/calendar/{token}.ics"' in content


def unfolded(body: bytes) -> list[str]:
    return body.replace(b"\r\n ", b"").decode().split("\r\n")


@pytest.mark.security
def test_meeting_ics_of_a_cohort_with_a_line_break_in_its_name_still_downloads(client, cast, unscoped):
    # A name from before names refused control characters once made this page a 500.
    cohort = CohortMemberFactory(membership=cast.bob, cohort__organization=cast.org).cohort
    balint = meeting(cohort, utc(2026, 10, 20, 17))
    type(cohort).objects.filter(pk=cohort.pk).update(name="Night\nshift")
    client.force_login(cast.bob.user)

    response = client.get(meeting_ics_url(balint))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="night-shift-2026-10-20.ics"'
    lines = unfolded(response.content)
    assert "NAME:Reflect · Night\\nshift" in lines
    assert "X-WR-CALNAME:Reflect · Night\\nshift" in lines
    assert "SUMMARY:Night\\nshift" in lines


@pytest.mark.security
def test_feed_of_an_organisation_with_a_line_break_in_its_name_still_renders(client, cast, unscoped):
    cohort = CohortMemberFactory(membership=cast.bob, cohort__organization=cast.org).cohort
    balint = meeting(cohort, utc(2026, 10, 20, 17))
    type(cast.org).objects.filter(pk=cast.org.pk).update(name="St Elsewhere\r\nNights")
    url = feed_url(cast.bob)

    response = client.get(url)

    assert response.status_code == 200
    assert "X-WR-CALNAME:Reflect · St Elsewhere\\nNights" in unfolded(response.content)
    assert read_feed(response.content) == expected(balint)
