"""A push message speaks its recipient's language, like their e-mail (issue 12): the
dispatcher's own language (whoever's request or worker built it) must not leak in."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from sessions_app.notifications.models import NotificationKind
from sessions_app.notifications.pushes import push_payload
from tests.factories import CohortMemberFactory, MeetingFactory, NotificationFactory

pytestmark = [pytest.mark.i18n, pytest.mark.phone, pytest.mark.django_db]


def _reminder_for(language: str):
    member = CohortMemberFactory()
    user = member.membership.user
    user.language, user.time_zone = language, "Europe/London"
    user.save(update_fields=["language", "time_zone"])
    meeting = MeetingFactory(cohort=member.cohort, starts_at=datetime(2026, 12, 9, 18, 0, tzinfo=UTC))
    return NotificationFactory(recipient=member.membership, meeting=meeting, kind=NotificationKind.REMINDER)


def test_a_welsh_speaker_gets_a_welsh_push_whatever_the_dispatcher_speaks(unscoped):
    row = _reminder_for("cy")

    with translation.override("en-gb"):
        body = push_payload(row)["body"]

    with translation.override("cy"):
        expected = f"{NotificationKind.REMINDER.label}: "
    assert body.startswith(expected), body
    assert "Mer 9 Rhag 18:00" in body, body
    assert "Reminder" not in body and "Wed" not in body


def test_an_english_speaker_gets_english_from_a_welsh_dispatcher(unscoped):
    row = _reminder_for("en-gb")

    with translation.override("cy"):
        body = push_payload(row)["body"]

    assert body.endswith("Wed 9 Dec 18:00"), body
