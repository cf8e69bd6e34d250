"""Asking to join a closed cohort (issue 13): the facilitators hear of it through the
attention policy, answer on the requests page, and the person is told the answer in
their own language; every wrong request says why and changes nothing."""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.cohorts import joining
from sessions_app.cohorts.models import CohortMember, JoinRequest
from sessions_app.mydata.export import personal_data_export
from sessions_app.notifications import dispatch
from sessions_app.notifications.models import Notification, NotificationKind
from tests.factories import CohortFactory, CohortMemberFactory, MembershipFactory

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # Monday morning in London


def url(name, cast, **kwargs):
    return reverse(name, kwargs={"org_slug": cast.org.slug, **kwargs})


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def balint(cast):
    """A closed Balint group run by fiona; bob is in the organisation, not in the group."""
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Balint Tuesdays", kind="balint_group", max_members=12)
        fiona = CohortMemberFactory(
            cohort=cohort, role="facilitator", membership__user__email="fiona@example.org"
        ).membership
        AttentionPolicy.objects.create(organization=cast.org, min_min_gap_minutes=0)
        for person in (fiona, cast.bob):
            AttentionBudget.objects.create(organization=cast.org, membership=person, min_gap_minutes=0)
    return cohort, fiona


def _ask(client, cast, cohort, message=""):
    return client.post(url("cohort_ask_to_join", cast, cohort_id=cohort.public_id), {"message": message}, follow=True)


@pytest.mark.security
def test_asking_accepting_and_being_told_goes_through_the_outbox(balint, cast, client):
    cohort, fiona = balint
    client.force_login(cast.bob.user)
    with time_machine.travel(NOW, tick=False):
        asked = text(_ask(client, cast, cohort, "I am a GP trainee on Tuesdays."))
    assert "Asked. The facilitators of Balint Tuesdays will answer, and you'll be told." in asked
    assert "You asked to join; waiting for an answer." in asked
    with scope(organization=cast.org):
        request = JoinRequest.objects.get(cohort=cohort, membership=cast.bob)
        told = Notification.objects.get(kind=NotificationKind.JOIN_REQUEST)
    assert (request.status, request.message) == ("pending", "I am a GP trainee on Tuesdays.")
    # Low priority: the facilitator's digest, not an interruption; never the message.
    assert (told.recipient, told.priority, told.meeting) == (fiona, "low", None)
    assert "GP trainee" not in str(told.payload)

    client.force_login(fiona.user)
    with time_machine.travel(NOW, tick=False):
        page = text(client.get(url("join_requests", cast, cohort_id=cohort.public_id)))
        answered = text(
            client.post(
                url("join_request_decide", cast, join_request_id=request.public_id), {"answer": "accept"}, follow=True
            )
        )
    assert "Bob" in page and "I am a GP trainee on Tuesdays." in page
    assert "Bob is now in Balint Tuesdays, and will be told." in answered
    assert "No requests waiting." in answered

    with scope(organization=cast.org):
        request.refresh_from_db()
        assert (request.status, request.decided_by, request.decided_at) == ("accepted", fiona, NOW)
        assert CohortMember.objects.filter(cohort=cohort, membership=cast.bob, role="member").exists()
        # The facilitator's notice had not gone out yet: no need to, it's answered.
        assert Notification.objects.get(pk=told.pk).reason == "Not sent: the request was already answered."
    with scopes_disabled(), time_machine.travel(NOW, tick=False):
        dispatch.dispatch_due(now=NOW)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["bob@example.org"], "[Reflect] You're in: your request to join Balint Tuesdays was accepted")
    ]
    assert f"/o/{cast.org.slug}/cohorts/{cohort.public_id}/" in mail.outbox[0].body


def test_a_declined_request_is_told_in_the_persons_language_and_shown_on_whats_on(balint, cast, client):
    cohort, fiona = balint
    bob_user = cast.bob.user
    bob_user.language = "cy"
    bob_user.save(update_fields=["language"])
    with scope(organization=cast.org), time_machine.travel(NOW, tick=False):
        request = joining.join_request_create(cohort=cohort, membership=cast.bob)
        joining.join_request_decide(join_request=request, accept=False, decided_by=fiona)
    with scopes_disabled(), time_machine.travel(NOW, tick=False):
        dispatch.dispatch_due(now=NOW)
    client.force_login(cast.bob.user)
    with time_machine.travel(NOW, tick=False):
        page = text(client.get(url("whats_on", cast), HTTP_ACCEPT_LANGUAGE="en"))
    with scope(organization=cast.org):
        assert not CohortMember.objects.filter(cohort=cohort, membership=cast.bob).exists()
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert "Balint Tuesdays" in mail.outbox[0].subject
    assert "declined" not in mail.outbox[0].subject  # written in Welsh
    assert "wrthod" in mail.outbox[0].subject
    assert "Balint Tuesdays" in page


def test_a_full_cohort_says_so_and_the_request_waits(balint, cast, client):
    cohort, fiona = balint
    with scope(organization=cast.org), time_machine.travel(NOW, tick=False):
        cohort.max_members = 1
        cohort.save()
        CohortMemberFactory(cohort=cohort)
        request = joining.join_request_create(cohort=cohort, membership=cast.bob)
    client.force_login(fiona.user)
    with time_machine.travel(NOW, tick=False):
        page = text(
            client.post(
                url("join_request_decide", cast, join_request_id=request.public_id), {"answer": "accept"}, follow=True
            )
        )
    assert "Balint Tuesdays can have at most 1 members (Balint group); it has 1, so 1 more would not fit." in page
    with scope(organization=cast.org):
        request.refresh_from_db()
        assert request.status == "pending"
        assert not CohortMember.objects.filter(cohort=cohort, membership=cast.bob).exists()
        assert not Notification.objects.filter(kind=NotificationKind.JOIN_ANSWER).exists()


@pytest.mark.parametrize(
    "setup, message",
    [
        ("twice", "You have already asked to join Balint Tuesdays; its facilitators will answer."),
        ("member", "You are already in Balint Tuesdays."),
        ("archived", "Balint Tuesdays has ended, so it is not taking anyone new."),
        ("no_requests", "Balint Tuesdays is not taking requests to join."),
        ("open", "Balint Tuesdays is open to everyone: just say you'll come to a meeting."),
    ],
)
def test_a_request_that_cannot_be_made_says_why_and_changes_nothing(balint, cast, client, setup, message):
    cohort, _fiona = balint
    with scope(organization=cast.org):
        if setup == "twice":
            joining.join_request_create(cohort=cohort, membership=cast.bob)
        elif setup == "member":
            CohortMemberFactory(cohort=cohort, membership=cast.bob)
        elif setup == "archived":
            cohort.archived_at = NOW
        elif setup == "no_requests":
            cohort.accepts_join_requests = False
        elif setup == "open":
            cohort.is_open = True
        cohort.save()
        before = set(JoinRequest.objects.values_list("pk", "status"))
        notices = Notification.objects.count()
    client.force_login(cast.bob.user)
    with time_machine.travel(NOW, tick=False):
        page = text(_ask(client, cast, cohort))
    assert message in page
    with scope(organization=cast.org):
        assert set(JoinRequest.objects.values_list("pk", "status")) == before
        assert Notification.objects.count() == notices


def test_a_message_over_500_characters_is_refused(balint, cast, client):
    cohort, _fiona = balint
    client.force_login(cast.bob.user)
    page = text(_ask(client, cast, cohort, "x" * 501))
    assert "Ensure this value has at most 500 characters (it has 501)." in page
    with scope(organization=cast.org):
        assert not JoinRequest.objects.exists()


@pytest.mark.security
def test_the_message_is_encrypted_at_rest(balint, cast):
    cohort, _fiona = balint
    with scope(organization=cast.org):
        request = joining.join_request_create(cohort=cohort, membership=cast.bob, message="My sister died in May.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT message FROM sessions_app_joinrequest WHERE id = %s", [request.pk])
        stored = cursor.fetchone()[0]
    assert "sister" not in stored and stored.startswith("gAAAA")


def test_withdrawing_deletes_the_request_and_what_the_facilitators_would_hear(balint, cast, client):
    cohort, _fiona = balint
    with scope(organization=cast.org), time_machine.travel(NOW, tick=False):
        request = joining.join_request_create(cohort=cohort, membership=cast.bob, message="Tuesdays suit me.")
    client.force_login(cast.bob.user)
    with time_machine.travel(NOW, tick=False):
        page = text(client.post(url("join_request_withdraw", cast, join_request_id=request.public_id), follow=True))
    assert "Your request is withdrawn." in page
    assert "Ask to join" in page
    with scope(organization=cast.org):
        assert not JoinRequest.objects.exists()
        assert set(Notification.objects.values_list("status", "reason")) == {
            ("dropped", "Not sent: the request was withdrawn.")
        }


@pytest.mark.security
def test_only_the_cohorts_facilitators_and_admins_answer_and_only_the_asker_withdraws(balint, cast, client):
    cohort, _fiona = balint
    with scope(organization=cast.org):
        request = joining.join_request_create(cohort=cohort, membership=cast.bob)
        other = MembershipFactory(organization=cast.org, user__email="olive@example.org")
    client.force_login(other.user)
    # Olive is not in the group: she may not see it (404), let alone answer for it.
    assert client.get(url("join_requests", cast, cohort_id=cohort.public_id)).status_code == 404
    decide = client.post(url("join_request_decide", cast, join_request_id=request.public_id), {"answer": "accept"})
    withdraw = client.post(url("join_request_withdraw", cast, join_request_id=request.public_id))
    assert (decide.status_code, withdraw.status_code) == (404, 404)
    with scope(organization=cast.org):
        request.refresh_from_db()
        assert request.status == "pending"
        assert not CohortMember.objects.filter(membership=cast.bob).exists()


@pytest.mark.security
def test_another_organisations_cohort_and_request_are_a_404(balint, cast, client):
    cohort, _fiona = balint
    with scope(organization=cast.org):
        request = joining.join_request_create(cohort=cohort, membership=cast.bob)
    client.force_login(cast.charlie.user)
    other = {"org_slug": cast.other_org.slug}
    ask = client.post(reverse("cohort_ask_to_join", kwargs={**other, "cohort_id": cohort.public_id}))
    decide = client.post(
        reverse("join_request_decide", kwargs={**other, "join_request_id": request.public_id}), {"answer": "accept"}
    )
    assert (ask.status_code, decide.status_code) == (404, 404)
    with scopes_disabled():
        assert list(JoinRequest.objects.values_list("status", flat=True)) == ["pending"]


def test_whats_on_lists_closed_cohorts_without_names_of_members(balint, cast, client):
    _cohort, fiona = balint
    with scope(organization=cast.org):
        CohortFactory(organization=cast.org, name="Team Time (private)", accepts_join_requests=False)
    client.force_login(cast.bob.user)
    with time_machine.travel(NOW, tick=False):
        page = text(client.get(url("whats_on", cast)))
    assert "Balint Tuesdays" in page and "Ask to join" in page
    assert "Team Time (private)" not in page
    assert fiona.user.name not in page


@pytest.mark.security
def test_the_persons_export_holds_their_request_and_its_message(balint, cast):
    cohort, _fiona = balint
    with scope(organization=cast.org), time_machine.travel(NOW, tick=False):
        joining.join_request_create(cohort=cohort, membership=cast.bob, message="Tuesdays suit me.")
    (organization,) = personal_data_export(cast.bob.user, now=NOW)["organizations"]
    assert organization["join_requests"] == [
        {
            "cohort": "Balint Tuesdays",
            "message": "Tuesdays suit me.",
            "status": "pending",
            "created_at": "2026-11-02T10:00:00+00:00",
            "decided_at": None,
        }
    ]
