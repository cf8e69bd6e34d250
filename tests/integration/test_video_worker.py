"""A video link made by a real Celery worker process through real Redis, against the
local fake provider: the task loads the link by id, reads the encrypted secret itself,
is rate-limited once (429, Retry-After: 1), tries again after that second, and puts the
join URL in the meeting."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from reflect.crypto import generate_key
from sessions_app.cohorts.models import CohortRole
from sessions_app.meetings.models import Meeting
from sessions_app.video import services
from sessions_app.video.models import LinkState, VideoLink
from tests.celery_helpers import process_env, publishing_to, require_postgresql, start_worker, wait_until
from tests.factories import CohortMemberFactory, MeetingFactory, MembershipFactory, OrganizationFactory
from tests.video.conftest import configure
from tests.video.fakeprovider import FakeProvider

pytestmark = [pytest.mark.integration, pytest.mark.programmes]


@pytest.fixture
def fake_provider(settings):
    service = FakeProvider()
    for name, value in service.settings().items():
        setattr(settings, name, value)
    settings.REFLECT_ENCRYPTION_KEYS = [generate_key()]  # shared with the worker, which must decrypt
    yield service
    service.close()


@pytest.fixture
def video_worker(fake_provider, settings, redis, transactional_db, tmp_path, pytestconfig, monkeypatch):
    require_postgresql(pytestconfig, who="the Celery worker needs", marker="integration")
    urls = {name: value for name, value in fake_provider.settings().items() if name.endswith("_URL")}
    env = process_env(
        redis_url=redis.url,
        var_dir=tmp_path / "worker-var",
        VIDEO_ALLOWED_HOSTS="127.0.0.1",
        VIDEO_ALLOW_PLAIN_HTTP="tests-only",
        REFLECT_ENCRYPTION_KEYS=settings.REFLECT_ENCRYPTION_KEYS[0],
        **urls,
    )
    worker = start_worker("video-worker", env=env, log_path=tmp_path / "worker.log")
    try:
        with publishing_to(redis.url, monkeypatch):
            yield worker
    finally:
        worker.stop()


def link_state(meeting: Meeting) -> str | None:
    with scopes_disabled():
        return VideoLink.objects.filter(meeting=meeting).values_list("state", flat=True).first()


def test_the_worker_creates_the_zoom_meeting_after_a_rate_limit(fake_provider, video_worker):
    with scopes_disabled():
        organization = OrganizationFactory(name="St Elsewhere", slug="st-elsewhere")
        bob = MembershipFactory(organization=organization)
    with scope(organization=organization):
        cohort = CohortMemberFactory(cohort__organization=organization, membership=bob, role=CohortRole.FACILITATOR)
        meeting = MeetingFactory(cohort=cohort.cohort, starts_at=timezone.now() + timedelta(days=2))
    configure(fake_provider, organization, "zoom")
    fake_provider.fail_next(429, headers={"Retry-After": "1"})

    with scope(organization=organization):
        services.video_link_request(meeting=meeting)  # autocommit: queued at once

    try:
        wait_until(lambda: link_state(meeting) == LinkState.READY, 30, "the worker to create the link")
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- worker log ---\n{video_worker.log()}") from None
    [created] = fake_provider.zoom_meetings.values()
    with scopes_disabled():
        meeting.refresh_from_db()
    assert meeting.video_url == created["join_url"] and meeting.sequence == 1
    log = video_worker.log()
    assert "provider busy (429); trying again in 1 s" in log and ": created" in log
    assert fake_provider.credentials.client_secret not in log
    assert not any(token in log for token in fake_provider.tokens)
