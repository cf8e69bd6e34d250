"""One bad row never stops delivery: a notification that cannot be prepared fails alone,
with a reason the person can read and a log line without personal text, and the sweep
goes on to every other organisation's reminders."""

import logging
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import User
from sessions_app.cohorts.models import Cohort, CohortMember
from sessions_app.meetings.models import Meeting
from sessions_app.notifications import dispatch, emails
from sessions_app.notifications.models import Notification, NotificationKind
from tests.factories import CohortFactory, MeetingFactory, MembershipFactory, NotificationFactory, SeriesFactory

pytestmark = [pytest.mark.attention, pytest.mark.django_db]

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 09:00 in London: outside everyone's quiet hours
STARTS = NOW + timedelta(days=1)  # Tue 3 Nov 09:00 London
FAILED_REASON = (
    "Not sent: something went wrong while preparing this message. "
    "It was recorded for the people who run Reflect to put right."
)


def _sweep(at=NOW):
    with scopes_disabled():
        return dispatch.dispatch_due(now=at)


def _invite(membership, meeting, *, due_at=NOW - timedelta(minutes=5)) -> Notification:
    with scopes_disabled():
        # A member of the cohort, so the send-time "may this person attend?" lets it through.
        CohortMember.objects.get_or_create(
            organization=membership.organization, cohort=meeting.cohort, membership=membership
        )
        return NotificationFactory(
            recipient=membership,
            kind=NotificationKind.INVITE,
            meeting=meeting,
            due_at=due_at,
            latest_useful_at=meeting.starts_at,
        )


def _meeting(organization, name: str, **fields) -> Meeting:
    with scopes_disabled():
        cohort = CohortFactory(organization=organization, name=name)
        return MeetingFactory(cohort=cohort, starts_at=STARTS, ends_at=STARTS + timedelta(hours=1), **fields)


def _status(row: Notification) -> tuple[str, str]:
    with scopes_disabled():
        row.refresh_from_db()
    return row.status, row.reason


def _ics(message) -> str:
    (attachment,) = message.attachments
    return attachment[1].decode() if isinstance(attachment[1], bytes) else attachment[1]


@pytest.mark.security
@pytest.mark.parametrize(
    ("where", "summary"),
    [
        ("cohort name", "SUMMARY:Night\\nshift"),
        ("series title", "SUMMARY:Night\\nshift · Night shift"),
        ("meeting title", "SUMMARY:Night shift: Night\\nshift"),
    ],
    ids=["cohort-name", "series-title", "meeting-title"],
)
def test_a_line_break_in_a_name_stops_nothing_and_is_escaped(cast, where, summary):
    # Names from before the control-character rule, or written past the forms.
    bobs = _meeting(cast.org, "Night shift")
    charlies = _meeting(cast.other_org, "County Balint")
    with scopes_disabled():
        if where == "cohort name":
            Cohort.objects.filter(pk=bobs.cohort_id).update(name="Night\nshift")
        elif where == "series title":
            series = SeriesFactory(cohort=bobs.cohort, title="Night\r\nshift", first_date=STARTS.date())
            Meeting.objects.filter(pk=bobs.pk).update(series=series)
        else:
            Meeting.objects.filter(pk=bobs.pk).update(title="Night\nshift")
    broken = _invite(cast.bob, bobs, due_at=NOW - timedelta(hours=1))  # the oldest due row
    fine = _invite(cast.charlie, charlies)

    _sweep()

    assert (_status(broken), _status(fine)) == (("sent", "Sent."), ("sent", "Sent."))
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert by_recipient["bob@example.org"].subject == "[Reflect] New: Night shift, Tue 3 Nov 09:00"
    assert by_recipient["charlie@example.org"].subject == "[Reflect] New: County Balint, Tue 3 Nov 09:00"
    assert summary in _ics(by_recipient["bob@example.org"]).replace("\r\n ", "").split("\r\n")


@pytest.mark.security
def test_a_cohort_name_with_a_line_break_gives_an_escaped_calendar_name(cast):
    bobs = _meeting(cast.org, "Night shift")
    with scopes_disabled():
        Cohort.objects.filter(pk=bobs.cohort_id).update(name="Night\nshift; ward 7, bay 2")
    _invite(cast.bob, bobs)

    _sweep()

    (message,) = mail.outbox
    lines = _ics(message).replace("\r\n ", "").split("\r\n")
    assert "NAME:Reflect · Night\\nshift\\; ward 7\\, bay 2" in lines
    assert "X-WR-CALNAME:Reflect · Night\\nshift\\; ward 7\\, bay 2" in lines
    assert "SUMMARY:Night\\nshift\\; ward 7\\, bay 2" in lines


@pytest.fixture
def hundred_good_rows(cast):
    """50 people in each of two organisations, each with one invitation due now."""
    rows = []
    for organization, cohort_name in ((cast.org, "Team Time"), (cast.other_org, "County Balint")):
        meeting = _meeting(organization, cohort_name)
        with scopes_disabled():
            people = [MembershipFactory(organization=organization) for _ in range(50)]
        rows += [_invite(person, meeting) for person in people]
    return rows


@pytest.fixture
def always_raises(cast, monkeypatch):
    """Bob's invitation, the oldest row due, cannot be rendered however often it is tried.
    The error message carries personal text, as real ones do (a name in a value error)."""
    meeting = _meeting(cast.org, "Bob's private cohort")
    bad = _invite(cast.bob, meeting, due_at=NOW - timedelta(hours=2))
    real = emails.notification_email

    def notification_email(row, **kwargs):
        if row.pk == bad.pk:
            raise ValueError(f"cannot render {row.meeting.cohort.name} for {row.recipient.user.email} (Bob)")
        return real(row, **kwargs)

    monkeypatch.setattr(emails, "notification_email", notification_email)
    return bad


@pytest.mark.security
def test_a_row_that_always_raises_fails_alone_and_the_hundred_others_go_out(
    cast, hundred_good_rows, always_raises, caplog
):
    caplog.set_level(logging.DEBUG)

    result = _sweep()

    assert len(mail.outbox) == 100
    with scopes_disabled():
        good_emails = {row.recipient.user.email for row in hundred_good_rows}
        assert set(
            Notification.objects.filter(pk__in=[r.pk for r in hundred_good_rows]).values_list("status", flat=True)
        ) == {"sent"}
    assert {message.to[0] for message in mail.outbox} == good_emails
    assert _status(always_raises) == ("failed", FAILED_REASON)
    assert result.outcomes == {"sent": 100, "failed": 1}

    _sweep(NOW + timedelta(minutes=5))  # a failed row is not taken again

    assert len(mail.outbox) == 100
    assert _status(always_raises) == ("failed", FAILED_REASON)


@pytest.mark.security
def test_a_row_that_raises_is_logged_without_personal_text(cast, always_raises, caplog):
    caplog.set_level(logging.DEBUG)

    _sweep()

    errors = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [(record.name, record.levelname) for record in errors] == [("sessions_app.notifications.dispatch", "ERROR")]
    assert re.fullmatch(
        rf"notification {always_raises.public_id} \(invite\) could not be prepared: "
        r"ValueError at test_delivery_isolation\.py:\d+ in notification_email",
        errors[0].getMessage(),
    )
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''} {record.stack_info or ''}" for record in caplog.records
    )
    for personal in ("bob@example.org", "Bob", "private cohort", "cannot render", "St Elsewhere"):
        assert personal not in logged
    assert all(record.exc_info is None for record in caplog.records)


@pytest.mark.security
def test_the_failed_row_and_its_reason_show_in_the_persons_ledger(client, cast, always_raises):
    _sweep()
    client.force_login(cast.bob.user)

    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        response = client.get(reverse("ledger", kwargs={"org_slug": cast.org.slug}))

    page = re.sub(r"\s+", " ", response.content.decode())
    assert (
        '<tr class="status-failed"> <td data-label="When">Mon 2 Nov 07:00</td> '
        '<td data-label="What">New meeting: Bob&#x27;s private cohort</td> '
        '<td data-label="Happened">Failed</td> '
        '<td data-label="How">—</td> '
        f'<td data-label="Why">{FAILED_REASON}</td> </tr>'
    ) in page


@pytest.mark.security
def test_a_person_whose_stored_time_zone_is_broken_does_not_stop_the_sweep(cast):
    # Real data, no stand-in: a time zone written past the validators (a removed tz
    # name after an upgrade) makes the budget and the e-mail raise for this person only.
    bobs = _meeting(cast.org, "Team Time")
    charlies = _meeting(cast.other_org, "County Balint")
    User.objects.filter(pk=cast.bob.user_id).update(time_zone="Europe/Atlantis")
    broken = _invite(cast.bob, bobs, due_at=NOW - timedelta(hours=1))
    fine = _invite(cast.charlie, charlies)

    _sweep()

    assert _status(broken) == ("failed", FAILED_REASON)
    assert _status(fine) == ("sent", "Sent.")
    assert [message.to for message in mail.outbox] == [["charlie@example.org"]]


@pytest.mark.security
def test_a_digest_that_raises_fails_with_the_items_merged_into_it(cast, monkeypatch):
    meeting = _meeting(cast.org, "Team Time")
    with scopes_disabled():
        digest = NotificationFactory(
            recipient=cast.bob, kind=NotificationKind.DIGEST, priority="low", due_at=NOW - timedelta(minutes=1)
        )
        items = [_invite(cast.bob, meeting, due_at=NOW - timedelta(hours=3)) for _ in range(2)]
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(
            status="merged", digest=digest, reason="Saved for your daily digest."
        )

    def notification_email(row, **kwargs):
        raise ValueError("cannot render")

    monkeypatch.setattr(emails, "notification_email", notification_email)

    _sweep()

    assert _status(digest) == ("failed", FAILED_REASON)
    in_digest = "Not sent: the digest it was saved for could not be prepared."
    assert [_status(item) for item in items] == [("failed", in_digest), ("failed", in_digest)]
