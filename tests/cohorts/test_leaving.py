"""Leaving means leaving: someone taken out of a cohort, or out of the organisation,
hears nothing more about its meetings, holds no places in them, and does not get the
cohort back by being invited to the organisation again."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts import services as account_services
from accounts.models import User
from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.calendars.selectors import calendar_meetings
from sessions_app.calendars.services import calendar_feed_regenerate
from sessions_app.cohorts import services as cohorts
from sessions_app.cohorts.models import Cohort, CohortMember
from sessions_app.cohorts.signals import member_leaving
from sessions_app.meetings import rsvps
from sessions_app.meetings import services as scheduling
from sessions_app.meetings.models import Rsvp
from sessions_app.notifications import dispatch, planning
from sessions_app.notifications.models import Notification, NotificationKind
from tests.factories import (
    PASSWORD,
    CohortFactory,
    CohortMemberFactory,
    InvitationFactory,
    MeetingFactory,
    MembershipFactory,
    NotificationFactory,
)

pytestmark = [pytest.mark.scheduling, pytest.mark.django_db]

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday, London winter time (UTC+0)


@pytest.fixture
def team(cast):
    """Team Time with bob in it, a meeting tomorrow with reminders planned for him."""
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Team Time")
        bob = CohortMemberFactory(cohort=cohort, membership=cast.bob).membership
        AttentionPolicy.objects.create(organization=cast.org, min_min_gap_minutes=0)
        AttentionBudget.objects.create(organization=cast.org, membership=bob, min_gap_minutes=0)
        meeting = MeetingFactory(
            cohort=cohort,
            starts_at=NOW + timedelta(hours=3),
            ends_at=NOW + timedelta(hours=4),
            video_url="https://video.example.org/team-time",
        )
        planning.plan_reminders(meeting=meeting, now=NOW)
        yield cohort, bob, meeting


def _remove_from_cohort(cohort, membership):
    with time_machine.travel(NOW, tick=False):
        cohorts.cohort_remove_member(cohort_member=CohortMember.objects.get(cohort=cohort, membership=membership))


def _sweep(at):
    with scopes_disabled():
        return dispatch.dispatch_due(now=at)


@pytest.mark.security
def test_reminder_is_not_sent_to_someone_no_longer_in_the_cohort(team, client):
    """The send-time re-check asks what the meeting page asks: may this person attend?
    Here the cohort place goes without the removal service (as a row claimed while the
    removal commits would see it), so only the re-check stands between bob and the link."""
    cohort, bob, meeting = team
    CohortMember.objects.filter(cohort=cohort, membership=bob).delete()

    client.force_login(bob.user)
    page = reverse("meeting_detail", kwargs={"org_slug": cohort.organization.slug, "meeting_id": meeting.public_id})
    assert client.get(page).status_code == 404

    _sweep(meeting.starts_at - timedelta(hours=1))

    assert mail.outbox == []
    assert list(Notification.objects.filter(recipient=bob).values_list("kind", "status", "reason")) == [
        ("reminder", "dropped", "Not sent: you are no longer in Team Time.")
    ]


@pytest.mark.security
def test_reminder_still_goes_to_someone_who_stays(team):
    _cohort, bob, meeting = team
    _sweep(meeting.starts_at - timedelta(hours=1))
    (message,) = mail.outbox
    assert message.to == [bob.user.email]
    assert "https://video.example.org/team-time" in message.body


@pytest.mark.security
def test_removing_from_a_cohort_drops_pending_notifications_and_future_places(team, cast):
    cohort, bob, meeting = team
    meeting.capacity = 1
    meeting.save()
    carol = CohortMemberFactory(cohort=cohort, membership__user__display_name="Carol").membership
    past = MeetingFactory(cohort=cohort, starts_at=NOW - timedelta(days=7), ends_at=NOW - timedelta(days=7, hours=-1))
    Rsvp.objects.create(organization=cast.org, meeting=past, membership=bob, status="going")
    rsvps.rsvp_set(meeting=meeting, membership=bob, status="going", now=NOW)
    rsvps.rsvp_set(meeting=meeting, membership=carol, status="going", now=NOW + timedelta(minutes=1))
    assert Rsvp.objects.get(meeting=meeting, membership=carol).status == "waitlisted"
    other = CohortFactory(organization=cast.org, name="Balint")
    CohortMemberFactory(cohort=other, membership=bob)
    elsewhere = MeetingFactory(cohort=other, starts_at=NOW + timedelta(hours=5), ends_at=NOW + timedelta(hours=6))
    planning.plan_reminders(meeting=elsewhere, now=NOW)

    _remove_from_cohort(cohort, bob)

    # His place in the coming meeting goes to the first person waiting; the past one is history.
    assert list(Rsvp.objects.filter(membership=bob).values_list("meeting", "status")) == [(past.pk, "going")]
    assert Rsvp.objects.get(meeting=meeting, membership=carol).status == "going"
    assert Notification.objects.filter(recipient=carol, kind=NotificationKind.PROMOTION, status="pending").count() == 1
    # Nothing about Team Time is left to send him; the other cohort's reminders stay.
    assert list(Notification.objects.filter(recipient=bob, meeting=meeting).values_list("status", "reason")) == [
        ("dropped", "Not sent: you left Team Time.")
    ]
    assert set(Notification.objects.filter(recipient=bob, meeting=elsewhere).values_list("status", flat=True)) == {
        "pending"
    }


def test_leaving_and_what_it_drops_commit_or_roll_back_together(team, cast):
    """Meetings and notifications act on ``cohorts.signals.member_leaving`` inside the
    removal's transaction: when the removal fails, nothing any receiver did stays."""
    cohort, bob, meeting = team
    rsvps.rsvp_set(meeting=meeting, membership=bob, status="going", now=NOW)
    owed = set(Notification.objects.filter(recipient=bob).values_list("pk", "status"))

    def fail(sender, **kwargs):
        raise RuntimeError("the last receiver fails")

    member_leaving.connect(fail, dispatch_uid="test-fail-after-others")
    try:
        with pytest.raises(RuntimeError):
            _remove_from_cohort(cohort, bob)
    finally:
        member_leaving.disconnect(dispatch_uid="test-fail-after-others")

    assert CohortMember.objects.filter(cohort=cohort, membership=bob).exists()
    assert Rsvp.objects.get(meeting=meeting, membership=bob).status == "going"
    assert set(Notification.objects.filter(recipient=bob).values_list("pk", "status")) == owed


def _series_news_waiting_in_a_digest(bob, meeting) -> None:
    """News of the meeting's series, merged into bob's digest due this evening."""
    digest = NotificationFactory(
        recipient=bob,
        kind=NotificationKind.DIGEST,
        priority="low",
        idempotency_key="digest-test",
        due_at=NOW + timedelta(hours=8),
    )
    NotificationFactory(
        recipient=bob,
        kind=NotificationKind.SERIES,
        priority="low",
        meeting=meeting,
        idempotency_key="series-test",
        due_at=NOW,
        status="merged",
        digest=digest,
    )


@pytest.mark.security
def test_removing_from_a_cohort_drops_items_waiting_in_a_digest(team, cast):
    cohort, bob, meeting = team
    _series_news_waiting_in_a_digest(bob, meeting)

    _remove_from_cohort(cohort, bob)
    _sweep(NOW + timedelta(hours=8))

    assert mail.outbox == []
    assert Notification.objects.get(idempotency_key="series-test").status == "dropped"
    assert Notification.objects.get(idempotency_key="digest-test").reason == "Not sent: nothing was left to tell."


@pytest.mark.security
def test_a_digest_leaves_out_meetings_of_a_cohort_the_person_is_no_longer_in(team, cast):
    cohort, bob, meeting = team
    _series_news_waiting_in_a_digest(bob, meeting)
    CohortMember.objects.filter(cohort=cohort, membership=bob).delete()  # without the removal service

    _sweep(NOW + timedelta(hours=8))

    assert mail.outbox == []
    assert Notification.objects.get(idempotency_key="digest-test").reason == "Not sent: nothing was left to tell."


@pytest.mark.security
def test_removing_someone_from_a_hot_debrief_cohort_takes_them_off_its_coming_debriefs(team, cast):
    cohort, bob, _meeting = team
    debrief = scheduling.hot_debrief_create(
        cohort=cohort, starts_at=NOW + timedelta(hours=2), people=[bob], title="After the incident", now=NOW
    )
    assert rsvps.may_attend(debrief, bob) is True

    _remove_from_cohort(cohort, bob)

    assert rsvps.may_attend(debrief, bob) is False
    assert set(Notification.objects.filter(recipient=bob, meeting=debrief).values_list("status", flat=True)) == {
        "dropped"
    }


@pytest.mark.security
def test_facilitator_removing_someone_in_the_page_stops_their_reminders(team, cast, client):
    cohort, bob, meeting = team
    facilitator = CohortMemberFactory(cohort=cohort, role="facilitator").membership
    bob_place = CohortMember.objects.get(cohort=cohort, membership=bob)
    client.force_login(facilitator.user)
    url = reverse(
        "cohort_member_remove",
        kwargs={"org_slug": cast.org.slug, "cohort_id": cohort.public_id, "cohort_member_id": bob_place.public_id},
    )
    with time_machine.travel(NOW, tick=False):
        response = client.post(url)
    assert response.status_code == 302

    _sweep(meeting.starts_at - timedelta(hours=1))

    assert [message.to for message in mail.outbox] == []


@pytest.mark.security
def test_removal_from_the_organisation_ends_cohort_places(team, cast):
    _cohort, bob, meeting = team
    rsvps.rsvp_set(meeting=meeting, membership=bob, status="going", now=NOW)

    with time_machine.travel(NOW, tick=False):
        account_services.membership_remove(membership=bob)

    assert CohortMember.objects.filter(membership=bob).count() == 0
    assert Rsvp.objects.filter(membership=bob).count() == 0
    assert set(Notification.objects.filter(recipient=bob).values_list("status", flat=True)) == {"dropped"}


@pytest.mark.security
def test_invited_back_after_removal_does_not_regain_old_cohorts_or_their_shared_history(team, cast, client):
    cohort, bob, _meeting = team
    with time_machine.travel(NOW, tick=False):
        account_services.membership_remove(membership=bob)
        invitation = InvitationFactory(organization=cast.org, email=bob.user.email)
        account_services.invitation_accept(invitation=invitation, user=bob.user)

    bob.refresh_from_db()
    assert bob.is_active is True
    assert CohortMember.objects.filter(membership=bob).count() == 0
    client.force_login(bob.user)
    kwargs = {"org_slug": cast.org.slug, "cohort_id": cohort.public_id}
    assert client.get(reverse("cohort_detail", kwargs=kwargs)).status_code == 404
    assert client.get(reverse("cohort_shared_reflections", kwargs=kwargs)).status_code == 404


def test_removing_a_member_leaves_other_members_alone(team, cast):
    cohort, bob, _meeting = team
    stays = MembershipFactory(organization=cast.org)
    CohortMemberFactory(cohort=cohort, membership=stays)
    _remove_from_cohort(cohort, bob)
    assert list(CohortMember.objects.filter(cohort=cohort).values_list("membership", flat=True)) == [stays.pk]


@pytest.mark.security
def test_migration_ends_the_cohort_places_people_kept_when_removed_before_this_fix(team, cast):
    import importlib

    from django.apps import apps

    cohort, bob, _meeting = team
    stays = CohortMemberFactory(cohort=cohort).membership
    type(bob).objects.filter(pk=bob.pk).update(is_active=False)  # removed the old way
    migration = importlib.import_module("sessions_app.migrations.0009_end_cohort_places_of_people_who_left")

    with scopes_disabled():
        migration.end_cohort_places(apps, None)

    assert list(CohortMember.objects.filter(cohort=cohort).values_list("membership", flat=True)) == [stays.pk]


# --- One rule: may this person attend this meeting? ------------------------------------------


def _archive_behind_the_services(cohort):
    """As the operator does it in the Django admin's list or a shell: only the column
    changes, so only the send-time re-check stands between the member and the link."""
    type(cohort).objects.filter(pk=cohort.pk).update(archived_at=NOW - timedelta(minutes=5))


@pytest.mark.security
def test_reminder_is_not_sent_about_a_meeting_of_an_archived_cohort(team, client):
    cohort, bob, meeting = team
    _archive_behind_the_services(cohort)

    client.force_login(bob.user)
    page = reverse("meeting_detail", kwargs={"org_slug": cohort.organization.slug, "meeting_id": meeting.public_id})
    assert client.get(page).status_code == 404

    _sweep(meeting.starts_at - timedelta(hours=1))

    assert mail.outbox == []
    assert list(Notification.objects.filter(recipient=bob).values_list("kind", "status", "reason")) == [
        ("reminder", "dropped", "Not sent: Team Time was archived.")
    ]


@pytest.mark.security
def test_reminder_is_not_sent_to_a_switched_off_account(team):
    _cohort, bob, meeting = team
    User.objects.filter(pk=bob.user_id).update(is_active=False)  # the operator switches the account off

    _sweep(meeting.starts_at - timedelta(hours=1))

    assert mail.outbox == []
    assert list(Notification.objects.filter(recipient=bob).values_list("kind", "status", "reason")) == [
        ("reminder", "dropped", "Not sent: your account is switched off.")
    ]


@pytest.mark.security
def test_calendar_feed_leaves_out_meetings_of_an_archived_cohort(team, client):
    cohort, bob, _meeting = team
    feed = calendar_feed_regenerate(membership=bob)
    url = reverse("calendar_feed", kwargs={"token": feed.token})
    with time_machine.travel(NOW, tick=False):
        before = client.get(url).content.decode()
        _archive_behind_the_services(cohort)
        after = client.get(url).content.decode()

    assert (before.count("BEGIN:VEVENT"), "video.example.org/team-time" in before) == (1, True)
    assert (after.count("BEGIN:VEVENT"), "video.example.org/team-time" in after) == (0, False)


@pytest.mark.security
def test_archiving_a_cohort_drops_what_is_waiting_about_its_meetings(team, cast):
    cohort, bob, meeting = team
    with time_machine.travel(NOW, tick=False):
        cohorts.cohort_archive(cohort=cohort)

    assert Cohort.objects.get(pk=cohort.pk).archived_at == NOW
    assert set(Notification.objects.filter(recipient=bob).values_list("status", "reason")) == {
        ("dropped", "Not sent: Team Time was archived.")
    }
    _sweep(meeting.starts_at - timedelta(hours=1))
    assert mail.outbox == []


def _archived(cohort, bob):
    _archive_behind_the_services(cohort)


def _switched_off(cohort, bob):
    User.objects.filter(pk=bob.user_id).update(is_active=False)


def _left_the_organisation(cohort, bob):
    type(bob).objects.filter(pk=bob.pk).update(is_active=False)


def _out_of_the_cohort(cohort, bob):
    CohortMember.objects.filter(cohort=cohort, membership=bob).delete()


def _nothing(cohort, bob):
    """The control case: bob stays, and everything still reaches him."""


@pytest.mark.security
@pytest.mark.parametrize(
    "change, may",
    [
        (_nothing, True),
        (_archived, False),
        (_switched_off, False),
        (_left_the_organisation, False),
        (_out_of_the_cohort, False),
    ],
    ids=["stays", "archived", "switched-off", "left", "out-of-cohort"],
)
def test_page_feed_answers_and_reminders_follow_one_rule(team, change, may):
    """Every place that asks "may this person attend?" gets the same answer: the answer
    buttons, an RSVP, the calendar feed and the reminder."""
    cohort, bob, meeting = team
    change(cohort, bob)
    bob = type(bob).objects.select_related("user").get(pk=bob.pk)

    on_feed = meeting in calendar_meetings(bob, since=NOW)
    _sweep(meeting.starts_at - timedelta(hours=1))
    reminded = [message.to for message in mail.outbox] == [[bob.user.email]]
    try:
        with time_machine.travel(NOW, tick=False):
            rsvps.rsvp_set(meeting=meeting, membership=bob, status="cant")
        answered = True
    except ValidationError:
        answered = False

    assert (rsvps.may_attend(meeting, bob), answered, on_feed, reminded) == (may, may, may, may)


@pytest.mark.security
def test_operator_archiving_in_the_django_admin_drops_what_is_waiting(team, admin_client):
    cohort, bob, _meeting = team
    with scopes_disabled(), time_machine.travel(NOW, tick=False):
        admin_client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # admin changes need it
        response = admin_client.post(
            reverse("admin:sessions_app_cohort_changelist"), {"action": "archive", "_selected_action": [cohort.pk]}
        )
    assert response.status_code == 302

    assert Cohort.objects.get(pk=cohort.pk).archived_at == NOW
    assert set(Notification.objects.filter(recipient=bob).values_list("status", "reason")) == {
        ("dropped", "Not sent: Team Time was archived.")
    }
