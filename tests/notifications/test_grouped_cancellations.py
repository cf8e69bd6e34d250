"""One change, one message (issue 12): cancelling "this and all following" of a daily
series reaches each person as one notice, in the outbox and the ledger once, and as one
e-mail whose single METHOD:CANCEL calendar part carries every cancelled meeting with the
UID and SEQUENCE a single cancellation would have."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from icalendar import Calendar

from sessions_app.attention.models import AttentionBudget
from sessions_app.calendars.services import meeting_invite_ics
from sessions_app.cohorts import services as cohort_services
from sessions_app.meetings import series as series_services
from sessions_app.meetings import services as scheduling
from sessions_app.meetings.models import Meeting
from sessions_app.notifications import dispatch
from sessions_app.notifications.models import Notification
from tests.factories import CohortFactory, CohortMemberFactory, NotificationFactory

pytestmark = [pytest.mark.attention, pytest.mark.phone, pytest.mark.django_db]

LONDON = ZoneInfo("Europe/London")
# Tuesday 8 December 2026, 22:00 in London: inside Bob's quiet hours (21:00-07:00).
EVENING = datetime(2026, 12, 8, 22, 0, tzinfo=LONDON)


def _sweep(at: datetime):
    with scopes_disabled():
        return dispatch.dispatch_due(now=at)


def _daily_series(cohort, *, first_day, days: int = 3, hour: int = 12):
    series = series_services.series_create(
        cohort=cohort,
        rule="FREQ=DAILY",
        first_date=first_day,
        start_time=time(hour),
        time_zone="Europe/London",
        duration_minutes=60,
        last_date=first_day + timedelta(days=days - 1),
        now=EVENING - timedelta(days=7),
    )
    return list(Meeting.objects.filter(series=series).order_by("starts_at"))


def _cancel_parts(message) -> list[Calendar]:
    return [
        Calendar.from_ical(body)
        for _name, body, mimetype in message.attachments
        if mimetype.startswith("text/calendar") and "method=CANCEL" in mimetype
    ]


def _events(calendar: Calendar) -> list[tuple[str, int, str]]:
    return [(str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) for event in calendar.walk("VEVENT")]


@pytest.fixture
def team(cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Team Time")
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
        CohortMemberFactory(cohort=cohort, membership=cast.alice)
        yield cohort


def test_cancel_this_and_following_of_a_daily_series_is_one_notice_and_one_calendar_part(team, cast):
    meetings = _daily_series(team, first_day=EVENING.date() + timedelta(days=2))  # Thu 10 - Sat 12 Dec

    scheduling.meeting_cancel(meeting=meetings[0], following=True, now=EVENING, actor=cast.alice)
    _sweep(EVENING)  # quiet hours: held for the morning

    (notice,) = Notification.objects.filter(recipient=cast.bob, kind="cancellation")
    assert (notice.status, notice.due_at) == ("held", datetime(2026, 12, 9, 7, 0, tzinfo=LONDON))
    assert mail.outbox == []

    _sweep(datetime(2026, 12, 9, 7, 0, tzinfo=LONDON))

    (message,) = mail.outbox
    assert message.subject == "[Reflect] Meetings of Team Time from Thu 10 Dec are cancelled"
    assert "- Team Time, Thu 10 Dec 12:00\n- Team Time, Fri 11 Dec 12:00\n- Team Time, Sat 12 Dec 12:00" in message.body
    (calendar,) = _cancel_parts(message)
    calendars = [a for a in message.attachments if a[2].startswith("text/calendar")]
    assert len(calendars) == 1
    assert str(calendar["METHOD"]) == "CANCEL"
    for meeting in meetings:
        meeting.refresh_from_db()
    assert _events(calendar) == [(m.ical_uid, 1, "CANCELLED") for m in meetings]
    # The same UID and SEQUENCE as the cancellation of each meeting on its own.
    singles = [_events(Calendar.from_ical(meeting_invite_ics(m, method="CANCEL", now=EVENING)))[0] for m in meetings]
    assert _events(calendar) == singles
    attendees = {str(event["ATTENDEE"]) for event in calendar.walk("VEVENT")}
    assert attendees == {"mailto:bob@example.org"}
    notice.refresh_from_db()
    assert notice.status == "sent"
    assert Notification.objects.filter(recipient=cast.bob, kind="cancellation").count() == 1  # the ledger's one line


def test_the_date_in_the_subject_is_the_persons_own(team, cast):
    bob = cast.bob.user
    bob.time_zone = "Asia/Tokyo"
    bob.save()
    # 23:30 in London on Thursday is Friday morning in Tokyo.
    meetings = _daily_series(team, first_day=EVENING.date() + timedelta(days=2), hour=23)
    monday_morning_tokyo = datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    scheduling.meeting_cancel(meeting=meetings[0], following=True, now=monday_morning_tokyo, actor=cast.alice)

    _sweep(monday_morning_tokyo)

    (message,) = mail.outbox
    assert message.subject == "[Reflect] Meetings of Team Time from Fri 11 Dec are cancelled"


def test_a_grouped_cancellation_merged_into_the_digest_keeps_every_calendar_cancellation(team, cast):
    meetings = _daily_series(team, first_day=EVENING.date() + timedelta(days=2))
    morning = datetime(2026, 12, 9, 9, 0, tzinfo=LONDON)
    AttentionBudget.objects.create(organization=cast.org, membership=cast.bob, daily_cap=1)
    NotificationFactory(recipient=cast.bob, status="sent", sent_at=morning - timedelta(hours=1), due_at=morning)

    scheduling.meeting_cancel(meeting=meetings[0], following=True, now=morning, actor=cast.alice)
    _sweep(morning)
    (notice,) = Notification.objects.filter(recipient=cast.bob, kind="cancellation")
    assert notice.status == "merged"
    _sweep(notice.digest.due_at)

    (digest,) = mail.outbox
    (calendar,) = _cancel_parts(digest)
    assert [uid for uid, _seq, _status in _events(calendar)] == [m.ical_uid for m in meetings]


def test_archiving_a_cohort_sends_no_cancellation_per_meeting(team, cast):
    _daily_series(team, first_day=EVENING.date() + timedelta(days=2))

    cohort_services.cohort_archive(cohort=team, now=EVENING)
    _sweep(EVENING + timedelta(hours=10))

    assert Notification.objects.filter(kind="cancellation").count() == 0
    assert mail.outbox == []


def test_the_ledger_shows_one_line_for_the_change_and_how_many_meetings_it_covers(team, cast, client):
    meetings = _daily_series(team, first_day=EVENING.date() + timedelta(days=2))
    scheduling.meeting_cancel(meeting=meetings[0], following=True, now=EVENING, actor=cast.alice)
    morning = datetime(2026, 12, 9, 7, 0, tzinfo=LONDON)
    _sweep(morning)

    with time_machine.travel(morning + timedelta(minutes=5)):
        client.force_login(cast.bob.user)
        page = client.get(reverse("ledger", kwargs={"org_slug": cast.org.slug})).content.decode()
    cells = re.findall(r"<td data-label=\"What\">(.*?)</td>", page, re.S)
    assert [c for c in cells if c.startswith("Meeting cancelled")] == ["Meeting cancelled: Team Time (3 meetings)"]
