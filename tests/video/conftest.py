"""Fixtures of the video tests: the local fake provider, and an organisation set up with it."""

import pytest
from django_scopes import scope

from sessions_app.cohorts.models import CohortRole
from sessions_app.video import services
from tests.factories import CohortFactory, CohortMemberFactory
from tests.video.fakeprovider import FakeProvider

pytestmark = pytest.mark.programmes


@pytest.fixture
def fake(settings):
    """The fake Graph and Zoom on 127.0.0.1, with Reflect's settings pointing at it."""
    service = FakeProvider()
    for name, value in service.settings().items():
        setattr(settings, name, value)
    settings.VIDEO_TIMEOUT_SECONDS = 2
    yield service
    service.close()


@pytest.fixture
def rounds(cast):
    """A cohort with bob as its facilitator: (cohort, bob)."""
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Schwartz Rounds")
        CohortMemberFactory(cohort=cohort, membership=cast.bob, role=CohortRole.FACILITATOR)
    return cohort, cast.bob


def configure(fake: FakeProvider, organization, kind: str) -> None:
    credentials = fake.credentials
    with scope(organization=organization):
        services.video_provider_save(
            organization=organization,
            kind=kind,
            directory=credentials.directory,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            organizer=credentials.organizer,
        )
