"""A form sent on an organisation's page with a stale login is held back by allauth, which
asks for the password and then runs the held request again itself, inside the
reauthentication request. That replay must land in the same organisation, with the same
membership checks, as the original would have: it did not (an error page, and nothing
saved), so every admin who let their fresh login lapse lost what they had typed."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import Invitation, Role
from tests.factories import PASSWORD

pytestmark = [pytest.mark.accounts, pytest.mark.security, pytest.mark.django_db]

NOW = datetime(2027, 3, 10, 9, 30, tzinfo=UTC)
REAUTH = reverse("account_reauthenticate")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _held_then_confirmed(client, url: str, data: dict):
    held = client.post(url, data)
    assert held["Location"] == f"{REAUTH}?next={url.replace('/', '%2F')}"
    return client.post(held["Location"], {"password": PASSWORD})


@pytest.mark.governance
def test_a_pasted_list_held_for_a_fresh_login_is_sent_once_the_password_is_given(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.alice.user)
    url = reverse("invitations_bulk", kwargs={"org_slug": cast.org.slug})

    with django_capture_on_commit_callbacks(execute=True):
        resumed = _held_then_confirmed(client, url, {"addresses": "a@example.net\nb@example.net", "role": "member"})

    assert resumed["Location"] == reverse("invitations", kwargs={"org_slug": cast.org.slug})
    with scopes_disabled():
        assert sorted(Invitation.objects.values_list("email", flat=True)) == ["a@example.net", "b@example.net"]
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.net", "b@example.net"]


def test_a_role_change_held_for_a_fresh_login_is_made_once_the_password_is_given(client, cast):
    client.force_login(cast.alice.user)
    url = reverse("member_change_role", kwargs={"org_slug": cast.org.slug, "member_id": cast.bob.public_id})

    resumed = _held_then_confirmed(client, url, {"role": "facilitator"})

    assert resumed["Location"] == reverse("members_list", kwargs={"org_slug": cast.org.slug})
    cast.bob.refresh_from_db()
    assert cast.bob.role == Role.FACILITATOR


def test_a_held_request_for_an_organisation_one_has_left_since_is_refused(client, cast):
    client.force_login(cast.alice.user)
    url = reverse("member_change_role", kwargs={"org_slug": cast.org.slug, "member_id": cast.bob.public_id})
    held = client.post(url, {"role": "admin"})
    with scopes_disabled():
        cast.alice.is_active = False
        cast.alice.save()

    resumed = client.post(held["Location"], {"password": PASSWORD})

    assert resumed.status_code == 404
    cast.bob.refresh_from_db()
    assert cast.bob.role == Role.MEMBER
