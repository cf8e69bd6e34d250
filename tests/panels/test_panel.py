"""A Round's panel: the facilitators choose it, each panellist is told, briefed and
reminded to prepare, and sees only their own Round's notes."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django_scopes import scope, scopes_disabled

from sessions_app.meetings import panel
from sessions_app.meetings import services as scheduling
from sessions_app.meetings.models import MeetingPanellist
from sessions_app.meetings.services import MeetingChange
from sessions_app.notifications import dispatch, planning
from sessions_app.notifications.models import Notification
from tests.factories import MeetingFactory, MembershipFactory
from tests.panels.conftest import NOW, ROUND_STARTS, url

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]

NOTES = "Asha will speak about the night on ward 7."


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _add(client, cast, rounds, person, *, meeting=None):
    client.force_login(rounds.fiona.user)
    meeting = meeting or rounds.meeting
    return client.post(
        url("panellist_add", cast, meeting_id=meeting.public_id), {"membership": person.public_id}, follow=True
    )


def _panel(meeting) -> list[str]:
    with scopes_disabled():
        return [p.membership.user.name for p in MeetingPanellist.objects.filter(meeting=meeting).order_by("pk")]


def _sweep(at=NOW):
    with scopes_disabled():
        return dispatch.dispatch_due(now=at)


def test_a_facilitator_adds_someone_from_outside_the_cohort_who_is_told(client, cast, rounds):
    page = text(_add(client, cast, rounds, rounds.dev))

    assert "Dev is on the panel and will be told." in page
    assert _panel(rounds.meeting) == ["Dev"]
    _sweep()
    (message,) = mail.outbox
    assert (message.to, message.subject) == (
        ["dev@example.org"],
        "[Reflect] You're on the panel: Schwartz Round, Thu 5 Nov 12:00",
    )
    briefing = f"{settings.SITE_URL}/o/st-elsewhere/meetings/{rounds.meeting.public_id}/briefing/"
    assert f"Your briefing for the panel: {briefing}" in message.body
    with scopes_disabled():
        told = Notification.objects.get(kind="panellist")
    assert (told.recipient, told.status) == (rounds.dev, "sent")


def test_the_panellist_is_told_in_their_own_language(client, cast, rounds):
    with scopes_disabled():
        rounds.dev.user.language = "cy"
        rounds.dev.user.save(update_fields=["language"])
    _add(client, cast, rounds, rounds.dev)
    _sweep()
    (message,) = mail.outbox
    assert message.subject.startswith("[Reflect] Rydych chi ar y panel: Schwartz Round")


def test_the_panel_is_full_at_the_cohorts_panel_size(client, cast, rounds):
    with scope(organization=cast.org):
        people = [MembershipFactory(organization=cast.org) for _ in range(4)]
    for person in people[:3]:
        _add(client, cast, rounds, person)

    page = text(_add(client, cast, rounds, people[3]))

    assert "The panel is full: 3 people. Take someone off it first." in page
    assert "The panel is full (3 people)." in page
    assert 'name="membership"' not in page  # no add form while it is full
    assert len(_panel(rounds.meeting)) == 3


def test_facilitators_see_who_has_prepared(client, cast, rounds):
    with scope(organization=cast.org):
        asha = MembershipFactory(organization=cast.org, user__display_name="Asha")
        for person in (asha, rounds.dev):
            panel.panellist_add(meeting=rounds.meeting, membership=person, actor=rounds.fiona, now=NOW)
    client.force_login(asha.user)
    client.post(url("panel_prepared", cast, meeting_id=rounds.meeting.public_id), {"prepared": "1"})

    client.force_login(rounds.fiona.user)
    page = text(client.get(url("meeting_detail", cast, meeting_id=rounds.meeting.public_id)))

    assert "<li>Asha · <strong>prepared</strong>" in page
    assert '<li>Dev · <span class="muted">not prepared yet</span>' in page


def test_a_panellist_marks_prepared_and_takes_it_back(client, cast, rounds):
    with scope(organization=cast.org):
        place = panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
    client.force_login(rounds.dev.user)
    prepared = url("panel_prepared", cast, meeting_id=rounds.meeting.public_id)

    client.post(prepared, {"prepared": "1"})
    with scopes_disabled():
        place.refresh_from_db()
        assert place.prepared_at == NOW
    page = text(client.post(prepared, {"prepared": "0"}, follow=True))
    with scopes_disabled():
        place.refresh_from_db()
    assert place.prepared_at is None
    assert "Marked as not prepared yet." in page


def test_a_member_cannot_choose_the_panel(client, cast, rounds):
    client.force_login(rounds.bob.user)
    response = client.post(
        url("panellist_add", cast, meeting_id=rounds.meeting.public_id), {"membership": rounds.dev.public_id}
    )
    assert response.status_code == 403
    assert _panel(rounds.meeting) == []


@pytest.mark.security
def test_someone_of_another_organisation_cannot_be_put_on_the_panel(client, cast, rounds):
    page = text(_add(client, cast, rounds, cast.charlie))
    assert "Select a valid choice." in page
    assert _panel(rounds.meeting) == []


def test_a_facilitator_takes_someone_off_the_panel(client, cast, rounds):
    with scope(organization=cast.org):
        place = panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
    client.force_login(rounds.fiona.user)
    remove = url("panellist_remove", cast, meeting_id=rounds.meeting.public_id, panellist_id=place.public_id)

    page = text(client.post(remove, follow=True))

    assert "Dev is no longer on the panel." in page
    assert _panel(rounds.meeting) == []


# --- The briefing ----------------------------------------------------------------------


@pytest.mark.security
def test_the_briefing_shows_the_panellist_their_rounds_notes_rules_and_what_to_expect(client, cast, rounds):
    with scope(organization=cast.org):
        scheduling.meeting_panel_notes_save(meeting=rounds.meeting, notes=NOTES)
        panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
    client.force_login(rounds.dev.user)

    page = text(client.get(url("panel_briefing", cast, meeting_id=rounds.meeting.public_id)))

    assert "<h1>Your panel briefing</h1>" in page
    assert NOTES in page
    assert "What is said in the Round stays in the Round." in page
    assert "A Schwartz Round lasts about an hour." in page
    assert "You are one of 3 panellists. Each panellist speaks for about 5 to 10 minutes" in page
    assert "Thursday 5 November 2026, 12:00–13:00" in page
    assert "<dd>Hall</dd>" in page


@pytest.mark.security
def test_a_panellist_of_one_round_gets_404_for_anothers_briefing(client, cast, rounds):
    with scope(organization=cast.org):
        other = MeetingFactory(cohort=rounds.cohort, starts_at=ROUND_STARTS + timedelta(days=28))
        scheduling.meeting_panel_notes_save(meeting=other, notes="Someone else's story")
        panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
    client.force_login(rounds.dev.user)

    response = client.get(url("panel_briefing", cast, meeting_id=other.public_id))
    missing = client.get(url("panel_briefing", cast, meeting_id="doesNotExist"))

    assert (response.status_code, missing.status_code) == (404, 404)
    assert response.content == missing.content


@pytest.mark.security
@pytest.mark.parametrize("who", ["bob", "fiona", "alice"])
def test_nobody_but_the_panellist_sees_the_briefing(client, cast, rounds, who):
    # A member of the cohort, its facilitator and an organisation admin: the notes are the
    # panellist's (the facilitators write them on the meeting page).
    with scope(organization=cast.org):
        scheduling.meeting_panel_notes_save(meeting=rounds.meeting, notes=NOTES)
        panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
    person = {"bob": rounds.bob, "fiona": rounds.fiona, "alice": cast.alice}[who]
    client.force_login(person.user)

    briefing = url("panel_briefing", cast, meeting_id=rounds.meeting.public_id)
    prepared = url("panel_prepared", cast, meeting_id=rounds.meeting.public_id)

    assert (client.get(briefing).status_code, client.post(prepared, {"prepared": "1"}).status_code) == (404, 404)


@pytest.mark.security
def test_a_panellist_taken_off_the_panel_loses_the_briefing(client, cast, rounds):
    with scope(organization=cast.org):
        place = panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
        panel.panellist_remove(place=place, now=NOW)
    client.force_login(rounds.dev.user)
    assert client.get(url("panel_briefing", cast, meeting_id=rounds.meeting.public_id)).status_code == 404


def test_a_panellist_from_outside_the_cohort_sees_the_meeting_page_with_the_way_to_the_briefing(client, cast, rounds):
    with scope(organization=cast.org):
        panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
    client.force_login(rounds.dev.user)
    page = text(client.get(url("meeting_detail", cast, meeting_id=rounds.meeting.public_id)))
    assert "You're on the panel of this Round." in page
    assert NOTES not in page


# --- Panel preparation reminders -------------------------------------------------------


def test_panel_preparation_reaches_facilitators_and_panellists(cast, rounds):
    with scope(organization=cast.org):
        panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
        planning.plan_upcoming(now=NOW)
        prep = dict(Notification.objects.filter(kind="panel_prep").values_list("recipient__user__email", "payload"))
    assert prep == {"dev@example.org": {"briefing": 1}, rounds.fiona.user.email: {}}
    _sweep()
    by_person = {m.to[0]: m for m in mail.outbox if "Panel preparation" in m.subject}
    assert set(by_person) == {"dev@example.org", rounds.fiona.user.email}
    assert f"/meetings/{rounds.meeting.public_id}/briefing/" in by_person["dev@example.org"].body
    assert f"/meetings/{rounds.meeting.public_id}/briefing/" not in by_person[rounds.fiona.user.email].body


def test_a_panellist_taken_off_before_the_reminder_goes_does_not_get_it(cast, rounds):
    with scope(organization=cast.org):
        place = panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
        planning.plan_upcoming(now=NOW)
        panel.panellist_remove(place=place, now=NOW)
    _sweep()
    with scopes_disabled():
        theirs = sorted(Notification.objects.filter(recipient=rounds.dev).values_list("kind", "status", "reason"))
    # With no other place at the Round, its reminders go too.
    gone = "Not sent: you are no longer on the panel."
    assert theirs == [
        ("panel_prep", "dropped", gone),
        ("panellist", "dropped", gone),
        ("reminder", "dropped", gone),
        ("reminder", "dropped", gone),
    ]
    assert [m.to for m in mail.outbox] == [[rounds.fiona.user.email]]


@pytest.mark.security
def test_the_dispatcher_asks_the_panel_at_send_time(cast, rounds):
    # The place is gone however it went (here past the service, straight from the
    # table): the send-time re-check alone must stop the reminder.
    with scope(organization=cast.org):
        panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
        planning.plan_upcoming(now=NOW)
        MeetingPanellist.objects.filter(membership=rounds.dev).delete()
    _sweep()
    with scopes_disabled():
        theirs = sorted(Notification.objects.filter(recipient=rounds.dev).values_list("kind", "status"))
    # The Round's own reminders (theirs as a panellist) are due later, and nothing was sent.
    assert [row for row in theirs if row[0] != "reminder"] == [("panel_prep", "dropped"), ("panellist", "dropped")]
    assert {status for kind, status in theirs if kind == "reminder"} <= {"pending"}
    assert "dev@example.org" not in [m.to[0] for m in mail.outbox]


# --- The meeting page's queries ----------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2])  # 3 fills it: no list of people to add
def test_the_meeting_page_with_a_panel_uses_constant_queries(client, cast, rounds, django_assert_num_queries, size):
    with scope(organization=cast.org):
        for _ in range(size):
            person = MembershipFactory(organization=cast.org)
            panel.panellist_add(meeting=rounds.meeting, membership=person, actor=rounds.fiona, now=NOW)
    client.force_login(rounds.fiona.user)
    with django_assert_num_queries(10):
        page = text(client.get(url("meeting_detail", cast, meeting_id=rounds.meeting.public_id)))
    assert page.count("not prepared yet") == size


def test_the_briefing_page_uses_few_queries(client, cast, rounds, django_assert_num_queries):
    with scope(organization=cast.org):
        panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
    client.force_login(rounds.dev.user)
    with django_assert_num_queries(3):
        page = text(client.get(url("panel_briefing", cast, meeting_id=rounds.meeting.public_id)))
    assert "<h1>Your panel briefing</h1>" in page


@pytest.mark.parametrize("change", ["moved", "cancelled"])
def test_a_panellist_from_outside_the_cohort_hears_when_their_round_moves_or_is_cancelled(cast, rounds, change):
    """The panel speaks at the Round: someone asked from outside the cohort must hear of
    a new time or a cancellation like the cohort's members, with the calendar update."""
    with scope(organization=cast.org):
        panel.panellist_add(meeting=rounds.meeting, membership=rounds.dev, actor=rounds.fiona, now=NOW)
        if change == "moved":
            scheduling.meeting_update(
                meeting=rounds.meeting, change=MeetingChange(location="Lecture theatre"), now=NOW, actor=rounds.fiona
            )
        else:
            scheduling.meeting_cancel(meeting=rounds.meeting, now=NOW, actor=rounds.fiona)
        kinds = set(Notification.objects.filter(recipient=rounds.dev).values_list("kind", flat=True))
    assert {"panellist", "update" if change == "moved" else "cancellation"} <= kinds
