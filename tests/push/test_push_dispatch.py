"""Web Push through the outbox, against a local push service that verifies the VAPID
signature and decrypts the payload itself (tests/push/pushservice.py): what the person
chose per kind decides the channel, the attention policy decides whether and when, and
a notice is one notice for the caps whichever channels carry it."""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.exceptions import InvalidTag
from django.core import mail
from django_scopes import scope, scopes_disabled
from pywebpush import WebPusher

from accounts.services import membership_remove
from sessions_app.notifications import dispatch, pushes, selectors
from sessions_app.notifications.models import NotificationKind, NotificationPriority
from sessions_app.push.models import PushSubscription
from tests.factories import MeetingFactory, NotificationFactory, ReflectionFactory
from tests.push.conftest import new_vapid_key, subscribe
from tests.push.pushservice import Browser, decrypt

pytestmark = [pytest.mark.phone, pytest.mark.attention, pytest.mark.django_db]

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 09:00 in London (UTC+0 in winter)


def _sweep(at):
    with time_machine.travel(at, tick=False), scopes_disabled():
        return dispatch.dispatch_due(now=at)


def _reminder(cohort, bob, **extra):
    meeting = MeetingFactory(
        cohort=cohort, title="Bed 4 - Mrs Jones", starts_at=NOW + timedelta(hours=5), ends_at=NOW + timedelta(hours=6)
    )
    fields = {"kind": NotificationKind.REMINDER, "due_at": NOW, "latest_useful_at": meeting.starts_at}
    return NotificationFactory(recipient=bob, meeting=meeting, **{**fields, **extra})


@pytest.mark.security
def test_a_reminder_by_push_reaches_the_browser_signed_encrypted_and_small(push_service, bob_in_team_time, cast):
    cohort, bob, own = bob_in_team_time
    own.channels = {"reminder": "push"}
    own.save()
    subscribe(push_service, bob)
    ReflectionFactory(author=bob, answers={"note": "CANARY what I wrote"})
    row = _reminder(cohort, bob)

    _sweep(NOW)

    assert push_service.failures == []
    (received,) = push_service.received
    path = f"/o/st-elsewhere/meetings/{row.meeting.public_id}/"
    assert received.payload == {
        "title": "Reflect",
        "body": "Reminder: Mon 2 Nov 14:00",
        "url": f"http://127.0.0.1:8000{path}",
        "tag": pushes.topic(row),
    }
    text = json.dumps(received.payload)
    assert "CANARY" not in text and "Mrs Jones" not in text  # no reflection, not even the meeting's title
    assert received.claims["aud"] == push_service.origin
    assert received.claims["sub"] == "mailto:reflect@localhost"
    assert received.headers["topic"] == pushes.topic(row)
    assert received.headers["urgency"] == "normal"
    assert received.headers["ttl"] == str(5 * 3600)  # never held past the meeting's start
    assert mail.outbox == []
    row.refresh_from_db()
    assert (row.status, row.channels, row.reason, row.sent_at) == ("sent", ["push"], "Sent.", NOW)


@pytest.mark.security
def test_by_email_and_push_it_is_one_notice_for_the_caps(push_service, bob_in_team_time):
    _cohort, bob, own = bob_in_team_time
    own.channels = {"promotion": "both"}
    own.daily_cap = 1
    own.save()
    subscribe(push_service, bob)
    first = NotificationFactory(recipient=bob, due_at=NOW)

    _sweep(NOW)

    assert (len(mail.outbox), len(push_service.received)) == (1, 1)
    first.refresh_from_db()
    assert (first.status, first.channels) == ("sent", ["email", "push"])
    assert selectors.interruptions_since(bob, since=NOW - timedelta(days=1)) == 1
    assert first.channels_display == "e-mail, push"

    # The cap of one a day is reached by that one notice: the next waits for the digest,
    # on neither channel.
    second = NotificationFactory(recipient=bob, due_at=NOW + timedelta(hours=1))
    _sweep(NOW + timedelta(hours=1))
    second.refresh_from_db()
    assert (second.status, second.channels) == ("merged", [])
    assert second.reason == "Saved for your digest at 17:00: your daily limit of 1 was reached."
    assert (len(mail.outbox), len(push_service.received)) == (1, 1)


@pytest.mark.security
def test_a_push_in_quiet_hours_is_held_not_sent(push_service, bob_in_team_time):
    _cohort, bob, own = bob_in_team_time
    own.channels = {"promotion": "push"}
    own.quiet_start, own.quiet_end = time(21, 0), time(7, 0)
    own.save()
    subscribe(push_service, bob)
    late = datetime(2026, 11, 2, 22, 0, tzinfo=UTC)
    row = NotificationFactory(recipient=bob, due_at=late)

    _sweep(late)

    row.refresh_from_db()
    assert (row.status, row.channels, row.due_at) == ("held", [], datetime(2026, 11, 3, 7, 0, tzinfo=UTC))
    assert row.reason == "Held until 07:00 on Tuesday 3 November: your quiet hours."
    assert push_service.received == [] and push_service.failures == []


def test_an_expired_subscription_is_removed_and_the_notice_goes_by_email(push_service, bob_in_team_time):
    _cohort, bob, own = bob_in_team_time
    own.channels = {"promotion": "push"}
    own.save()
    browser = subscribe(push_service, bob)
    push_service.answers[browser.path] = 410
    row = NotificationFactory(recipient=bob, due_at=NOW)

    _sweep(NOW)

    assert push_service.failures == []
    assert len(push_service.received) == 1  # it was tried, and the service said "gone"
    assert PushSubscription.objects.filter(membership=bob).count() == 0
    row.refresh_from_db()
    assert (row.status, row.channels) == ("sent", ["email"])
    assert row.reason == "Sent. Could not be pushed: no browser of yours accepted it."
    assert len(mail.outbox) == 1


def test_a_busy_push_service_is_retried_without_sending_the_email_again(push_service, bob_in_team_time):
    _cohort, bob, own = bob_in_team_time
    own.channels = {"promotion": "both"}
    own.save()
    browser = subscribe(push_service, bob)
    push_service.answers[browser.path] = 503
    row = NotificationFactory(recipient=bob, due_at=NOW)

    _sweep(NOW)
    row.refresh_from_db()
    assert (row.status, row.channels, row.due_at) == ("pending", ["email"], NOW + timedelta(minutes=1))
    assert row.reason == "The push service was busy; trying again shortly."
    assert PushSubscription.objects.filter(membership=bob).count() == 1  # busy is not gone

    del push_service.answers[browser.path]
    _sweep(NOW + timedelta(minutes=1))
    row.refresh_from_db()
    assert (row.status, row.channels, row.attempts) == ("sent", ["email", "push"], 2)
    assert len(mail.outbox) == 1  # the e-mail went once
    assert len(push_service.received) == 2  # refused once (503), delivered once
    assert push_service.failures == []


def test_a_notice_partly_sent_is_not_finished_on_the_other_channel_once_the_policy_says_no(
    push_service, bob_in_team_time
):
    _cohort, bob, own = bob_in_team_time
    own.channels = {"promotion": "both"}
    own.save()
    browser = subscribe(push_service, bob)
    push_service.answers[browser.path] = 503
    row = NotificationFactory(recipient=bob, due_at=NOW)
    _sweep(NOW)

    own.leave_starts, own.leave_ends = NOW.date(), NOW.date() + timedelta(days=7)
    own.save()
    _sweep(NOW + timedelta(minutes=1))

    row.refresh_from_db()
    assert (row.status, row.channels) == ("sent", ["email"])
    assert row.reason == "Sent on one channel only. Not sent: you were on leave."
    assert len(push_service.received) == 1  # only the refused first try


def test_push_without_a_subscribed_browser_goes_by_email(push_service, bob_in_team_time):
    _cohort, bob, own = bob_in_team_time
    own.channels = {"promotion": "push"}
    own.save()
    row = NotificationFactory(recipient=bob, due_at=NOW)

    _sweep(NOW)

    row.refresh_from_db()
    assert (row.status, row.channels, len(mail.outbox)) == ("sent", ["email"], 1)


def test_an_urgent_push_says_so_to_the_push_service(push_service, bob_in_team_time):
    _cohort, bob, own = bob_in_team_time
    own.channels = {"hot_debrief": "push"}
    own.save()
    subscribe(push_service, bob)
    urgent = {"kind": NotificationKind.HOT_DEBRIEF, "priority": NotificationPriority.URGENT}
    NotificationFactory(recipient=bob, due_at=NOW, **urgent)

    _sweep(NOW)

    (received,) = push_service.received
    assert received.headers["urgency"] == "high"
    assert received.payload["body"] == "Hot debrief called"


def test_the_local_service_refuses_a_push_signed_with_another_key(push_service, bob_in_team_time, settings):
    """The check can fail: a server key other than the one the browser subscribed with."""
    _cohort, bob, own = bob_in_team_time
    own.channels = {"promotion": "push"}
    own.save()
    subscribe(push_service, bob)
    settings.WEBPUSH_VAPID_PRIVATE_KEY = new_vapid_key()
    row = NotificationFactory(recipient=bob, due_at=NOW)

    _sweep(NOW)

    assert push_service.failures == ["VAPID: ValueError: k is not the key the browser subscribed with"]
    assert push_service.received == []
    row.refresh_from_db()
    assert (row.status, row.channels) == ("sent", ["email"])  # refused (403): e-mail instead
    assert PushSubscription.objects.filter(membership=bob).count() == 1  # refused is not gone


def test_the_independent_decryption_reads_pywebpush_and_rejects_a_tampered_body():
    browser = Browser(path="/push/x")
    info = {"endpoint": "https://push.invalid/x", "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}
    body = WebPusher(info).encode(b'{"title":"Reflect"}', "aes128gcm")["body"]
    assert decrypt(browser, body) == b'{"title":"Reflect"}'

    tampered = body[:-1] + bytes([body[-1] ^ 1])
    with pytest.raises(InvalidTag):
        decrypt(browser, tampered)
    with pytest.raises(InvalidTag):
        decrypt(Browser(path="/push/other"), body)  # another browser's keys


def test_a_member_removed_from_the_organisation_loses_their_subscriptions(push_service, bob_in_team_time, cast):
    _cohort, bob, _own = bob_in_team_time
    subscribe(push_service, bob)
    with scope(organization=cast.org):
        membership_remove(membership=bob, actor=cast.alice.user)
        assert PushSubscription.objects.filter(membership=bob).count() == 0


def test_the_ledger_shows_which_channels_carried_each_notice(push_service, bob_in_team_time, client, cast):
    _cohort, bob, own = bob_in_team_time
    own.channels = {"promotion": "both"}
    own.save()
    subscribe(push_service, bob)
    NotificationFactory(recipient=bob, due_at=NOW)
    _sweep(NOW)

    client.force_login(bob.user)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        page = client.get(f"/o/{cast.org.slug}/ledger/").content.decode()
    assert '<td data-label="Happened">Sent</td>\n      <td data-label="How">e-mail, push</td>' in page


def test_an_empty_digest_is_not_pushed(push_service, bob_in_team_time):
    _cohort, bob, own = bob_in_team_time
    own.channels = {"digest": "push"}
    own.save()
    subscribe(push_service, bob)
    digest = NotificationFactory(recipient=bob, due_at=NOW, kind=NotificationKind.DIGEST, priority="low")

    _sweep(NOW)

    digest.refresh_from_db()
    assert (digest.status, digest.channels, digest.reason) == ("dropped", [], "Not sent: nothing was left to tell.")
    assert push_service.received == []


def test_unsubscribing_from_an_email_kind_leaves_its_push_and_never_falls_back_to_email(push_service, bob_in_team_time):
    _cohort, bob, own = bob_in_team_time
    own.channels = {"promotion": "both"}
    own.unsubscribed_kinds = ["promotion"]
    own.save()
    browser = subscribe(push_service, bob)
    pushed = NotificationFactory(recipient=bob, due_at=NOW)

    _sweep(NOW)

    pushed.refresh_from_db()
    assert (pushed.status, pushed.channels, len(mail.outbox), len(push_service.received)) == ("sent", ["push"], 0, 1)

    # The browser's subscription has expired: no e-mail instead, since they unsubscribed.
    push_service.answers[browser.path] = 410
    gone = NotificationFactory(recipient=bob, due_at=NOW + timedelta(hours=3))
    _sweep(NOW + timedelta(hours=3))
    gone.refresh_from_db()
    assert (gone.status, gone.channels, len(mail.outbox)) == ("failed", [], 0)

    # Nothing subscribed any more, and no e-mail of this kind: not sent at all.
    dropped = NotificationFactory(recipient=bob, due_at=NOW + timedelta(hours=5))
    _sweep(NOW + timedelta(hours=5))
    dropped.refresh_from_db()
    assert (dropped.status, dropped.reason) == ("dropped", "Not sent: you unsubscribed from these e-mails.")
