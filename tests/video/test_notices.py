"""A link that arrives after people were told of the meeting reaches them as a normal
change notice with a raised SEQUENCE; one that arrives before costs nobody a message."""

from datetime import UTC, datetime

import pytest
import time_machine
from django_scopes import scope

from sessions_app.cohorts.models import CohortRole
from sessions_app.notifications.models import Notification, NotificationKind, NotificationStatus
from sessions_app.video import services
from tests.factories import CohortMemberFactory, MeetingFactory, NotificationFactory
from tests.video.conftest import configure

pytestmark = pytest.mark.programmes

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _pinned_clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def round_with_member(cast, rounds):
    """A meeting of the Rounds, and Dana, a member who would be told of changes."""
    cohort = rounds[0]
    with scope(organization=cast.org):
        dana = CohortMemberFactory(cohort=cohort, role=CohortRole.MEMBER, membership__user__email="dana@example.org")
        meeting = MeetingFactory(
            cohort=cohort,
            starts_at=datetime(2026, 3, 5, 12, 30, tzinfo=UTC),
            ends_at=datetime(2026, 3, 5, 13, 30, tzinfo=UTC),
        )
    return meeting, dana.membership


def updates(meeting) -> list[Notification]:
    with scope(organization=meeting.organization):
        return list(Notification.objects.filter(meeting=meeting, kind=NotificationKind.UPDATE))


def test_a_link_after_the_invitation_went_out_is_sent_as_an_update(
    fake, cast, round_with_member, django_capture_on_commit_callbacks
):
    meeting, dana = round_with_member
    configure(fake, cast.org, "teams")
    with scope(organization=cast.org):
        NotificationFactory(
            recipient=dana, meeting=meeting, kind=NotificationKind.INVITE, status=NotificationStatus.SENT
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.video_link_request(meeting=meeting)
        meeting.refresh_from_db()

    [update] = [row for row in updates(meeting) if row.recipient_id == dana.pk]
    assert meeting.sequence == 1 and update.payload == {"sequence": 1}
    assert update.status == NotificationStatus.PENDING


def test_a_link_before_anything_went_out_adds_no_message(
    fake, cast, round_with_member, django_capture_on_commit_callbacks
):
    meeting, dana = round_with_member
    configure(fake, cast.org, "zoom")
    with scope(organization=cast.org):
        invite = NotificationFactory(recipient=dana, meeting=meeting, kind=NotificationKind.INVITE)
        with django_capture_on_commit_callbacks(execute=True):
            services.video_link_request(meeting=meeting)
        meeting.refresh_from_db()
        invite.refresh_from_db()

    # The waiting invitation goes out as the meeting is then: with the link, at SEQUENCE 1.
    assert meeting.video_url.startswith("https://us02web.zoom.us/j/") and meeting.sequence == 1
    assert updates(meeting) == [] and invite.status == NotificationStatus.PENDING
