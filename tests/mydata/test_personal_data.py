"""'My data' (export and account deletion) and retention of reflections.

Leak tests create data that could leak: other people's reflections, shared with the
person and carrying a canary phrase, must be absent from every export."""

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Invitation, Membership, Role, User
from sessions_app.attention.models import AttentionBudget
from sessions_app.calendars.models import CalendarFeed
from sessions_app.cohorts.models import CohortMember
from sessions_app.meetings.models import Rsvp, RsvpStatus
from sessions_app.mydata.deletion import account_delete
from sessions_app.mydata.export import personal_data_export
from sessions_app.mydata.markdown import markdown_escape_line, personal_data_markdown
from sessions_app.notifications.models import Notification, NotificationKind
from sessions_app.reflections.models import ActionPoint, Reflection, SessionEvaluation, Visibility
from tests.factories import (
    PASSWORD,
    CohortFactory,
    CohortMemberFactory,
    InvitationFactory,
    MeetingFactory,
    MembershipFactory,
    NotificationFactory,
    ReflectionFactory,
)

pytestmark = [pytest.mark.reflections, pytest.mark.django_db]

CANARY = "canary-heron-7731"
XSS = "<script>alert(1)</script>\n**bold** [link](javascript:alert(1))\n# not a heading"
ACKNOWLEDGED = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def _reflection(
    author, text, *, meeting=None, cohort=None, visibility=Visibility.PRIVATE, pinned=False, created_at=None
):
    dated = {} if created_at is None else {"created_at": created_at, "updated_at": created_at}
    with scope(organization=author.organization):
        return ReflectionFactory(
            author=author,
            meeting=meeting,
            cohort=cohort or (meeting.cohort if meeting else None),
            visibility=visibility,
            pinned=pinned,
            answers={"note": text},
            **dated,
        )


@pytest.fixture
def world(cast):
    """Bob belongs to both organisations and has a bit of everything; alice, charlie and
    dave have their own data next to his, some of it shared with him."""
    with scopes_disabled():
        bob_there = MembershipFactory(organization=cast.other_org, user=cast.bob.user, role=Role.MEMBER)
        dave = MembershipFactory(organization=cast.org, user__email="dave@example.org", user__display_name="Dave")
        cohort = CohortFactory(organization=cast.org, name="Tuesday Balint")
        CohortMemberFactory(cohort=cohort, membership=cast.bob, ground_rules_acknowledged_at=ACKNOWLEDGED)
        CohortMemberFactory(cohort=cohort, membership=cast.alice, role="facilitator")
        CohortMemberFactory(cohort=cohort, membership=dave)
        meeting = MeetingFactory(cohort=cohort, title="Tuesday group", capacity=1)
        Rsvp.objects.create(organization=cast.org, meeting=meeting, membership=cast.bob, status=RsvpStatus.GOING)
        Rsvp.objects.create(
            organization=cast.org,
            meeting=meeting,
            membership=dave,
            status=RsvpStatus.WAITLISTED,
            requested_at=timezone.now() + timedelta(seconds=1),
        )
        sent = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
        for person in (cast.bob, cast.alice):
            NotificationFactory(
                recipient=person,
                kind=NotificationKind.REMINDER,
                meeting=meeting,
                due_at=sent,
                sent_at=sent,
                status="sent",
                reason="Sent at the planned time.",
            )
        AttentionBudget.objects.create(organization=cast.org, membership=cast.bob, daily_cap=2)
        feed = CalendarFeed.objects.create(organization=cast.other_org, membership=bob_there)
        SessionEvaluation.objects.create(
            organization=cast.org,
            meeting=meeting,
            respondent=cast.bob,
            ratings={"felt_heard": 5},
            comment="It helped.",
        )
        SessionEvaluation.objects.create(
            organization=cast.org,
            meeting=meeting,
            respondent=cast.alice,
            ratings={"felt_heard": 2},
            comment=CANARY,
        )
    _reflection(cast.bob, "Bob at St Elsewhere", meeting=meeting)
    _reflection(bob_there, "Bob at County General", pinned=True)
    # Shared with Bob's cohort: he may read it in the app, but it is not his data.
    _reflection(cast.alice, f"Alice {CANARY}", meeting=meeting, visibility=Visibility.COHORT)
    _reflection(cast.charlie, f"Charlie {CANARY}")
    return SimpleNamespace(bob_there=bob_there, dave=dave, cohort=cohort, meeting=meeting, feed_token=feed.token)


# --- Export --------------------------------------------------------------------------


def test_export_has_exactly_the_persons_data_across_organisations(cast, world):
    export = personal_data_export(cast.bob.user, now=NOW)

    assert export["profile"] == {
        "email": "bob@example.org",
        "display_name": "Bob",
        "time_zone": "Europe/London",
        "date_joined": cast.bob.user.date_joined.isoformat(),
    }
    there, here = export["organizations"]
    assert (there["organization"], here["organization"]) == ("County General", "St Elsewhere")
    assert [r["answers"] for r in here["reflections"]] == [{"note": "Bob at St Elsewhere"}]
    assert [r["answers"] for r in there["reflections"]] == [{"note": "Bob at County General"}]
    assert here["reflections"][0]["meeting"]["title"] == "Tuesday group"
    assert there["reflections"][0]["pinned"] is True
    assert here["cohorts"] == [
        {
            "cohort": "Tuesday Balint",
            "role": "member",
            "joined_at": here["cohorts"][0]["joined_at"],
            "ground_rules_acknowledged_at": "2025-01-06T09:00:00+00:00",
        }
    ]
    assert [(r["meeting"]["title"], r["status"]) for r in here["rsvps"]] == [("Tuesday group", "going")]
    assert [(n["kind"], n["status"], n["reason"], n["sent_at"]) for n in here["notifications"]] == [
        ("reminder", "sent", "Sent at the planned time.", "2025-03-01T08:00:00+00:00")
    ]
    assert [(e["ratings"], e["comment"]) for e in here["evaluations"]] == [({"felt_heard": 5}, "It helped.")]
    assert here["attention_settings"]["daily_cap"] == 2
    assert there["attention_settings"] is None
    assert here["calendar_feed"] == {"exists": False, "created_at": None}
    assert there["calendar_feed"]["exists"] is True
    assert there["cohorts"] == there["rsvps"] == there["notifications"] == there["evaluations"] == []


def test_export_holds_nothing_of_other_people(cast, world):
    export = personal_data_export(cast.bob.user)
    texts = {"json": json.dumps(export, ensure_ascii=False), "markdown": personal_data_markdown(export)}
    for text in texts.values():
        for foreign in (CANARY, "Alice", "alice@", "Charlie", "charlie@", "Dave", "dave@", world.feed_token):
            assert foreign not in text


def test_markdown_escapes_what_people_wrote(cast, world):
    with scopes_disabled():
        world.cohort.name = "<b>Team</b> & co"
        world.cohort.save()
    _reflection(cast.bob, XSS, cohort=world.cohort)

    markdown = personal_data_markdown(personal_data_export(cast.bob.user))

    lines = markdown.splitlines()
    # Each line the person wrote stays a line: all but the last end in a hard break.
    start = lines.index("> &lt;script&gt;alert(1)&lt;/script&gt;\\")
    assert lines[start - 2 : start + 3] == [
        "**One thing I want to remember from today**",
        "",
        "> &lt;script&gt;alert(1)&lt;/script&gt;\\",
        r"> \*\*bold\*\* \[link\](javascript:alert(1))" + "\\",
        r"> \# not a heading",
    ]
    assert "- Cohort: &lt;b&gt;Team&lt;/b&gt; &amp; co" in lines
    assert "<script>" not in markdown
    assert "<b>" not in markdown


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("**bold** and _em_", r"\*\*bold\*\* and \_em\_"),
        ("`code` ~~gone~~ | cell", r"\`code\` \~\~gone\~\~ \| cell"),
        ("- a list", r"\- a list"),
        ("12. a numbered list", r"12\. a numbered list"),
        ("===", r"\==="),
        ("back\\slash", r"back\\slash"),
        ("> quoted", "&gt; quoted"),
    ],
)
def test_markdown_escape_line(text, escaped):
    assert markdown_escape_line(text) == escaped


def _login_freshly(client, user) -> None:
    # Exports and deleting the account ask for a fresh login (allauth's reauthentication).
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def test_json_download_round_trips_the_answers_exactly(client, cast, world):
    _reflection(world.bob_there, XSS)
    _login_freshly(client, cast.bob.user)

    response = client.get(reverse("my_data_json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="reflect-my-data-')
    assert "no-store" in response["Cache-Control"]
    there = json.loads(response.content.decode())["organizations"][0]
    assert [r["answers"] for r in there["reflections"]] == [{"note": "Bob at County General"}, {"note": XSS}]


def test_markdown_download_is_an_escaped_attachment(client, cast, world):
    _reflection(cast.bob, XSS)
    _login_freshly(client, cast.bob.user)

    response = client.get(reverse("my_data_markdown"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="reflect-my-data-')
    body = response.content.decode()
    assert "> &lt;script&gt;alert(1)&lt;/script&gt;\\\n" in body
    assert "<script>" not in body
    assert CANARY not in body


def test_my_data_page_lists_retention_and_escapes_names(client, cast, world):
    with scopes_disabled():
        cast.other_org.name = "<script>alert(1)</script>"
        cast.other_org.reflection_retention_months = None
        cast.other_org.save()
    client.force_login(cast.bob.user)

    response = client.get(reverse("my_data"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<li>St Elsewhere:\n    36 months, unless you chose to keep one.</li>" in body
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt;:\n    until you delete them.</li>" in body
    assert "<script>alert(1)</script>" not in body


@pytest.mark.parametrize("name", ["my_data", "my_data_json", "my_data_markdown", "my_data_delete"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitor_is_sent_to_login(client, name, method):
    url = reverse(name)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


# --- Deleting the account ---------------------------------------------------------------


def _count(model, **filters) -> int:
    with scopes_disabled():
        return model.objects.filter(**filters).count()


def test_deleting_the_account_removes_everything_and_frees_the_place(client, cast, world, caplog):
    user_pk = cast.bob.user.pk
    mine = [cast.bob.pk, world.bob_there.pk]
    with scopes_disabled():
        action = ActionPoint.objects.create(
            organization=cast.org, meeting=world.meeting, what="Book the quiet room", owner=cast.bob
        )
    _login_freshly(client, cast.bob.user)

    response = client.post(reverse("my_data_delete"), {"email": " Bob@Example.org "}, follow=True)

    assert response.redirect_chain == [(reverse("account_login"), 302)]
    assert [str(m) for m in response.context["messages"]] == ["Your account and everything you wrote are deleted."]
    assert not User.objects.filter(pk=user_pk).exists()
    assert _count(EmailAddress, user_id=user_pk) == 0
    assert _count(Membership, pk__in=mine) == 0
    assert _count(Reflection, author_id__in=mine) == 0
    assert _count(SessionEvaluation, respondent_id__in=mine) == 0
    assert _count(Rsvp, membership_id__in=mine) == 0
    assert _count(Notification, recipient_id__in=mine) == 0
    assert _count(AttentionBudget, membership_id__in=mine) == 0
    assert _count(CalendarFeed, membership_id__in=mine) == 0
    assert _count(CohortMember, membership_id__in=mine) == 0
    # Everyone else's things stay; dave takes the freed place and is told.
    with scopes_disabled():
        assert sorted(Reflection.objects.values_list("author_id", flat=True)) == [cast.alice.pk, cast.charlie.pk]
        assert dict(Rsvp.objects.values_list("membership_id", "status")) == {world.dave.pk: RsvpStatus.GOING}
        assert Notification.objects.filter(recipient=world.dave, kind=NotificationKind.PROMOTION).count() == 1
        assert SessionEvaluation.objects.count() == 1
        action.refresh_from_db()
        assert (action.what, action.owner) == ("Book the quiet room", None)
    assert client.get(reverse("my_data")).status_code == 302  # logged out
    assert "Bob at" not in caplog.text


def test_last_admin_cannot_delete_their_account(client, cast, world):
    _login_freshly(client, cast.alice.user)
    assert client.get(reverse("my_data")).context["blocking"] == [cast.org]

    response = client.post(reverse("my_data_delete"), {"email": "alice@example.org"})

    message = (
        "You are the only admin of St Elsewhere. "
        "Make someone else admin of St Elsewhere first, then delete your account."
    )
    assert response.status_code == 200
    assert [str(e) for e in response.context["form"].non_field_errors()] == [message]
    assert User.objects.filter(pk=cast.alice.user.pk).exists()
    assert _count(Reflection, author=cast.alice) == 1
    with pytest.raises(ValidationError) as caught:
        account_delete(user=cast.alice.user)
    assert caught.value.messages == [message]


def test_admin_may_delete_once_someone_else_is_admin(cast, world):
    with scopes_disabled():
        cast.bob.role = Role.ADMIN
        cast.bob.save()
        invitation = InvitationFactory(organization=cast.org, invited_by=cast.alice.user)
        hers = InvitationFactory(organization=cast.org, email="alice@example.org", accepted_by=cast.alice.user)
        pending = InvitationFactory(organization=cast.other_org, email="Alice@Example.org")

    account_delete(user=cast.alice.user)

    assert not User.objects.filter(email="alice@example.org").exists()
    with scopes_disabled():
        assert list(Membership.objects.filter(organization=cast.org, role=Role.ADMIN)) == [cast.bob]
        invitation.refresh_from_db()
        assert not Invitation.objects.filter(pk__in=[hers.pk, pending.pk]).exists()
    assert invitation.invited_by is None


def test_wrong_confirmation_address_deletes_nothing(client, cast, world):
    _login_freshly(client, cast.bob.user)

    response = client.post(reverse("my_data_delete"), {"email": "alice@example.org"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["That is not the address you sign in with, so nothing was deleted."]
    }
    assert User.objects.filter(pk=cast.bob.user.pk).exists()
    assert _count(Reflection, author__user=cast.bob.user) == 2
    assert _count(Membership, user=cast.bob.user) == 2


def test_delete_is_post_only(client, cast):
    client.force_login(cast.bob.user)
    assert client.get(reverse("my_data_delete")).status_code == 405


# --- Retention ---------------------------------------------------------------------------


# The retention cycle (warning, grace, deletion) is tested in tests/governance/test_retention.py.


def test_purge_runs_daily():
    assert settings.CELERY_BEAT_SCHEDULE["purge-expired-reflections"] == {
        "task": "sessions_app.purge_expired_reflections",
        "schedule": 24 * 3600.0,
    }
