"""A sweep renders a meeting's e-mail once and fills in each person's name and links
(sessions_app.notifications.stencils): every message must be the very one a render of
its own would give, names with markup and quotes, Welsh and panellists' briefings included."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.models import User
from sessions_app.meetings.models import Meeting
from sessions_app.notifications import emails
from sessions_app.notifications.links import _path
from sessions_app.notifications.models import NotificationKind
from tests.factories import CohortFactory, MeetingFactory, MembershipFactory, NotificationFactory

pytestmark = [pytest.mark.django_db]

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=1, hours=9)


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def _rows(cast, kind, *, payload=None, names=('Bob <b>O\'Brien</b> & "Co"', "Ann"), languages=("", "")):
    with scopes_disabled():
        cohort = CohortFactory(organization=cast.org, name="Team <Time> & 'Co'")
        meeting = MeetingFactory(
            cohort=cohort,
            starts_at=STARTS,
            ends_at=STARTS + timedelta(hours=1),
            title='Ward <7> & "friends"',
            location="Room 2 <east>",
            video_url="https://video.example/room?a=1&b=2",
        )
        meeting = Meeting.objects.select_related("cohort", "organization", "series").get(pk=meeting.pk)
        rows = []
        for name, language in zip(names, languages, strict=True):
            person = MembershipFactory(organization=cast.org, user__display_name=name)
            User.objects.filter(pk=person.user_id).update(language=language)
            person.user.refresh_from_db()
            rows.append(
                NotificationFactory(
                    recipient=person, kind=kind, meeting=meeting, latest_useful_at=STARTS, payload=payload or {}
                )
            )
    return rows


def _parts(message):
    return message.subject, message.body, message.alternatives[0][0], message.extra_headers


def _both_ways(rows):
    stencils: dict = {}
    with scope(organization=rows[0].organization):
        stencilled = [_parts(emails.notification_email(r, connection=None, now=NOW, stencils=stencils)) for r in rows]
        fresh = [_parts(emails.notification_email(r, connection=None, now=NOW)) for r in rows]
    return stencilled, fresh, stencils


@pytest.mark.parametrize("kind", sorted(emails.STENCILLED))
def test_a_filled_stencil_is_the_message_a_render_of_its_own_gives(cast, kind):
    rows = _rows(cast, kind)

    stencilled, fresh, stencils = _both_ways(rows)

    assert stencilled == fresh
    assert len(stencils) == 1  # rendered once for both
    assert "Bob &lt;b&gt;O&#x27;Brien&lt;/b&gt; &amp; &quot;Co&quot;" in fresh[0][2]  # the name, escaped in HTML
    assert 'Bob <b>O\'Brien</b> & "Co"' in fresh[0][1]  # and as written in the text


def test_each_reminder_carries_its_own_persons_signed_links(cast):
    rows = _rows(cast, NotificationKind.REMINDER)

    stencilled, _fresh, _stencils = _both_ways(rows)

    bob, ann = (body for _subject, body, _html, _headers in stencilled)
    assert "Ann" in ann and "Ann" not in bob
    unsubscribe = [headers["List-Unsubscribe"][1:-1] for *_rest, headers in stencilled]
    assert unsubscribe[0] != unsubscribe[1] and unsubscribe[0] in bob and unsubscribe[1] in ann


def test_welsh_and_english_readers_get_a_stencil_each(cast):
    rows = _rows(cast, NotificationKind.REMINDER, languages=("cy", ""))

    stencilled, fresh, stencils = _both_ways(rows)

    assert stencilled == fresh
    assert len(stencils) == 2
    assert stencilled[0][0] == '[Reflect] Nodyn atgoffa: Ward <7> & "friends", Mer 9 Rhag 18:00'
    assert stencilled[1][0] == '[Reflect] Reminder: Ward <7> & "friends", Wed 9 Dec 18:00'


def test_a_panellists_briefing_is_its_own_stencil(cast):
    rows = _rows(cast, NotificationKind.PANELLIST, payload={"briefing": 1})

    stencilled, fresh, _stencils = _both_ways(rows)

    assert stencilled == fresh
    assert f"/meetings/{rows[0].meeting.public_id}/briefing/" in stencilled[0][1]


@pytest.mark.security
def test_a_title_cannot_forge_a_mark(cast):
    """A mark is letters and digits around a random nonce; a title written like one of
    another nonce stays as written."""
    rows = _rows(cast, NotificationKind.REMINDER)
    with scopes_disabled():
        Meeting.objects.filter(pk=rows[0].meeting_id).update(title="zq0000n0zq")
        for row in rows:
            row.meeting.title = "zq0000n0zq"

    stencilled, fresh, _stencils = _both_ways(rows)

    assert stencilled == fresh
    assert "zq0000n0zq" in stencilled[1][0]


@pytest.mark.parametrize("token", [".eJyrVipQslJyDg1x:1tK8Yd:abc-_", "ünï", "TOKENHOLE", "x TOKENHOLE y", "a?b#c"])
def test_a_link_path_is_what_reverse_gives(cast, token):
    """Links put their token into a path reversed once per organisation; the same as
    reverse() for every token, plain or not."""
    for name, argument in (("onetap_answer", "answer_token"), ("onetap_unsubscribe", "unsubscribe_token")):
        expected = reverse(name, kwargs={"org_slug": cast.org.slug, argument: token})
        assert _path(name, cast.org.slug, argument, token) == expected
