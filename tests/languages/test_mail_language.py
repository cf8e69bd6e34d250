"""Everything that reaches a person outside a page (e-mails, calendar invitations,
invitations to join) is written in that person's language when it is sent: their own
choice, else their organisation's default. Through the real planning and sending path."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts import services as accounts_services
from accounts.models import Role, User
from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.calendars.services import feed_ics
from sessions_app.notifications import dispatch, planning
from sessions_app.notifications.models import Notification
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, NotificationFactory, UserFactory

pytestmark = [pytest.mark.i18n, pytest.mark.django_db]

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # Tuesday; London is on UTC in December
STARTS = datetime(2026, 12, 9, 18, 0, tzinfo=UTC)  # Wednesday 9 December, 18:00 London


def _speaking(cast, **languages):
    """alice and bob in one cohort of an English-default organisation, each with the
    language given (empty: the organisation's)."""
    with scope(organization=cast.org):
        AttentionPolicy.objects.create(organization=cast.org, min_min_gap_minutes=0)
        cohort = CohortFactory(organization=cast.org, name="Team Time")
        for name, language in languages.items():
            membership = getattr(cast, name)
            User.objects.filter(pk=membership.user_id).update(language=language)
            membership.user.refresh_from_db()
            CohortMemberFactory(cohort=cohort, membership=membership)
            AttentionBudget.objects.create(organization=cast.org, membership=membership, min_gap_minutes=0)
        return cohort


def _sweep(at):
    with time_machine.travel(at, tick=False), scopes_disabled():
        dispatch.dispatch_due(now=at)


def _to(address):
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


def _calendar(message) -> str:
    (_name, body, _mimetype) = message.attachments[0]
    return (body.decode() if isinstance(body, bytes) else body).replace("\r\n ", "")


def test_welsh_member_gets_welsh_and_english_member_english_about_one_meeting(cast):
    cohort = _speaking(cast, bob="cy", alice="")
    assert cast.org.default_language == "en-gb"
    with scope(organization=cast.org):
        meeting = MeetingFactory(
            cohort=cohort, title="Team Time", starts_at=STARTS, ends_at=STARTS + timedelta(hours=1), location=""
        )
        planning.plan_meeting_created(meeting=meeting, now=NOW)

    _sweep(NOW)  # the invitations, each with its calendar file

    welsh, english = _to("bob@example.org"), _to("alice@example.org")
    assert welsh.subject == "[Reflect] Newydd: Team Time, Mer 9 Rhag 18:00"
    assert english.subject == "[Reflect] New: Team Time, Wed 9 Dec 18:00"
    assert welsh.body.startswith("Helo Bob,\n")
    # With one-tap answers (wt-onetap) the link under them only shows the details; each
    # answer is labelled in the recipient's language.
    answers = "http://127.0.0.1:8000/o/st-elsewhere/answer/"
    assert "Atebwch ag un tap (mae pob un yn agor tudalen ag un botwm i gadarnhau;" in welsh.body
    for label in ("Yn mynd", "Methu dod", "Hepgor hwn", "Rydw i ar wyliau tan …"):
        assert f"\n{label}: {answers}" in welsh.body
    for label in ("Going", "Can't make it", "Skip this one", "I'm on leave until …"):
        assert f"\n{label}: {answers}" in english.body
        assert f"\n{label}: " not in welsh.body
    assert "Gweld y manylion: http://127.0.0.1:8000/o/st-elsewhere/meetings/" in welsh.body
    assert "See the details: http://127.0.0.1:8000/o/st-elsewhere/meetings/" in english.body
    assert "Dad-danysgrifio o’r negeseuon e-bost hyn: http://127.0.0.1:8000/o/st-elsewhere/unsubscribe/" in welsh.body
    assert "Ychydig o negeseuon y dydd ar y mwyaf a gewch chi; dewiswch pryd a faint:" in welsh.body
    assert english.body.startswith("Hello Alice,\n")
    assert 'lang="cy"' in welsh.alternatives[0][0]
    assert "DESCRIPTION:Manylion ac atebion: http://127.0.0.1:8000/o/st-elsewhere/meetings/" in _calendar(welsh)
    assert "DESCRIPTION:Details and replies: http://127.0.0.1:8000/o/st-elsewhere/meetings/" in _calendar(english)

    mail.outbox.clear()
    _sweep(STARTS - timedelta(days=1))  # the day-before reminders

    welsh, english = _to("bob@example.org"), _to("alice@example.org")
    assert welsh.subject == "[Reflect] Nodyn atgoffa: Team Time, Mer 9 Rhag 18:00"
    assert english.subject == "[Reflect] Reminder: Team Time, Wed 9 Dec 18:00"
    assert welsh.body.startswith("Helo Bob,\n\nNodyn atgoffa: Team Time, Mer 9 Rhag 18:00.\n")
    assert english.body.startswith("Hello Alice,\n\nReminder: Team Time, Wed 9 Dec 18:00.\n")


def test_cancellation_calendar_text_is_in_the_recipients_language(cast):
    cohort = _speaking(cast, bob="cy", alice="en-gb")
    with scope(organization=cast.org):
        meeting = MeetingFactory(
            cohort=cohort, title="Team Time", starts_at=STARTS, ends_at=STARTS + timedelta(hours=1)
        )
        meeting.status = "cancelled"
        meeting.save(update_fields=["status"])
        planning.plan_meetings_cancelled(meetings=[meeting], now=NOW)

    _sweep(NOW)

    welsh, english = _calendar(_to("bob@example.org")), _calendar(_to("alice@example.org"))
    assert "SUMMARY:Wedi’i ganslo: Team Time" in welsh
    assert "Mae’r cyfarfod hwn wedi’i ganslo." in welsh
    assert "SUMMARY:Cancelled: Team Time" in english
    assert "This meeting is cancelled." in english


def test_organisation_default_speaks_for_a_member_who_never_chose(cast):
    cast.org.default_language = "cy"
    cast.org.save(update_fields=["default_language"])
    cohort = _speaking(cast, bob="", alice="en-gb")
    with scope(organization=cast.org):
        meeting = MeetingFactory(
            cohort=cohort, title="Team Time", starts_at=STARTS, ends_at=STARTS + timedelta(hours=1)
        )
        planning.plan_meeting_created(meeting=meeting, now=NOW)

    _sweep(STARTS - timedelta(days=1))

    assert [m.subject for m in mail.outbox if m.to == ["bob@example.org"]][-1].startswith("[Reflect] Nodyn atgoffa:")
    assert [m.subject for m in mail.outbox if m.to == ["alice@example.org"]][-1].startswith("[Reflect] Reminder:")


def test_invitation_to_someone_new_uses_the_organisation_default_not_the_inviters(
    cast, django_capture_on_commit_callbacks
):
    cast.org.default_language = "cy"
    cast.org.save(update_fields=["default_language"])
    User.objects.filter(pk=cast.alice.user_id).update(language="en-gb")  # the inviter reads English
    cast.alice.user.refresh_from_db()

    with (
        time_machine.travel(NOW, tick=False),
        scope(organization=cast.org),
        django_capture_on_commit_callbacks(execute=True),
    ):
        accounts_services.invitation_create(
            organization=cast.org, email="dana@example.org", role=Role.MEMBER, invited_by=cast.alice.user
        )

    (message,) = mail.outbox
    assert message.subject == "[Reflect] Gwahoddiad i ymuno â St Elsewhere"
    assert message.body.startswith(
        "Helo,\n\nMae Alice wedi eich gwahodd i ymuno â St Elsewhere ar Reflect, lle mae eich tîm yn trefnu"
    )
    # Django's own Welsh month names, in the expiry date.
    assert "yn dod i ben ar 22 Rhagfyr 2026" in message.body


def test_invitation_to_someone_who_chose_a_language_uses_theirs(cast, django_capture_on_commit_callbacks):
    UserFactory(email="dana@example.org", language="cy")

    with (
        time_machine.travel(NOW, tick=False),
        scope(organization=cast.org),
        django_capture_on_commit_callbacks(execute=True),
    ):
        accounts_services.invitation_create(
            organization=cast.org, email="dana@example.org", role=Role.MEMBER, invited_by=cast.alice.user
        )

    (message,) = mail.outbox
    assert message.subject == "[Reflect] Gwahoddiad i ymuno â St Elsewhere"


def test_password_reset_reaches_a_welsh_reader_in_welsh_from_an_english_page(client, cast):
    User.objects.filter(pk=cast.bob.user_id).update(language="cy")

    client.post(reverse("account_reset_password"), {"email": "bob@example.org"}, headers={"accept-language": "en-gb"})
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})

    welsh, english = _to("bob@example.org"), _to("alice@example.org")
    assert welsh.subject == "[Reflect] E-bost ailosod cyfrinair"
    assert "oherwydd bod chi, neu rywun arall, wedi gofyn am ailosod cyfrinair eich cyfrif" in welsh.body
    assert english.subject == "[Reflect] Password Reset Email"


def test_calendar_feed_speaks_its_owners_language(cast):
    cohort = _speaking(cast, bob="cy", alice="")
    with scope(organization=cast.org):
        MeetingFactory(cohort=cohort, title="Team Time", starts_at=STARTS, ends_at=STARTS + timedelta(hours=1))
        welsh = feed_ics(cast.bob, now=NOW).decode().replace("\r\n ", "")
        english = feed_ics(cast.alice, now=NOW).decode().replace("\r\n ", "")

    assert "DESCRIPTION:Manylion ac atebion: http://127.0.0.1:8000/o/st-elsewhere/meetings/" in welsh
    assert "DESCRIPTION:Details and replies: http://127.0.0.1:8000/o/st-elsewhere/meetings/" in english


def test_digest_is_in_the_recipients_language(cast):
    _speaking(cast, bob="cy")
    with scope(organization=cast.org):
        AttentionBudget.objects.filter(membership=cast.bob).update(daily_cap=1)
        NotificationFactory.create_batch(3, recipient=cast.bob, due_at=NOW, latest_useful_at=NOW + timedelta(days=2))
    _sweep(NOW)
    with scopes_disabled():
        digest = Notification.objects.get(kind="digest")

    _sweep(digest.due_at)

    message = mail.outbox[-1]
    assert message.subject == "[Reflect] Eich crynodeb Reflect: 2 beth"  # dau beth: soft mutation after two
    assert "Dyma’r hyn a ddaliodd Reflect yn ôl i chi heddiw, mewn un neges:" in message.body
