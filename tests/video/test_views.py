"""The admin's provider settings page and a meeting's video page."""

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from accounts.audit.models import AuditEvent
from sessions_app.cohorts.models import CohortRole
from sessions_app.meetings.models import Meeting
from sessions_app.meetings.series import series_create
from sessions_app.video.models import LinkState, VideoLink, VideoProvider
from tests.factories import PASSWORD, CohortMemberFactory, MeetingFactory
from tests.video.conftest import configure

pytestmark = pytest.mark.programmes

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
FORM = {
    "kind": "zoom",
    "directory": "acct-123",
    "client_id": "reflect-app",
    "client_secret": "s3cret-Value-Never-Logged",
    "organizer": "rounds@contoso.example",
}


@pytest.fixture(autouse=True)
def _pinned_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def settings_url(org) -> str:
    return reverse("video_provider_settings", kwargs={"org_slug": org.slug})


def video_url(meeting) -> str:
    return reverse("meeting_video", kwargs={"org_slug": meeting.organization.slug, "meeting_id": meeting.public_id})


def stored(org) -> VideoProvider | None:
    with scope(organization=org):
        return VideoProvider.objects.filter(organization=org).first()


@pytest.fixture
def admin(client, cast):
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


@pytest.mark.security
def test_an_admin_configures_zoom_and_the_secret_is_never_shown_back(admin, cast):
    response = admin.post(settings_url(cast.org), FORM)

    assert response["Location"] == settings_url(cast.org)
    provider = stored(cast.org)
    assert (provider.kind, provider.directory, provider.client_secret) == ("zoom", "acct-123", FORM["client_secret"])
    page = admin.get(settings_url(cast.org)).content.decode()
    assert "Reflect creates video links with <strong>Zoom</strong>." in page
    assert "A secret is saved. Leave this empty to keep it." in page
    assert FORM["client_secret"] not in page
    with scope(organization=cast.org):
        [event] = AuditEvent.objects.filter(organization=cast.org, action="settings.changed")
    assert event.changes["video_provider.client_secret"] == "[not recorded]"  # the trail masks secrets too
    assert FORM["client_secret"] not in str(event.changes)


def test_an_empty_secret_keeps_the_saved_one(admin, cast):
    admin.post(settings_url(cast.org), FORM)

    admin.post(settings_url(cast.org), {**FORM, "kind": "teams", "client_secret": ""})

    assert (stored(cast.org).kind, stored(cast.org).client_secret) == ("teams", FORM["client_secret"])


def test_a_first_setup_without_a_secret_shows_an_error_and_saves_nothing(admin, cast):
    response = admin.post(settings_url(cast.org), {**FORM, "client_secret": "", "directory": "a\x07b"})

    page = response.content.decode()
    assert response.status_code == 200 and "Enter the client secret." in page
    assert stored(cast.org) is None


@pytest.mark.security
def test_saving_the_provider_asks_for_a_fresh_login(client, cast):
    client.force_login(cast.alice.user)

    response = client.post(settings_url(cast.org), FORM)

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert stored(cast.org) is None


@pytest.mark.security
def test_a_member_cannot_open_the_provider_settings(client, cast):
    client.force_login(cast.bob.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert client.post(settings_url(cast.org), FORM).status_code == 403
    assert stored(cast.org) is None


def test_an_admin_removes_the_provider(admin, cast):
    admin.post(settings_url(cast.org), FORM)

    admin.post(settings_url(cast.org), {"action": "remove"})

    assert stored(cast.org) is None


def test_a_facilitator_asks_for_links_for_the_whole_series(
    fake, client, cast, rounds, django_capture_on_commit_callbacks
):
    cohort, bob = rounds
    configure(fake, cast.org, "teams")
    with scope(organization=cast.org):
        series = series_create(
            cohort=cohort,
            rule="FREQ=WEEKLY;COUNT=4",
            first_date=datetime(2026, 3, 4).date(),
            start_time=time(12, 30),
            time_zone="Europe/London",
            duration_minutes=60,
            now=NOW,
        )
        first = Meeting.objects.filter(series=series).order_by("starts_at").first()
    client.force_login(bob.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(video_url(first), {"scope": "series"})

    assert response["Location"] == video_url(first)
    with scope(organization=cast.org):
        states = list(VideoLink.objects.filter(meeting__series=series).values_list("state", flat=True))
    assert states == [LinkState.READY] * 4 and len(fake.graph_meetings) == 4
    page = client.get(video_url(first)).content.decode()
    assert f'A Microsoft Teams meeting is ready:\n      <a href="{first_link(first)}">' in page


def first_link(meeting) -> str:
    with scope(organization=meeting.organization):
        return Meeting.objects.get(pk=meeting.pk).video_url


@pytest.mark.security
def test_a_member_who_does_not_run_the_cohort_cannot_ask_for_a_link(fake, client, cast, rounds):
    configure(fake, cast.org, "zoom")
    with scope(organization=cast.org):
        balint = CohortMemberFactory(cohort__organization=cast.org, membership=cast.bob, role=CohortRole.MEMBER).cohort
        meeting = MeetingFactory(cohort=balint)
    client.force_login(cast.bob.user)

    assert client.post(video_url(meeting), {"scope": "meeting"}).status_code == 403
    with scope(organization=cast.org):
        assert not VideoLink.objects.exists()
    assert fake.calls == []


@pytest.mark.security
def test_another_organisations_admin_sees_neither_page(fake, client, cast, rounds):
    configure(fake, cast.org, "zoom")
    with scope(organization=cast.org):
        meeting = MeetingFactory(cohort=rounds[0])
    client.force_login(cast.charlie.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert client.get(settings_url(cast.org)).status_code == 404
    assert client.post(settings_url(cast.org), {"action": "remove"}).status_code == 404
    charlie_url = reverse("meeting_video", kwargs={"org_slug": cast.other_org.slug, "meeting_id": meeting.public_id})
    assert client.post(charlie_url, {"scope": "meeting"}).status_code == 404
    assert stored(cast.org) is not None and fake.calls == []
