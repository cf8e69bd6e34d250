"""Open cohorts (issue 13): everyone in the organisation may find an open cohort's
meetings on "What's on" and come, by the one rule the meeting page, the feed, the
reminders and the dispatcher share; hot debriefs stay with the people called; coming to
one Round subscribes nobody to the rest."""

import html
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.models import User
from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.calendars.selectors import calendar_meetings
from sessions_app.cohorts import services as cohorts
from sessions_app.cohorts.models import Cohort, CohortMember
from sessions_app.meetings import rsvps, selectors
from sessions_app.meetings import series as series_services
from sessions_app.meetings.models import MeetingInvitee, Rsvp
from sessions_app.notifications import dispatch, planning
from sessions_app.notifications.models import Notification, NotificationKind
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, MembershipFactory

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday, London winter time (UTC+0)


def url(name, cast, **kwargs):
    return reverse(name, kwargs={"org_slug": cast.org.slug, **kwargs})


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def rounds(cast):
    """Open Schwartz Rounds with one Round tomorrow (capacity 30); dave is in the
    organisation and in no cohort; bob follows the Rounds."""
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Schwartz Rounds", kind="schwartz_rounds", is_open=True)
        cohort.ground_rules = "What is said here stays here."
        cohort.save()
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
        dave = MembershipFactory(organization=cast.org, user__email="dave@example.org", user__display_name="Dave")
        AttentionPolicy.objects.create(organization=cast.org, min_min_gap_minutes=0)
        AttentionBudget.objects.create(organization=cast.org, membership=dave, min_gap_minutes=0)
        meeting = MeetingFactory(
            cohort=cohort,
            title="The patient I can't forget",
            starts_at=NOW + timedelta(hours=3),
            ends_at=NOW + timedelta(hours=4),
            location="Education centre",
            capacity=30,
        )
    return cohort, dave, meeting


def _archived(cohort, dave):
    Cohort.objects.filter(pk=cohort.pk).update(archived_at=NOW - timedelta(minutes=1))


def _closed_again(cohort, dave):
    Cohort.objects.filter(pk=cohort.pk).update(is_open=False)


def _switched_off(cohort, dave):
    User.objects.filter(pk=dave.user_id).update(is_active=False)


def _left_the_organisation(cohort, dave):
    type(dave).objects.filter(pk=dave.pk).update(is_active=False)


def _nothing(cohort, dave):
    """The control case: the cohort stays open and dave stays in the organisation."""


@pytest.mark.security
@pytest.mark.parametrize(
    "change, may",
    [
        (_nothing, True),
        (_archived, False),
        (_closed_again, False),
        (_switched_off, False),
        (_left_the_organisation, False),
    ],
    ids=["open", "archived", "closed-again", "switched-off", "left"],
)
def test_page_feed_answers_and_reminders_follow_one_rule_for_an_open_cohort(rounds, client, change, may):
    cohort, dave, meeting = rounds
    with scope(organization=cohort.organization), time_machine.travel(NOW, tick=False):
        rsvps.rsvp_set(meeting=meeting, membership=dave, status="going")
        planning.plan_reminders(meeting=meeting, now=NOW)
        change(cohort, dave)
        dave = type(dave).objects.select_related("user").get(pk=dave.pk)
        meeting.refresh_from_db()
        on_feed = meeting in calendar_meetings(dave, since=NOW)
        try:
            rsvps.rsvp_set(meeting=meeting, membership=dave, status="going")
            answered = True
        except ValidationError:
            answered = False
    with scopes_disabled():
        dispatch.dispatch_due(now=meeting.starts_at - timedelta(hours=1))
    reminded = [m.subject for m in mail.outbox if m.to == ["dave@example.org"]] == [
        "[Reflect] Reminder: The patient I can't forget, Mon 2 Nov 12:00"
    ]
    with scope(organization=cohort.organization):
        may_attend = selectors.may_attend(meeting, dave)

    assert (may_attend, answered, on_feed, reminded) == (may, may, may, may)


@pytest.mark.security
def test_the_one_rule_for_a_batch_takes_at_most_three_queries(rounds, cast, django_assert_num_queries):
    cohort, dave, meeting = rounds
    with scope(organization=cast.org):
        debrief = MeetingFactory(cohort=cohort, invite_only=True, kind="hot_debrief")
        MeetingInvitee.objects.create(organization=cast.org, meeting=debrief, membership=cast.bob)
        closed = MeetingFactory(cohort=CohortFactory(organization=cast.org))
        pairs = [(meeting, dave.pk), (meeting, cast.bob.pk), (debrief, dave.pk), (debrief, cast.bob.pk)]
        pairs += [(closed, dave.pk), (meeting, cast.charlie.pk)]
        with django_assert_num_queries(3):
            allowed = selectors.attendable(pairs)
    # Charlie is in another organisation: an open cohort is open to its own organisation only.
    assert allowed == {(meeting.pk, dave.pk), (meeting.pk, cast.bob.pk), (debrief.pk, cast.bob.pk)}


@pytest.mark.security
def test_a_hot_debrief_in_an_open_cohort_stays_with_the_people_called(rounds, cast, client):
    cohort, dave, _meeting = rounds
    with scope(organization=cast.org):
        debrief = MeetingFactory(
            cohort=cohort, invite_only=True, kind="hot_debrief", starts_at=NOW + timedelta(hours=1)
        )
        MeetingInvitee.objects.create(organization=cast.org, meeting=debrief, membership=cast.bob)
    client.force_login(dave.user)
    with time_machine.travel(NOW, tick=False):
        page = client.get(url("meeting_detail", cast, meeting_id=debrief.public_id))
        listing = text(client.get(url("whats_on", cast)))
    with scope(organization=cast.org):
        assert selectors.may_attend(debrief, dave) is False
        assert not selectors.visible_meetings(dave).filter(pk=debrief.pk).exists()
    assert page.status_code == 404
    assert debrief.public_id not in listing


@pytest.mark.security
def test_an_archived_open_cohort_is_gone_from_whats_on_and_its_meetings_are_404(rounds, cast, client):
    cohort, dave, meeting = rounds
    with scope(organization=cast.org):
        cohorts.cohort_archive(cohort=cohort, now=NOW - timedelta(minutes=1))
    client.force_login(dave.user)
    with time_machine.travel(NOW, tick=False):
        listing = text(client.get(url("whats_on", cast)))
        page = client.get(url("meeting_detail", cast, meeting_id=meeting.public_id))
    assert "Schwartz Rounds" not in listing
    assert "No open sessions in the next eight weeks." in listing
    assert page.status_code == 404


def test_whats_on_lists_the_round_with_places_and_one_click_rsvp_makes_no_member(rounds, cast, client):
    cohort, dave, meeting = rounds
    with scope(organization=cast.org):
        Rsvp.objects.create(organization=cast.org, meeting=meeting, membership=cast.bob, status="going")
    client.force_login(dave.user)
    with time_machine.travel(NOW, tick=False):
        before = text(client.get(url("whats_on", cast)))
        answered = client.post(
            url("meeting_rsvp", cast, meeting_id=meeting.public_id), {"status": "going", "next": url("whats_on", cast)}
        )
        after = text(client.get(url("whats_on", cast)))
        meeting_page = text(client.get(url("meeting_detail", cast, meeting_id=meeting.public_id)))

    assert "Schwartz Rounds" in before
    # Dave's zone is London: 12:00 UTC on Monday 2 November is 12:00 there.
    assert "Mon 2 Nov 12:00 · The patient I can't forget" in before
    assert "Education centre" in before
    assert "29 places left" in before
    assert "I'll come" in before and "You're going" not in before
    assert answered.status_code == 302 and answered["Location"] == url("whats_on", cast)
    assert "You're going" in after and "28 places left" in after
    # No ground rules to accept first; they are on the meeting page instead.
    assert "You're going" in meeting_page
    assert "What is said here stays here." in meeting_page
    with scope(organization=cast.org):
        assert Rsvp.objects.get(meeting=meeting, membership=dave).status == "going"
        assert not CohortMember.objects.filter(cohort=cohort, membership=dave).exists()


def test_coming_to_one_round_brings_its_reminders_but_not_the_next_rounds_invitations(rounds, cast):
    cohort, dave, meeting = rounds
    with scope(organization=cast.org), time_machine.travel(NOW, tick=False):
        rsvps.rsvp_set(meeting=meeting, membership=dave, status="going")
        series_services.series_create(
            cohort=cohort,
            rule="FREQ=MONTHLY;BYDAY=1WE",
            first_date=NOW.date() + timedelta(days=7),
            start_time=time(12, 30),
            time_zone="Europe/London",
            duration_minutes=60,
            title="",
            location="",
            video_url="",
            capacity=None,
            last_date=None,
            actor=None,
        )
        theirs = set(Notification.objects.filter(recipient=dave).values_list("kind", "meeting_id"))
        bobs = set(Notification.objects.filter(recipient=cast.bob).values_list("kind", flat=True))
    assert theirs == {(NotificationKind.REMINDER, meeting.pk)}
    assert NotificationKind.SERIES in bobs  # a follower hears of the new Rounds


def test_following_a_programme_makes_a_member_and_respects_its_size(rounds, cast, client):
    cohort, dave, _meeting = rounds
    client.force_login(dave.user)
    with time_machine.travel(NOW, tick=False):
        client.post(url("cohort_follow", cast, cohort_id=cohort.public_id))
        listing = text(client.get(url("whats_on", cast)))
    with scope(organization=cast.org):
        assert CohortMember.objects.filter(cohort=cohort, membership=dave, role="member").exists()
        Cohort.objects.filter(pk=cohort.pk).update(max_members=2)
        eve = MembershipFactory(organization=cast.org, user__email="eve@example.org")
    assert "You follow this programme" in listing
    client.force_login(eve.user)
    with time_machine.travel(NOW, tick=False):
        refused = text(client.post(url("cohort_follow", cast, cohort_id=cohort.public_id), follow=True))
    assert "can have at most 2 members" in refused
    with scope(organization=cast.org):
        assert not CohortMember.objects.filter(cohort=cohort, membership=eve).exists()


@pytest.mark.security
def test_following_a_closed_or_foreign_cohort_is_a_404(rounds, cast, client):
    with scope(organization=cast.org):
        closed = CohortFactory(organization=cast.org)
    with scope(organization=cast.other_org):
        foreign = CohortFactory(organization=cast.other_org, is_open=True)
    _cohort, dave, _meeting = rounds
    client.force_login(dave.user)
    assert client.post(url("cohort_follow", cast, cohort_id=closed.public_id)).status_code == 404
    assert client.post(url("cohort_follow", cast, cohort_id=foreign.public_id)).status_code == 404
    with scopes_disabled():
        assert not CohortMember.objects.filter(membership=dave).exists()


@pytest.mark.parametrize("programmes", [1, 6])
def test_whats_on_runs_the_same_queries_for_one_programme_and_for_many(
    cast, client, django_assert_num_queries, programmes
):
    with scope(organization=cast.org):
        for number in range(programmes):
            cohort = CohortFactory(organization=cast.org, name=f"Rounds {number}", is_open=True)
            for day in (1, 8):
                MeetingFactory(
                    cohort=cohort, starts_at=NOW + timedelta(days=day), ends_at=NOW + timedelta(days=day, hours=1)
                )
            closed = CohortFactory(organization=cast.org, name=f"Balint {number}")
            CohortMemberFactory(cohort=closed)
    client.force_login(cast.bob.user)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(5):
        page = text(client.get(url("whats_on", cast)))
    assert page.count("I'll come") == 2 * programmes
    assert page.count("Ask to join") == programmes


def test_a_new_schwartz_rounds_cohort_is_open_and_a_balint_group_closed(cast):
    with scope(organization=cast.org):
        rounds = cohorts.cohort_create(organization=cast.org, name="Rounds", kind="schwartz_rounds")
        balint = cohorts.cohort_create(organization=cast.org, name="Balint", kind="balint_group")
    assert (rounds.is_open, balint.is_open) == (True, False)
    assert (rounds.accepts_join_requests, balint.accepts_join_requests) == (True, True)


def test_a_facilitator_may_open_a_cohort_but_not_change_its_size(cast, client):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Balint", kind="balint_group", max_members=12)
        CohortMemberFactory(cohort=cohort, membership=cast.bob, role="facilitator")
    client.force_login(cast.bob.user)
    form = text(client.get(url("cohort_edit", cast, cohort_id=cohort.public_id)))
    client.post(
        url("cohort_edit", cast, cohort_id=cohort.public_id),
        {"is_open": "on", "accepts_join_requests": "on", "max_members": "40", "name": "Renamed"},
    )
    cohort.refresh_from_db()
    assert "Open: everyone in St Elsewhere can find its meetings on What&#x27;s on and come." in form or (
        "Open: everyone in St Elsewhere can find its meetings on What's on and come." in form
    )
    assert "Most members" not in form
    assert (cohort.is_open, cohort.max_members, cohort.name) == (True, 12, "Balint")


@pytest.mark.security
def test_leaving_the_organisation_gives_back_a_place_at_an_open_round(rounds, cast):
    _cohort, dave, meeting = rounds
    with scope(organization=cast.org), time_machine.travel(NOW, tick=False):
        meeting.capacity = 1
        meeting.save()
        rsvps.rsvp_set(meeting=meeting, membership=dave, status="going")
        waiting = rsvps.rsvp_set(meeting=meeting, membership=cast.bob, status="going")
        cohorts.cohort_memberships_end(membership=dave, now=NOW)
        waiting.refresh_from_db()
        assert not Rsvp.objects.filter(meeting=meeting, membership=dave).exists()
    assert waiting.status == "going"
