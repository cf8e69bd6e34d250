"""Feedback notices go through the outbox and the attention policy (issue 14 §2): the
reader's request waits for their digest, the author hears of feedback and sign-offs, each
e-mail says who and links to the page, never the reflection, the note or the feedback;
withdrawing drops what is still waiting; every notice is in the person's ledger."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django_scopes import scope, scopes_disabled

from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.feedback import services
from sessions_app.notifications import dispatch
from sessions_app.notifications.models import Notification, NotificationKind
from tests.feedback.helpers import ANSWERS, FEEDBACK, NOTE, NOW, account, people, share, sign, text, url

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]

DIGEST = NOW.replace(hour=17)  # 17:00 in London in March, the default digest time
SECRETS = (ANSWERS["learned"], FEEDBACK, NOTE)


@pytest.fixture
def pair(cast):
    nina, priya = people(cast)
    with scope(organization=cast.org):
        AttentionPolicy.objects.create(organization=cast.org, min_min_gap_minutes=0)
        for person in (nina, priya):
            AttentionBudget.objects.create(organization=cast.org, membership=person, min_gap_minutes=0)
    return nina, priya


def _dispatch(when):
    with scopes_disabled(), time_machine.travel(when, tick=False):
        dispatch.dispatch_due(now=when)


def _everything_sent() -> str:
    return "".join(
        m.subject + m.body + "".join(str(alternative[0]) for alternative in m.alternatives) for m in mail.outbox
    )


@pytest.mark.security
def test_the_request_waits_for_the_readers_digest_and_says_only_who_asked(pair, cast):
    nina, priya = pair
    the_share = share(account(nina), priya, note=NOTE)
    with scope(organization=cast.org):
        row = Notification.objects.get(kind=NotificationKind.FEEDBACK_REQUEST)
    assert (row.recipient, row.priority, row.meeting, row.payload["name"]) == (priya, "low", None, "Nina Nurse")
    _dispatch(NOW)
    assert mail.outbox == []  # low priority: merged into the digest, not an interruption
    _dispatch(DIGEST)
    [digest] = mail.outbox
    assert digest.to == ["priya@example.org"]
    assert "- Nina Nurse asked for your feedback on a reflection" in digest.body
    assert f"/o/{cast.org.slug}/feedback/{the_share.public_id}/" in digest.body
    assert [secret for secret in SECRETS if secret in _everything_sent() or secret in str(row.payload)] == []


@pytest.mark.security
def test_feedback_and_sign_off_tell_the_author_without_the_text(pair, cast):
    nina, priya = pair
    reflection = account(nina)
    the_share = share(reflection, priya, note=NOTE)
    with scope(organization=cast.org), time_machine.travel(NOW, tick=False):
        services.feedback_save(share=the_share, reader=priya, text=FEEDBACK)
        services.feedback_save(share=the_share, reader=priya, text=FEEDBACK + " and more")
    sign(the_share, priya)
    _dispatch(NOW)
    subjects = sorted(m.subject for m in mail.outbox if m.to == ["nina@example.org"])
    assert subjects == [
        "[Reflect] Priya Partner gave feedback on your reflection",
        "[Reflect] Priya Partner signed off your reflection",
    ]
    assert f"/o/{cast.org.slug}/reflections/{reflection.public_id}/feedback/" in mail.outbox[0].body
    with scope(organization=cast.org):
        payloads = str(list(Notification.objects.values_list("payload", flat=True)))
    assert [secret for secret in SECRETS if secret in _everything_sent() or secret in payloads] == []


@pytest.mark.security
def test_withdrawing_drops_what_is_still_waiting_and_the_ledger_says_why(pair, cast, client):
    nina, priya = pair
    the_share = share(account(nina), priya)
    with scope(organization=cast.org), time_machine.travel(NOW, tick=False):
        services.feedback_share_withdraw(share=the_share, author=nina)
    _dispatch(NOW)
    _dispatch(DIGEST)
    assert mail.outbox == []
    with scope(organization=cast.org):
        row = Notification.objects.get(kind=NotificationKind.FEEDBACK_REQUEST)
    assert (row.status, row.reason) == ("dropped", "Not sent: the reflection is no longer shared.")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        client.force_login(priya.user)
        ledger = text(client.get(url("ledger", cast.org)))
    assert (
        "Mon 15 Mar 10:00 Asked for feedback on a reflection Not sent — Not sent: the reflection is no longer shared."
        in ledger
    )


def test_the_request_is_in_the_readers_ledger_once_sent(pair, cast, client):
    nina, priya = pair
    share(account(nina), priya)
    _dispatch(NOW)
    _dispatch(DIGEST)
    with time_machine.travel(DIGEST + timedelta(minutes=5), tick=False):
        client.force_login(priya.user)
        ledger = text(client.get(url("ledger", cast.org)))
    assert "Asked for feedback on a reflection Merged into a digest" in ledger
