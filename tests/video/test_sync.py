"""Provider links kept in step with their meetings, through the real Celery task (eager)
against the local fake Graph and Zoom: create, move, cancel, retry, give up, no duplicate."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django_scopes import scope

from sessions_app.meetings.models import Meeting
from sessions_app.meetings.series import series_create, series_materialize
from sessions_app.meetings.services import MeetingChange, meeting_cancel, meeting_update
from sessions_app.video import services, sync
from sessions_app.video.models import LinkState, VideoLink
from tests.factories import MeetingFactory
from tests.video.conftest import configure

pytestmark = pytest.mark.programmes

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
BOTH = pytest.mark.parametrize("kind", ["teams", "zoom"])


@pytest.fixture(autouse=True)
def _pinned_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def one_meeting(cohort, **fields) -> Meeting:
    with scope(organization=cohort.organization):
        return MeetingFactory(
            cohort=cohort,
            title="The patient I can't forget",
            starts_at=datetime(2026, 3, 5, 12, 30, tzinfo=UTC),
            ends_at=datetime(2026, 3, 5, 13, 30, tzinfo=UTC),
            **fields,
        )


def ask_for_link(meeting: Meeting, capture) -> VideoLink:
    with scope(organization=meeting.organization), capture(execute=True):
        services.video_link_request(meeting=meeting)
    return reload(meeting)


def reload(meeting: Meeting) -> VideoLink:
    with scope(organization=meeting.organization):
        return VideoLink.objects.select_related("meeting").get(meeting=meeting)


def provider_meetings(fake, kind: str) -> list[dict]:
    return list((fake.graph_meetings if kind == "teams" else fake.zoom_meetings).values())


def test_teams_meeting_created_with_its_times_and_link_put_in_the_meeting(
    fake, cast, rounds, django_capture_on_commit_callbacks
):
    configure(fake, cast.org, "teams")
    meeting = one_meeting(rounds[0])

    link = ask_for_link(meeting, django_capture_on_commit_callbacks)

    [created] = fake.graph_meetings.values()
    assert created["externalId"] == link.public_id
    assert (created["startDateTime"], created["endDateTime"]) == ("2026-03-05T12:30:00Z", "2026-03-05T13:30:00Z")
    assert created["subject"] == "The patient I can't forget"
    assert (link.state, link.external_id, link.join_url) == (LinkState.READY, created["id"], created["joinWebUrl"])
    assert link.meeting.video_url == created["joinWebUrl"]
    assert link.meeting.sequence == 1  # calendars replace the entry that had no link
    assert fake.failures == []


def test_zoom_meeting_created_as_a_scheduled_meeting(fake, cast, rounds, django_capture_on_commit_callbacks):
    configure(fake, cast.org, "zoom")
    meeting = one_meeting(rounds[0])

    link = ask_for_link(meeting, django_capture_on_commit_callbacks)

    [created] = fake.zoom_meetings.values()
    assert (created["type"], created["start_time"], created["duration"]) == (2, "2026-03-05T12:30:00Z", 60)
    assert (created["timezone"], created["topic"]) == ("Europe/London", "The patient I can't forget")
    assert link.external_id == str(created["id"])
    assert link.meeting.video_url == created["join_url"]
    assert fake.failures == []


def test_new_meetings_of_a_series_that_wants_links_get_one_each(fake, cast, rounds, django_capture_on_commit_callbacks):
    cohort = rounds[0]
    configure(fake, cast.org, "teams")
    with scope(organization=cast.org), django_capture_on_commit_callbacks(execute=True):
        series = series_create(
            cohort=cohort,
            rule="FREQ=WEEKLY;COUNT=3",
            first_date=datetime(2026, 3, 4).date(),
            start_time=time(12, 30),
            time_zone="Europe/London",
            duration_minutes=60,
            now=NOW,
        )
        services.series_video_request(series=series)
        later = series_create(
            cohort=cohort,
            rule="FREQ=WEEKLY;COUNT=2",
            first_date=datetime(2026, 3, 6).date(),
            start_time=time(9),
            time_zone="Europe/London",
            duration_minutes=45,
            now=NOW,
        )

    with scope(organization=cast.org):
        urls = sorted(Meeting.objects.filter(series=series).values_list("video_url", flat=True))
        assert Meeting.objects.filter(series=later).exclude(video_url="").count() == 0
    assert len(fake.graph_meetings) == 3
    assert urls == sorted(m["joinWebUrl"] for m in fake.graph_meetings.values())


def test_a_meeting_the_series_materialises_later_gets_its_link(fake, cast, rounds, django_capture_on_commit_callbacks):
    cohort = rounds[0]
    configure(fake, cast.org, "zoom")
    with scope(organization=cast.org), django_capture_on_commit_callbacks(execute=True):
        series = series_create(
            cohort=cohort,
            rule="FREQ=WEEKLY",
            first_date=datetime(2026, 3, 4).date(),
            start_time=time(12, 30),
            time_zone="Europe/London",
            duration_minutes=60,
            now=NOW,
        )
        services.series_video_request(series=series)
    before = len(fake.zoom_meetings)
    with scope(organization=cast.org), django_capture_on_commit_callbacks(execute=True):
        series_materialize(series=series, now=NOW + timedelta(weeks=1))

    assert len(fake.zoom_meetings) == before + 1
    with scope(organization=cast.org):
        assert not Meeting.objects.filter(series=series, video_url="").exists()


@BOTH
def test_a_moved_meeting_moves_its_provider_meeting(kind, fake, cast, rounds, django_capture_on_commit_callbacks):
    configure(fake, cast.org, kind)
    meeting = ask_for_link(one_meeting(rounds[0]), django_capture_on_commit_callbacks).meeting

    with scope(organization=cast.org), django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, change=MeetingChange(start_time=time(15), duration_minutes=90), now=NOW)

    [moved] = provider_meetings(fake, kind)
    [patch] = fake.api_calls("PATCH")
    assert patch.path.endswith(f"/{reload(meeting).external_id}")
    if kind == "teams":
        assert (moved["startDateTime"], moved["endDateTime"]) == ("2026-03-05T15:00:00Z", "2026-03-05T16:30:00Z")
    else:
        assert (moved["start_time"], moved["duration"]) == ("2026-03-05T15:00:00Z", 90)
    assert reload(meeting).synced["start"] == "2026-03-05T15:00:00Z"
    assert fake.failures == []


@BOTH
def test_a_cancelled_meeting_deletes_its_provider_meeting(kind, fake, cast, rounds, django_capture_on_commit_callbacks):
    configure(fake, cast.org, kind)
    meeting = ask_for_link(one_meeting(rounds[0]), django_capture_on_commit_callbacks).meeting

    with scope(organization=cast.org), django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, now=NOW)

    assert provider_meetings(fake, kind) == []
    assert len(fake.api_calls("DELETE")) == 1
    assert reload(meeting).state == LinkState.CANCELLED


@BOTH
def test_busy_and_rate_limited_answers_are_tried_again(kind, fake, cast, rounds, django_capture_on_commit_callbacks):
    configure(fake, cast.org, kind)
    fake.fail_next(503)
    fake.fail_next(429, headers={"Retry-After": "7"})

    link = ask_for_link(one_meeting(rounds[0]), django_capture_on_commit_callbacks)

    assert link.state == LinkState.READY
    assert len(provider_meetings(fake, kind)) == 1
    assert link.attempts == 3 and link.last_error == ""


def test_a_timeout_is_tried_again(fake, cast, rounds, settings, django_capture_on_commit_callbacks):
    configure(fake, cast.org, "teams")
    settings.VIDEO_TIMEOUT_SECONDS = 0.3
    fake.fail_next(201, delay=0.8)

    link = ask_for_link(one_meeting(rounds[0]), django_capture_on_commit_callbacks)

    assert link.state == LinkState.READY and link.attempts == 2


def test_the_wait_before_trying_again_honours_retry_after_and_stays_short():
    assert sync.retry_countdown(retries=0, retry_after=7) == 7
    assert [sync.retry_countdown(retries=n, retry_after=None) for n in range(6)] == [15, 30, 60, 120, 240, 240]
    assert sync.retry_countdown(retries=0, retry_after=3600) == 240  # never a long countdown in the broker


@BOTH
def test_after_the_last_attempt_the_link_is_marked_failed_for_the_facilitators(
    kind, fake, cast, rounds, client, django_capture_on_commit_callbacks
):
    cohort, bob = rounds
    configure(fake, cast.org, kind)
    fake.fail_next(500, times=sync.MAX_RETRIES + 1)
    meeting = one_meeting(cohort)

    link = ask_for_link(meeting, django_capture_on_commit_callbacks)

    assert (link.state, link.last_error) == (LinkState.FAILED, "provider busy (500)")
    assert link.attempts == sync.MAX_RETRIES + 1
    assert provider_meetings(fake, kind) == [] and link.meeting.video_url == ""
    client.force_login(bob.user)
    page = client.get(f"/o/{cast.org.slug}/meetings/{meeting.public_id}/").content.decode()
    assert "The video link could not be created." in page
    detail = client.get(f"/o/{cast.org.slug}/meetings/{meeting.public_id}/video/").content.decode()
    assert "Reason: provider busy (500)." in detail


def test_a_refusal_is_not_retried(fake, cast, rounds, django_capture_on_commit_callbacks):
    configure(fake, cast.org, "zoom")
    fake.credentials.organizer = "someone-else@contoso.example"  # the provider no longer knows ours

    link = ask_for_link(one_meeting(rounds[0]), django_capture_on_commit_callbacks)

    assert (link.state, link.last_error, link.attempts) == (LinkState.FAILED, "provider refused (404)", 1)


@BOTH
def test_a_create_whose_answer_was_lost_makes_no_second_provider_meeting(
    kind, fake, cast, rounds, django_capture_on_commit_callbacks
):
    configure(fake, cast.org, kind)
    fake.lose_answers = 1  # the provider creates the meeting, the answer never arrives

    link = ask_for_link(one_meeting(rounds[0]), django_capture_on_commit_callbacks)

    [only] = provider_meetings(fake, kind)
    assert link.state == LinkState.READY and link.attempts == 2
    assert link.join_url == (only["joinWebUrl"] if kind == "teams" else only["join_url"])


def test_asking_twice_queues_no_second_create(fake, cast, rounds, django_capture_on_commit_callbacks):
    configure(fake, cast.org, "zoom")
    meeting = one_meeting(rounds[0])
    ask_for_link(meeting, django_capture_on_commit_callbacks)

    link = ask_for_link(meeting, django_capture_on_commit_callbacks)

    assert len(fake.zoom_meetings) == 1 and len(fake.api_calls("POST")) == 1
    assert link.state == LinkState.READY


def test_without_a_provider_the_pasted_link_stays(fake, cast, rounds, django_capture_on_commit_callbacks):
    meeting = one_meeting(rounds[0], video_url="https://meet.example.org/rounds")

    with scope(organization=cast.org), django_capture_on_commit_callbacks(execute=True):
        assert services.video_link_request(meeting=meeting) is None
        meeting.refresh_from_db()

    assert meeting.video_url == "https://meet.example.org/rounds" and fake.calls == []


def test_a_link_another_task_is_working_on_is_left_alone(fake, cast, rounds):
    configure(fake, cast.org, "zoom")
    meeting = one_meeting(rounds[0])
    with scope(organization=cast.org):
        link = VideoLink.objects.create(organization=cast.org, meeting=meeting, provider="zoom")
        VideoLink.objects.filter(pk=link.pk).update(busy_until=NOW + timedelta(seconds=30))

    sync.sync_video_link.delay(link_id=link.pk)

    assert fake.calls == [] and reload(meeting).state == LinkState.PENDING
