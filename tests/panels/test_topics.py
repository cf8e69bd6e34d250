"""A Round's topic: set on the meeting page, said in e-mails, invitations and the feed,
and followed by calendars with a rising SEQUENCE under the same UID."""

import re

import pytest
from django.core import mail
from django_scopes import scope, scopes_disabled
from icalendar import Calendar

from sessions_app.calendars import services as calendar_services
from sessions_app.meetings import services as scheduling
from sessions_app.meetings.models import Meeting
from sessions_app.notifications import dispatch
from sessions_app.notifications.models import Notification
from tests.panels.conftest import NOW, url

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]

TOPIC = "The patient I can't forget"


def _event(ics: bytes):
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    return event


def _invite(meeting):
    with scope(organization=meeting.organization):
        meeting = Meeting.objects.select_related("cohort", "series", "organization").get(pk=meeting.pk)
        return _event(calendar_services.meeting_invite_ics(meeting, method="REQUEST", now=NOW))


def _set_topic(client, cast, rounds, topic):
    client.force_login(rounds.fiona.user)
    return client.post(url("meeting_topic", cast, meeting_id=rounds.meeting.public_id), {"topic": topic}, follow=True)


def _page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_new_topic_updates_the_calendar_event_in_place(client, cast, rounds):
    before = _invite(rounds.meeting)

    _set_topic(client, cast, rounds, TOPIC)

    after = _invite(rounds.meeting)
    assert str(before["SUMMARY"]) == "Schwartz Round · Schwartz Rounds"
    assert str(after["SUMMARY"]) == f"Schwartz Round: {TOPIC}"
    assert (after["UID"], after["SEQUENCE"]) == (before["UID"], before["SEQUENCE"] + 1)
    assert str(after["DESCRIPTION"]).splitlines()[0] == f"Topic: {TOPIC}"


def test_the_topic_goes_out_as_a_change_with_its_invitation(client, cast, rounds):
    _set_topic(client, cast, rounds, TOPIC)
    with scopes_disabled():
        dispatch.dispatch_due(now=NOW)

    (message,) = [m for m in mail.outbox if m.to == ["bob@example.org"]]
    assert message.subject == f"[Reflect] Changed: {TOPIC}, now Thu 5 Nov 12:00"
    assert f"Topic: {TOPIC}\n" in message.body
    (html, _type) = message.alternatives[0]
    assert f"Topic: {TOPIC}</p>" in html.replace("&#x27;", "'")
    event = _event(message.attachments[0][1])
    assert (str(event["SUMMARY"]), event["SEQUENCE"]) == (f"Schwartz Round: {TOPIC}", 1)
    # Fiona set it: she is not told of her own change.
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]


def test_reminders_carry_the_topic(cast, rounds):
    with scope(organization=cast.org):
        scheduling.meeting_topic_set(meeting=rounds.meeting, topic=TOPIC, now=NOW)
        reminder = Notification.objects.filter(recipient=rounds.bob, kind="reminder").earliest("due_at")
    with scopes_disabled():
        dispatch.dispatch_due(now=reminder.due_at)
    subjects = [m.subject for m in mail.outbox if m.to == ["bob@example.org"]]
    assert f"[Reflect] Reminder: {TOPIC}, Thu 5 Nov 12:00" in subjects


def test_the_feed_and_the_pages_show_the_topic(client, cast, rounds):
    _set_topic(client, cast, rounds, TOPIC)
    with scope(organization=cast.org):
        feed = Calendar.from_ical(calendar_services.feed_ics(rounds.bob, now=NOW))
    assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == [f"Schwartz Round: {TOPIC}"]

    client.force_login(rounds.bob.user)
    page = _page_text(client.get(url("meeting_detail", cast, meeting_id=rounds.meeting.public_id)))
    home = _page_text(client.get(url("organization_home", cast)))
    assert f"<h1>{TOPIC.replace(chr(39), '&#x27;')}</h1>" in page
    assert f"<dt>Topic</dt><dd>{TOPIC.replace(chr(39), '&#x27;')}</dd>" in page
    assert f"{TOPIC.replace(chr(39), '&#x27;')} · Schwartz Rounds" in home


@pytest.mark.security
@pytest.mark.parametrize("topic", ["The patient\nI can't forget", "Tabs\tand bells\x07", "Carriage\rreturn"])
def test_a_topic_of_more_than_one_line_is_refused_and_changes_nothing(client, cast, rounds, topic):
    response = _set_topic(client, cast, rounds, topic)

    assert "Use one line of plain text: no line breaks, tabs or other control characters." in _page_text(response)
    with scopes_disabled():
        meeting = Meeting.objects.get(pk=rounds.meeting.pk)
        assert (meeting.title, meeting.sequence) == ("", 0)
        assert not Notification.objects.filter(kind="update").exists()


def test_a_topic_longer_than_120_characters_is_refused(client, cast, rounds):
    response = _set_topic(client, cast, rounds, "x" * 121)

    assert "Ensure this value has at most 120 characters (it has 121)." in _page_text(response)
    with scopes_disabled():
        assert Meeting.objects.get(pk=rounds.meeting.pk).title == ""


def test_a_member_cannot_set_the_topic(client, cast, rounds):
    client.force_login(rounds.bob.user)
    response = client.post(url("meeting_topic", cast, meeting_id=rounds.meeting.public_id), {"topic": TOPIC})
    assert response.status_code == 403
    with scopes_disabled():
        assert Meeting.objects.get(pk=rounds.meeting.pk).title == ""


def test_the_topic_of_one_meeting_leaves_the_series_and_its_other_meetings_alone(client, cast, rounds):
    with scope(organization=cast.org):
        later = Meeting.objects.create(
            organization=cast.org,
            cohort=rounds.cohort,
            series=rounds.meeting.series,
            series_local_date=rounds.meeting.series_local_date.replace(day=3, month=12),
            starts_at=rounds.meeting.starts_at.replace(day=3, month=12),
            ends_at=rounds.meeting.ends_at.replace(day=3, month=12),
            time_zone="Europe/London",
        )
    _set_topic(client, cast, rounds, TOPIC)
    with scopes_disabled():
        meeting, later = Meeting.objects.get(pk=rounds.meeting.pk), Meeting.objects.get(pk=later.pk)
    assert (meeting.title, meeting.is_detached) == (TOPIC, False)
    assert (later.title, later.sequence, meeting.series.title) == ("", 0, "Schwartz Round")


@pytest.mark.security
def test_panel_notes_never_reach_e_mails_invitations_or_the_feed(client, cast, rounds):
    with scope(organization=cast.org):
        scheduling.meeting_panel_notes_save(meeting=rounds.meeting, notes="Asha's story about bed 4")
    _set_topic(client, cast, rounds, TOPIC)
    with scopes_disabled():
        dispatch.dispatch_due(now=NOW)
    with scope(organization=cast.org):
        feed = calendar_services.feed_ics(rounds.bob, now=NOW).decode()
    invite = _invite(rounds.meeting).to_ical().decode()
    sent = [m.body + m.alternatives[0][0] + "".join(str(a[1]) for a in m.attachments) for m in mail.outbox]
    assert len(sent) == 1
    assert [text for text in [*sent, feed, invite] if "bed 4" in text or "Asha" in text] == []
