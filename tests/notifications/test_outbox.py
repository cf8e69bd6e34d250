"""The outbox end to end in one process: planning writes rows, the dispatcher claims,
re-checks, applies the policy and sends through Django's mail backend."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django_scopes import scope, scopes_disabled

from sessions_app.attention.services import settings_update
from sessions_app.cohorts.models import CohortRole
from sessions_app.meetings import rsvps
from sessions_app.meetings import series as series_services
from sessions_app.meetings import services as scheduling
from sessions_app.meetings.models import MeetingStatus
from sessions_app.notifications import dispatch, planning
from sessions_app.notifications.models import Notification
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, NotificationFactory

pytestmark = [pytest.mark.attention, pytest.mark.django_db]

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday, London winter time (UTC+0)


def _statuses(**filters):
    return sorted(Notification.objects.filter(**filters).values_list("kind", "status"))


def _sweep(at):
    with scopes_disabled():
        return dispatch.dispatch_due(now=at)


def test_reminders_are_planned_at_lead_times_and_sent_once(team_time, cast):
    cohort, _bob = team_time
    meeting = MeetingFactory(
        cohort=cohort, starts_at=NOW + timedelta(days=1, hours=5), ends_at=NOW + timedelta(days=1, hours=6)
    )
    planning.plan_reminders(meeting=meeting, now=NOW)
    due = sorted(Notification.objects.filter(kind="reminder").values_list("due_at", flat=True))
    assert due == [meeting.starts_at - timedelta(days=1), meeting.starts_at - timedelta(hours=1)]

    _sweep(due[0])
    _sweep(due[0] + timedelta(minutes=1))  # a second sweep finds nothing new

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.startswith("[Reflect] Reminder: Team Time, Tue 3 Nov")
    assert message.extra_headers["Message-ID"] == Notification.objects.get(status="sent").message_id
    assert message.extra_headers["List-Unsubscribe"].startswith(
        f"<http://127.0.0.1:8000/o/{cast.org.slug}/unsubscribe/"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"http://127.0.0.1:8000/o/{cast.org.slug}/attention/" in message.body
    assert "/o/st-elsewhere/meetings/" in message.body


def test_reminder_in_quiet_hours_moves_earlier(team_time, cast):
    cohort, _bob = team_time
    # 07:30 London meeting: the one-hour reminder (06:30) is inside 21:00-07:00 quiet hours.
    start = datetime(2026, 11, 3, 7, 30, tzinfo=UTC)
    meeting = MeetingFactory(cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=1))
    planning.plan_reminders(meeting=meeting, now=NOW)
    hour_before = Notification.objects.get(payload__lead_minutes=60)
    assert hour_before.due_at == datetime(2026, 11, 2, 20, 59, tzinfo=UTC)
    assert hour_before.reason == "Moved earlier to Mon 20:59 so it doesn't land in your quiet hours."


def test_saying_you_cant_come_drops_your_reminders_and_going_brings_them_back(team_time):
    cohort, bob = team_time
    meeting = MeetingFactory(cohort=cohort, starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=2, hours=1))
    planning.plan_reminders(meeting=meeting, now=NOW)
    rsvps.rsvp_set(meeting=meeting, membership=bob, status="cant", now=NOW)
    assert set(Notification.objects.values_list("status", flat=True)) == {"dropped"}
    rsvps.rsvp_set(meeting=meeting, membership=bob, status="going", now=NOW)
    assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}


def test_cancelling_drops_pending_and_tells_people_with_a_cancel_invite(team_time):
    cohort, _bob = team_time
    meeting = MeetingFactory(cohort=cohort, starts_at=NOW + timedelta(hours=5), ends_at=NOW + timedelta(hours=6))
    planning.plan_reminders(meeting=meeting, now=NOW)
    scheduling.meeting_cancel(meeting=meeting, now=NOW)
    assert _statuses() == [("cancellation", "pending"), ("reminder", "dropped")]
    cancellation = Notification.objects.get(kind="cancellation")
    assert cancellation.priority == "urgent"  # within 24 hours

    _sweep(NOW)

    (message,) = mail.outbox
    assert message.subject.startswith("[Reflect] Cancelled: Team Time")
    (_name, body, mimetype) = message.attachments[0]
    assert mimetype == "text/calendar; charset=utf-8; method=CANCEL"
    assert "METHOD:CANCEL" in (body.decode() if isinstance(body, bytes) else body)


def test_nothing_is_sent_after_the_meeting_started(team_time):
    cohort, _bob = team_time
    meeting = MeetingFactory(cohort=cohort, starts_at=NOW + timedelta(hours=3), ends_at=NOW + timedelta(hours=4))
    planning.plan_reminders(meeting=meeting, now=NOW)
    _sweep(meeting.starts_at + timedelta(minutes=5))  # the dispatcher was down until after the start
    assert mail.outbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {"dropped"}
    assert Notification.objects.first().reason == "Dropped: it would have arrived too late to be useful."


def test_left_member_gets_nothing(team_time):
    cohort, bob = team_time
    meeting = MeetingFactory(cohort=cohort, starts_at=NOW + timedelta(hours=3), ends_at=NOW + timedelta(hours=4))
    planning.plan_reminders(meeting=meeting, now=NOW)
    bob.is_active = False
    bob.save()
    _sweep(meeting.starts_at - timedelta(hours=1))
    assert mail.outbox == []
    assert (
        Notification.objects.get(payload__lead_minutes=60).reason
        == "Not sent: you are no longer a member of St Elsewhere."
    )


def test_fifty_due_at_once_with_a_cap_of_three_send_three_and_digest_the_rest(team_time, cast):
    _cohort, bob = team_time
    bob.attention_budget.daily_cap = 3
    bob.attention_budget.save()
    NotificationFactory.create_batch(50, recipient=bob, due_at=NOW, latest_useful_at=NOW + timedelta(days=2))
    _sweep(NOW)
    assert Notification.objects.filter(status="sent").count() == 3
    assert Notification.objects.filter(status="merged").count() == 47
    digest = Notification.objects.get(kind="digest")
    assert digest.merged_items.count() == 47
    assert len(mail.outbox) == 3

    _sweep(digest.due_at)

    assert len(mail.outbox) == 4
    assert mail.outbox[-1].subject == "[Reflect] Your Reflect digest: 47 things"


def test_on_leave_nothing_goes_out(team_time):
    cohort, bob = team_time
    settings_update(membership=bob, leave_starts=NOW.date(), leave_ends=NOW.date() + timedelta(days=7), now=NOW)
    meeting = MeetingFactory(cohort=cohort, starts_at=NOW + timedelta(hours=3), ends_at=NOW + timedelta(hours=4))
    planning.plan_reminders(meeting=meeting, now=NOW)
    _sweep(meeting.starts_at - timedelta(hours=1))
    assert mail.outbox == []
    # Not even planned while on leave (coming back plans it again), and never sent.
    assert Notification.objects.get(payload__lead_minutes=60).reason == "Not planned: you are on leave."


def test_changing_quiet_hours_replans_pending_reminders(team_time):
    cohort, bob = team_time
    start = datetime(2026, 11, 3, 7, 30, tzinfo=UTC)
    meeting = MeetingFactory(cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=1))
    planning.plan_reminders(meeting=meeting, now=NOW)
    settings_update(membership=bob, quiet_hours_enabled=False, now=NOW)
    assert Notification.objects.get(payload__lead_minutes=60).due_at == start - timedelta(hours=1)


def test_hot_debrief_call_is_urgent_and_goes_out_at_once(team_time, cast):
    cohort, bob = team_time
    debrief = scheduling.hot_debrief_create(cohort=cohort, starts_at=NOW + timedelta(minutes=30), people=[bob], now=NOW)
    call = Notification.objects.get(kind="hot_debrief")
    assert (call.priority, call.meeting, call.due_at <= debrief.starts_at) == ("urgent", debrief, True)


def test_series_announced_once_not_per_meeting(team_time):
    cohort, _bob = team_time
    series_services.series_create(
        cohort=cohort,
        rule="FREQ=WEEKLY;BYDAY=TU",
        first_date=NOW.date() + timedelta(days=1),
        start_time=time(18),
        time_zone="Europe/London",
        duration_minutes=60,
        now=NOW,
    )
    assert Notification.objects.filter(kind="series").count() == 1
    assert Notification.objects.get(kind="series").priority == "low"


def test_panel_preparation_for_schwartz_facilitators(cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, kind="schwartz_rounds", panel_size=3, panel_prep_days=7)
        CohortMemberFactory(cohort=cohort, membership=cast.alice, role=CohortRole.FACILITATOR)
        meeting = MeetingFactory(
            cohort=cohort, starts_at=NOW + timedelta(days=8) - timedelta(minutes=1), ends_at=NOW + timedelta(days=8)
        )
        planning.plan_upcoming(now=NOW)
        prep = Notification.objects.get(kind="panel_prep")
    assert (prep.recipient, prep.due_at) == (cast.alice, meeting.starts_at - timedelta(days=7))


def test_reflection_prompt_after_a_meeting_you_went_to(team_time):
    cohort, bob = team_time
    meeting = MeetingFactory(cohort=cohort, starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(hours=2))
    rsvps.rsvp_set(meeting=meeting, membership=bob, status="going", now=NOW)
    planning.plan_upcoming(now=meeting.ends_at + timedelta(minutes=10))
    prompt = Notification.objects.get(kind="reflection_prompt")
    assert (prompt.priority, prompt.due_at) == ("low", meeting.ends_at)


def test_planning_twice_writes_nothing_new(team_time):
    cohort, _bob = team_time
    meeting = MeetingFactory(cohort=cohort, starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=2, hours=1))
    planning.plan_upcoming(now=NOW)
    planning.plan_upcoming(now=NOW)
    assert Notification.objects.count() == 2
    assert meeting.status == MeetingStatus.SCHEDULED
