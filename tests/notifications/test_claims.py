"""Claims and leases in one process: a sweep that died leaves its rows to the next one
after the lease; a sweep still working keeps its rows; one that stalled past its lease
and lost rows to another does not send them again. (The same, with real processes, a
real SMTP server and SIGKILL, is in tests/chaos/.)"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from sessions_app.meetings.models import Meeting
from sessions_app.notifications import dispatch, emails
from sessions_app.notifications.models import Notification
from tests.factories import MeetingFactory, NotificationFactory

pytestmark = [pytest.mark.attention, pytest.mark.django_db]

LEASE = timedelta(seconds=60)

# A Tuesday late morning in Europe/London: outside everyone's default quiet hours and days
# off, so these tests are about leases and claims alone, at whatever hour they run.
DAYTIME = datetime(2027, 1, 12, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _daytime():
    with time_machine.travel(DAYTIME, tick=False):
        yield


@pytest.fixture
def due_rows(team_time, settings):
    """Two reminders for Bob due now, claimed by a sweep that has not sent them yet."""
    settings.NOTIFICATION_LEASE_SECONDS = int(LEASE.total_seconds())
    cohort, bob = team_time
    now = timezone.now()
    for hours in (30, 40):
        meeting = MeetingFactory(cohort=cohort, starts_at=now + timedelta(hours=hours))
        with scopes_disabled():
            NotificationFactory(recipient=bob, meeting=meeting, due_at=now, latest_useful_at=meeting.starts_at)
    with scopes_disabled():
        claim = dispatch.Claim(token=dispatch.uuid.uuid4(), now=now)
        claimed = dispatch._claim(claim, batch_size=10)
        rows = list(Notification.objects.filter(pk__in=claimed).order_by("pk"))
    assert len(rows) == 2
    return claim, rows


def _sweep(at):
    with scopes_disabled():
        return dispatch.dispatch_due(now=at)


def _statuses():
    with scopes_disabled():
        return sorted(Notification.objects.values_list("status", flat=True))


def test_rows_of_a_dead_sweep_wait_for_the_lease_then_go_out_once(due_rows):
    claim, rows = due_rows
    assert _sweep(claim.now + LEASE - timedelta(seconds=1)).claimed == 0  # still leased
    assert _statuses() == ["sending", "sending"]

    result = _sweep(claim.now + LEASE + timedelta(seconds=1))

    assert (result.claimed, result.outcomes) == (2, {"sent": 2})
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(r.message_id for r in rows)


def test_a_working_sweep_keeps_the_rows_it_has_not_reached(due_rows):
    claim, _rows = due_rows
    with time_machine.travel(claim.now + LEASE * 0.9, tick=False):
        claim._beat = float("-inf")  # a quarter lease and more since the last heartbeat
        with scopes_disabled():
            claim.keep_alive()

    # Past the first claim's lease, but not the heartbeat's: nobody may take them.
    assert _sweep(claim.now + LEASE + timedelta(seconds=1)).claimed == 0
    assert _statuses() == ["sending", "sending"]
    assert mail.outbox == []


def test_a_stalled_sweep_skips_the_rows_another_took_over(due_rows):
    stalled, rows = due_rows
    later = stalled.now + LEASE + timedelta(seconds=1)
    with time_machine.travel(later, tick=False), scopes_disabled():
        dispatch._reclaim_abandoned(later)
        other = dispatch.Claim(token=dispatch.uuid.uuid4(), now=later)
        assert sorted(dispatch._claim(other, batch_size=10)) == [row.pk for row in rows]

        # Both see the rows in "sending"; only the claim token tells whose they are now.
        assert [stalled.take(row) for row in rows] == [False, False]
        assert [other.take(row) for row in rows] == [True, True]


def test_an_attempt_counts_when_a_send_was_interrupted_not_when_a_row_waits(due_rows):
    claim, rows = due_rows
    with scopes_disabled():
        assert claim.take(rows[0])  # the dispatcher dies here, mid-send
        assert Notification.objects.get(pk=rows[0].pk).attempts == 1
        with time_machine.travel(claim.now + LEASE + timedelta(seconds=1), tick=False):
            assert dispatch.dispatch_due(now=claim.now + LEASE + timedelta(seconds=1)).outcomes == {"sent": 2}
        assert sorted(Notification.objects.values_list("attempts", flat=True)) == [1, 2]

        # A row the policy holds back was not an attempt to send.
        waiting = rows[0]
        # Waiting afresh: no channel has carried it yet (a row already sent on one channel
        # and waiting to retry another is tests/push/test_push_dispatch.py's case).
        Notification.objects.filter(pk=waiting.pk).update(status="pending", attempts=0, due_at=claim.now, channels=[])
        bob = waiting.recipient
        bob.attention_budget.leave_starts = claim.now.date() - timedelta(days=1)
        bob.attention_budget.leave_ends = claim.now.date() + timedelta(days=1)
        bob.attention_budget.save()
        dispatch.dispatch_due(now=claim.now + LEASE * 2)
        waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == ("dropped", 0)


def test_a_meeting_cancelled_while_its_batch_is_sent_stops_the_rest(due_rows, monkeypatch):
    """Another process cancels the meeting while the sweep hands over its first message:
    the re-checks read the world again (here at once; in production at most
    FACTS_MAX_AGE later), so the second reminder is not sent."""
    claim, rows = due_rows
    with scopes_disabled():
        Notification.objects.filter(pk=rows[1].pk).update(meeting=rows[0].meeting)
        Notification.objects.filter(pk__in=[r.pk for r in rows]).update(status="pending", claim_token=None)
    monkeypatch.setattr(dispatch, "FACTS_MAX_AGE", 0.0)
    real_email = emails.notification_email

    def email_then_cancel(row, **kwargs):
        message = real_email(row, **kwargs)
        with scopes_disabled():
            Meeting.objects.filter(pk=row.meeting_id).update(status="cancelled")
        return message

    monkeypatch.setattr(emails, "notification_email", email_then_cancel)

    result = _sweep(claim.now)

    assert result.outcomes == {"sent": 1, "dropped": 1}
    with scopes_disabled():
        dropped = Notification.objects.get(status="dropped")
    assert dropped.reason == "Not sent: the meeting was cancelled."
    assert len(mail.outbox) == 1
