"""A stolen session cookie is not a fresh login (security review, December 2026).

Whatever changes who may do what — a password, a staff flag, a second factor, an
organisation admin, who may invite — asks for the password again (allauth's
reauthentication), in the Django admin as in the organisation's own pages. And a session
made staff meets the staff two-factor rule on its next request, not minutes later.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.accounts, pytest.mark.django_db]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2027, 3, 14, 6, 45, tzinfo=UTC)
REAUTH = reverse("account_reauthenticate")
TOTP_SETUP = reverse("mfa_activate_totp")
NEW_PASSWORD = "a quieter room 12345!"


@pytest.fixture
def operator(db) -> User:
    user = UserFactory(email="operator@example.org", is_staff=True, is_superuser=True)
    TOTP.activate(user, SECRET)
    return user


@pytest.fixture(autouse=True)
def _clock():
    # allauth's fresh login lasts five minutes: hold the clock so no test straddles it.
    with time_machine.travel(NOW, tick=False):
        yield


def _reauthenticate(client) -> None:
    # Not asserted here: on the old code the stale request had already changed the
    # password; the assertions that follow say what went wrong.
    client.post(REAUTH, {"password": PASSWORD})


def _asks_for_fresh_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(f"{REAUTH}?next=")


# --- The Django admin ----------------------------------------------------------------


@pytest.mark.security
@pytest.mark.parametrize("whose", ["own", "another"])
def test_admin_password_form_asks_for_a_fresh_login_then_sets_the_password(client, operator, cast, whose):
    user = operator if whose == "own" else cast.bob.user
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    form = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    client.force_login(operator)  # a session with no recent sign-in: a stolen cookie

    stale_page = client.get(url)
    stale_post = client.post(url, form)
    user.refresh_from_db()
    unchanged = user.check_password(PASSWORD)
    _reauthenticate(client)
    page = client.get(url)
    saved = client.post(url, form)

    assert _asks_for_fresh_login(stale_page)
    assert _asks_for_fresh_login(stale_post)
    assert unchanged is True
    assert page.status_code == 200
    assert f"Change password: {user.email}" in page.content.decode()
    assert saved["Location"] == reverse("admin:accounts_user_change", args=[user.pk])
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.security
def test_admin_user_change_asks_for_a_fresh_login_then_saves(client, operator, cast):
    bob = cast.bob.user
    url = reverse("admin:accounts_user_change", args=[bob.pk])
    form = {
        "email": "bob.operator@example.org",
        "display_name": "Bob",
        "time_zone": bob.time_zone,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
    }
    client.force_login(operator)

    stale = client.post(url, form)
    bob.refresh_from_db()
    before = (bob.email, bob.is_staff, bob.is_superuser)
    _reauthenticate(client)
    saved = client.post(url, form)

    assert _asks_for_fresh_login(stale)
    assert before == ("bob@example.org", False, False)
    assert saved["Location"] == reverse("admin:accounts_user_changelist")
    bob.refresh_from_db()
    assert (bob.email, bob.is_staff, bob.is_superuser) == ("bob.operator@example.org", True, True)


@pytest.mark.security
@pytest.mark.parametrize("whose", ["own", "another"])
def test_admin_authenticator_delete_asks_for_a_fresh_login_then_deletes(client, operator, cast, whose):
    user = operator if whose == "own" else cast.bob.user
    if whose == "another":
        TOTP.activate(user, SECRET)
    totp = Authenticator.objects.get(user=user, type="totp")
    url = reverse("admin:mfa_authenticator_delete", args=[totp.pk])
    client.force_login(operator)

    confirm = client.get(url)  # looking is not changing: the confirmation page shows
    stale = client.post(url, {"post": "yes"})
    kept = Authenticator.objects.filter(pk=totp.pk).exists()
    _reauthenticate(client)
    deleted = client.post(url, {"post": "yes"})

    assert confirm.status_code == 200
    assert "Are you sure you want to delete the authenticator" in confirm.content.decode()
    assert _asks_for_fresh_login(stale)
    assert kept is True
    assert deleted["Location"] == reverse("admin:index")  # no change permission: back to the index
    assert not Authenticator.objects.filter(pk=totp.pk).exists()


def test_admin_pages_and_logout_need_no_fresh_login(client, operator):
    client.force_login(operator)

    changelist = client.get(reverse("admin:accounts_user_changelist"))
    logout = client.post(reverse("admin:logout"))

    assert "Select user to change" in changelist.content.decode()
    assert logout.status_code == 200
    assert "_auth_user_id" not in client.session


# --- The organisation's own security-relevant settings ------------------------------


@pytest.mark.security
def test_making_someone_an_organisation_admin_asks_for_a_fresh_login(client, cast):
    url = reverse("member_change_role", kwargs={"org_slug": cast.org.slug, "member_id": cast.bob.public_id})
    client.force_login(cast.alice.user)

    stale = client.post(url, {"role": "admin"})
    with scopes_disabled():
        cast.bob.refresh_from_db()
    before = cast.bob.role
    _reauthenticate(client)
    saved = client.post(url, {"role": "admin"}, follow=True)

    assert _asks_for_fresh_login(stale)
    assert before == Role.MEMBER
    assert "Bob is now organisation admin." in saved.content.decode()
    with scopes_disabled():
        cast.bob.refresh_from_db()
    assert cast.bob.role == Role.ADMIN


@pytest.mark.security
def test_letting_facilitators_invite_asks_for_a_fresh_login(client, cast):
    url = reverse("invitation_settings", kwargs={"org_slug": cast.org.slug})
    client.force_login(cast.alice.user)

    stale = client.post(url, {"facilitators_may_invite": "on"})
    cast.org.refresh_from_db()
    before = cast.org.facilitators_may_invite
    _reauthenticate(client)
    saved = client.post(url, {"facilitators_may_invite": "on"}, follow=True)

    assert _asks_for_fresh_login(stale)
    assert before is False
    assert "Facilitators may now invite new people into St Elsewhere." in saved.content.decode()
    cast.org.refresh_from_db()
    assert cast.org.facilitators_may_invite is True


# --- Staff two-factor is checked on the request that needs it -----------------------


def _org_home(org) -> str:
    return reverse("organization_home", kwargs={"org_slug": org.slug})


@pytest.mark.security
@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_a_session_made_staff_meets_the_two_factor_rule_on_its_next_request(client, cast, flag):
    client.post(reverse("account_login"), {"login": "bob@example.org", "password": PASSWORD})
    before = client.get(_org_home(cast.org))
    User.objects.filter(pk=cast.bob.user_id).update(**{flag: True})  # made an operator

    admin_index = client.get(reverse("admin:accounts_user_changelist"))
    org_home = client.get(_org_home(cast.org))

    assert before.status_code == 200
    assert admin_index["Location"] == TOTP_SETUP
    assert org_home["Location"] == TOTP_SETUP


@pytest.mark.security
def test_the_admin_checks_two_factor_again_on_every_request(client, operator):
    client.force_login(operator)
    before = client.get(reverse("admin:index"))
    Authenticator.objects.filter(user=operator).delete()  # removed by another operator, or in the database

    after = client.get(reverse("admin:index"))

    assert before.status_code == 200
    assert after["Location"] == TOTP_SETUP
