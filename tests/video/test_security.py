"""The provider's secret stays secret (never in logs, task arguments or the database in
clear), and an admin cannot point Reflect at an internal address."""

import logging
from datetime import UTC, datetime

import pytest
import time_machine
from celery.signals import before_task_publish, task_prerun
from django.db import connection
from django_scopes import scope

from sessions_app.video import providers, services
from sessions_app.video.models import LinkState, VideoLink
from tests.factories import MeetingFactory
from tests.video.conftest import configure

pytestmark = [pytest.mark.programmes, pytest.mark.security]

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _pinned_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def make_link(cast, rounds, capture) -> VideoLink:
    with scope(organization=cast.org):
        meeting = MeetingFactory(
            cohort=rounds[0],
            starts_at=datetime(2026, 3, 5, 12, 30, tzinfo=UTC),
            ends_at=datetime(2026, 3, 5, 13, 30, tzinfo=UTC),
        )
        with capture(execute=True):
            services.video_link_request(meeting=meeting)
        return VideoLink.objects.get(meeting=meeting)


@pytest.mark.parametrize("kind", ["teams", "zoom"])
def test_the_secret_and_the_token_never_reach_logs_or_task_arguments(
    kind, fake, cast, rounds, caplog, django_capture_on_commit_callbacks
):
    configure(fake, cast.org, kind)
    fake.fail_next(503)  # a retry too: its log lines and its arguments
    arguments = []

    def seen(sender=None, task=None, args=None, kwargs=None, **extra):
        arguments.append((tuple(args or ()), dict(kwargs or {})))

    task_prerun.connect(seen, weak=False)
    before_task_publish.connect(seen, weak=False)
    try:
        with caplog.at_level(logging.DEBUG):
            link = make_link(cast, rounds, django_capture_on_commit_callbacks)
    finally:
        task_prerun.disconnect(seen)
        before_task_publish.disconnect(seen)

    assert link.state == LinkState.READY
    assert arguments and all(pair == ((), {"link_id": link.pk}) for pair in arguments)
    secret, tokens = fake.credentials.client_secret, fake.tokens
    assert len(tokens) == 2  # one token per attempt: both must stay out of the logs
    assert secret not in caplog.text and not any(token in caplog.text for token in tokens)
    assert f"video link {link.public_id}: provider busy (503); trying again in 15 s" in caplog.text


def test_the_client_secret_is_encrypted_at_rest(fake, cast):
    configure(fake, cast.org, "zoom")

    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM sessions_app_videoprovider")
        [(stored,)] = cursor.fetchall()

    assert fake.credentials.client_secret not in stored and stored.startswith("gAAAA")  # a Fernet token


def test_a_provider_url_on_an_internal_host_is_refused_before_any_request(
    fake, cast, rounds, settings, django_capture_on_commit_callbacks
):
    configure(fake, cast.org, "teams")
    settings.VIDEO_GRAPH_LOGIN_URL = "http://169.254.169.254/latest/meta-data"

    link = make_link(cast, rounds, django_capture_on_commit_callbacks)

    assert link.state == LinkState.FAILED
    assert link.last_error == "169.254.169.254 is not an allowed video provider host"
    assert fake.calls == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/oauth/token",  # not on the list
        "https://localhost/v2/users",
        "https://127.0.0.1.nip.io/v2",  # a name that only starts like an allowed host
        "https://admin:pw@127.0.0.1/v2",  # credentials in the URL
        "file:///etc/passwd",
    ],
)
def test_only_allowed_hosts_are_called(url, settings):
    settings.VIDEO_ALLOWED_HOSTS = ["127.0.0.1", "zoom.us"]
    settings.VIDEO_ALLOW_PLAIN_HTTP = False

    with pytest.raises(providers.HostNotAllowed):
        providers.check_url(url)


def test_plain_http_is_refused_unless_the_tests_allow_it(settings):
    settings.VIDEO_ALLOWED_HOSTS = ["zoom.us"]
    settings.VIDEO_ALLOW_PLAIN_HTTP = False

    assert providers.check_url("https://zoom.us/oauth/token") == "https://zoom.us/oauth/token"
    with pytest.raises(providers.HostNotAllowed):
        providers.check_url("http://zoom.us/oauth/token")


def test_values_an_admin_typed_cannot_change_the_host_or_path(fake, cast, rounds, django_capture_on_commit_callbacks):
    fake.credentials.directory = "evil.example/x?y=@10.0.0.1#"
    fake.credentials.organizer = "../../admin"
    configure(fake, cast.org, "teams")

    link = make_link(cast, rounds, django_capture_on_commit_callbacks)

    token_call, create_call = fake.calls
    # Each value is one quoted path segment on the configured host.
    assert token_call.path == "/graph-login/evil.example%2Fx%3Fy%3D%4010.0.0.1%23/oauth2/v2.0/token"
    assert create_call.path == "/graph/v1.0/users/..%2F..%2Fadmin/onlineMeetings/createOrGet"
    assert link.state == LinkState.READY
