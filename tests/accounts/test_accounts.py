"""Sign-up by invitation, login, MFA, rate limits and enumeration resistance (allauth),
and the organisation admin pages built on them."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from accounts.invitation_email import invitation_send
from accounts.models import Invitation, Membership, Organization, Role, User
from tests.factories import PASSWORD, InvitationFactory, MembershipFactory, totp_code

pytestmark = [pytest.mark.accounts, pytest.mark.django_db]

NEW_PASSWORD = "a quiet room at four"


def _login(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


# --- Sign-up through an invitation --------------------------------------------------


def test_signup_is_closed_without_an_invitation(client):
    response = client.get(reverse("account_signup"))
    assert "Sign Up Closed" in response.content.decode()
    assert client.post(reverse("account_signup"), {"email": "x@example.org"}).status_code == 200
    assert not User.objects.filter(email="x@example.org").exists()


def test_invited_person_signs_up_and_joins_with_the_invited_role(client, cast, unscoped, mailoutbox):
    invitation = InvitationFactory(organization=cast.org, email="nurse@example.org", role=Role.FACILITATOR)
    accept_url = reverse("invitation_accept", kwargs={"token": invitation.token})

    landing = client.get(accept_url).content.decode()
    signup_page = client.get(reverse("account_signup")).content.decode()
    signed_up = client.post(
        reverse("account_signup"),
        {"email": "nurse@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    joined = client.post(accept_url)

    assert "invited <strong>nurse@example.org</strong> to join as facilitator" in landing
    assert 'value="nurse@example.org"' in signup_page
    assert signed_up["Location"] == accept_url
    # The invitation link proved the address: no verification e-mail is needed.
    assert mailoutbox == []
    assert EmailAddress.objects.get(email="nurse@example.org").verified
    assert joined["Location"] == reverse("organization_home", kwargs={"org_slug": cast.org.slug})
    membership = Membership.objects.get(user__email="nurse@example.org")
    assert (membership.organization, membership.role, membership.is_active) == (cast.org, Role.FACILITATOR, True)
    invitation.refresh_from_db()
    assert invitation.accepted_by == membership.user
    assert invitation.status == "accepted"


def test_invitation_is_single_use(client, cast, unscoped):
    invitation = InvitationFactory(organization=cast.org, email=cast.charlie.user.email)
    url = reverse("invitation_accept", kwargs={"token": invitation.token})
    client.force_login(cast.charlie.user)
    client.post(url)
    second = client.post(url, follow=True)
    assert "This invitation is accepted and can no longer be used." in second.content.decode()
    assert Membership.objects.filter(user=cast.charlie.user).count() == 2


def test_invited_address_stays_the_verified_primary_whatever_is_typed(client, cast, unscoped, mailoutbox):
    # allauth treats the address the invitation link was delivered to as proven; a typed
    # alternative is added unverified and must be confirmed before it counts.
    invitation = InvitationFactory(organization=cast.org, email="invited@example.org")
    client.get(reverse("invitation_accept", kwargs={"token": invitation.token}))
    client.post(
        reverse("account_signup"),
        {"email": "someone-else@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    addresses = set(EmailAddress.objects.values_list("email", "verified", "primary"))
    assert addresses >= {("invited@example.org", True, True), ("someone-else@example.org", False, False)}
    assert User.objects.get(emailaddress__email="invited@example.org").email == "invited@example.org"


def test_expired_invitation_cannot_be_used(client, cast, unscoped):
    invitation = InvitationFactory(organization=cast.org, expires_at=timezone.now() - timedelta(minutes=1))
    page = client.get(reverse("invitation_accept", kwargs={"token": invitation.token})).content.decode()
    assert "This invitation is expired and can no longer be used." in page
    assert "Sign Up Closed" in client.get(reverse("account_signup")).content.decode()


def test_unknown_invitation_token_is_404(client):
    assert client.get(reverse("invitation_accept", kwargs={"token": "nope"})).status_code == 404


# --- Login and landing --------------------------------------------------------------


def test_login_lands_a_one_organization_member_in_their_organization(client, cast):
    response = _login(client, "bob@example.org")
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("organization_home", kwargs={"org_slug": "st-elsewhere"})


def test_person_in_two_organizations_gets_a_picker(client, cast, unscoped):
    MembershipFactory(organization=cast.other_org, user=cast.bob.user)
    client.force_login(cast.bob.user)
    page = client.get(reverse("home")).content.decode()
    assert re.findall(r'href="/o/([\w-]+)/"', page) == ["county-general", "st-elsewhere"]


def test_person_without_organization_is_told_how_to_join(client, db):
    user = User.objects.create_user("lonely@example.org", PASSWORD)
    client.force_login(user)
    assert "Reflect is used by invitation" in client.get(reverse("home")).content.decode()


def test_wrong_password_is_refused(client, cast):
    response = _login(client, "bob@example.org", "wrong password")
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_rate_limited(client, cast):
    for _ in range(5):
        _login(client, "bob@example.org", "wrong password")
    response = _login(client, "bob@example.org")  # even the right password now waits
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def _without_csrf_tokens(page: bytes) -> bytes:
    # Each render masks the CSRF token afresh (the language switch's form carries one):
    # random, so it tells nothing about the address.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b'name="csrfmiddlewaretoken"', page)


def test_password_reset_answers_alike_for_known_and_unknown_addresses(client, cast, mailoutbox):
    known = client.post(reverse("account_reset_password"), {"email": "bob@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    done_known = _without_csrf_tokens(client.get(known["Location"]).content)
    done_unknown = _without_csrf_tokens(client.get(unknown["Location"]).content)
    assert done_known == done_unknown
    # Only the mailbox owner learns which it was.
    assert sorted(m.to[0] for m in mailoutbox) == ["bob@example.org", "nobody@example.org"]


# --- Two-factor authentication ------------------------------------------------------


def test_totp_enrolment_then_login_needs_the_code(client, cast):
    _login(client, "bob@example.org")
    asked = client.get(reverse("mfa_activate_totp"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # sensitive change: password again
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=cast.bob.user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=cast.bob.user, type=Authenticator.Type.RECOVERY_CODES).exists()
    client.logout()

    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        password_step = _login(client, "bob@example.org")
        wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        right = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert password_step["Location"] == reverse("mfa_authenticate")
    assert "Incorrect code." in wrong.content.decode()
    assert right["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(cast.bob.user.pk)


# --- Organisation admin pages -------------------------------------------------------


def _members_url(org) -> str:
    return reverse("members_list", kwargs={"org_slug": org.slug})


def test_admin_invites_by_email_and_the_email_carries_the_link(
    client, cast, unscoped, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.alice.user)
    url = reverse("invitations", kwargs={"org_slug": cast.org.slug})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, {"email": "New.Person@Example.org", "role": "member"}, follow=True)
    assert len(callbacks) == 1  # the e-mail task is enqueued only once the invitation is committed
    invitation = Invitation.objects.get(organization=cast.org)
    assert invitation.email == "new.person@example.org"
    assert "Invitation sent to new.person@example.org." in response.content.decode()
    assert [m.to for m in mailoutbox] == [["new.person@example.org"]]
    mail = mailoutbox[0]
    assert mail.subject == "[Reflect] You're invited to St Elsewhere"
    assert f"/invitations/{invitation.token}/" in mail.body
    assert f"/invitations/{invitation.token}/" in mail.alternatives[0][0]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_reinviting_renews_the_open_invitation(client, cast, unscoped):
    client.force_login(cast.alice.user)
    url = reverse("invitations", kwargs={"org_slug": cast.org.slug})
    client.post(url, {"email": "x@example.org", "role": "member"})
    first_token = Invitation.objects.get().token
    client.post(url, {"email": "x@example.org", "role": "facilitator"})
    renewed = Invitation.objects.get()
    assert renewed.token != first_token
    assert renewed.role == Role.FACILITATOR


def test_inviting_an_existing_member_is_a_form_error(client, cast, unscoped):
    client.force_login(cast.alice.user)
    url = reverse("invitations", kwargs={"org_slug": cast.org.slug})
    response = client.post(url, {"email": "bob@example.org", "role": "member"})
    assert "bob@example.org is already a member of St Elsewhere." in response.content.decode()
    assert not Invitation.objects.exists()


def test_invalid_email_is_a_form_error(client, cast, unscoped):
    client.force_login(cast.alice.user)
    response = client.post(reverse("invitations", kwargs={"org_slug": cast.org.slug}), {"email": "nope", "role": "x"})
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert "Select a valid choice. x is not one of the available choices." in page
    assert not Invitation.objects.exists()


def test_revoked_invitation_stops_working(client, cast, unscoped):
    invitation = InvitationFactory(organization=cast.org)
    client.force_login(cast.alice.user)
    client.post(reverse("invitation_revoke", kwargs={"org_slug": cast.org.slug, "invitation_id": invitation.public_id}))
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_members_cannot_use_admin_pages(client, cast):
    client.force_login(cast.bob.user)
    assert client.get(_members_url(cast.org)).status_code == 403
    assert (
        client.post(reverse("invitations", kwargs={"org_slug": cast.org.slug}), {"email": "a@b.org"}).status_code == 403
    )


def test_members_list_shows_only_this_organizations_active_members(client, cast, unscoped):
    MembershipFactory(organization=cast.org, user__display_name="Gone", is_active=False)
    client.force_login(cast.alice.user)
    page = client.get(_members_url(cast.org)).content.decode()
    assert re.findall(r"<td>([^<]+)</td>\s*<td>[^<]+@", page) == ["Alice", "Bob"]


def test_admin_changes_a_role(client, cast, unscoped):
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # roles: password again
    url = reverse("member_change_role", kwargs={"org_slug": cast.org.slug, "member_id": cast.bob.public_id})
    client.post(url, {"role": "facilitator"})
    cast.bob.refresh_from_db()
    assert cast.bob.role == Role.FACILITATOR


def test_last_admin_cannot_step_down_or_be_removed(client, cast, unscoped):
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # roles: password again
    kwargs = {"org_slug": cast.org.slug, "member_id": cast.alice.public_id}
    demoted = client.post(reverse("member_change_role", kwargs=kwargs), {"role": "member"}, follow=True)
    removed = client.post(reverse("member_remove", kwargs=kwargs), follow=True)
    cast.alice.refresh_from_db()
    assert (cast.alice.role, cast.alice.is_active) == (Role.ADMIN, True)
    message = "An organisation needs at least one admin: make someone else admin first."
    assert message in demoted.content.decode()
    assert message in removed.content.decode()


def test_removed_member_is_marked_left_and_loses_access(client, cast, unscoped):
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # removal: password again
    client.post(reverse("member_remove", kwargs={"org_slug": cast.org.slug, "member_id": cast.bob.public_id}))
    cast.bob.refresh_from_db()
    assert cast.bob.is_active is False
    assert cast.bob.left_at is not None
    client.force_login(cast.bob.user)
    assert client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug})).status_code == 404


def test_rejoining_after_leaving_reactivates_the_membership(client, cast, unscoped):
    cast.bob.is_active = False
    cast.bob.save()
    invitation = InvitationFactory(organization=cast.org, email="bob@example.org", role=Role.FACILITATOR)
    client.force_login(cast.bob.user)
    client.post(reverse("invitation_accept", kwargs={"token": invitation.token}))
    cast.bob.refresh_from_db()
    assert (cast.bob.is_active, cast.bob.role, cast.bob.left_at) == (True, Role.FACILITATOR, None)


@pytest.mark.parametrize("extra_members", [0, 25])
def test_members_list_query_count_does_not_grow(client, cast, django_assert_num_queries, extra_members):
    with scope(organization=cast.org):
        MembershipFactory.create_batch(extra_members, organization=cast.org)
        InvitationFactory.create_batch(extra_members, organization=cast.org)
    client.force_login(cast.alice.user)
    # User, membership (the session is cached); the count, the page, its cohorts, the cohort
    # filter's choices.
    with django_assert_num_queries(6):
        client.get(_members_url(cast.org))
    with django_assert_num_queries(3):
        client.get(reverse("invitations", kwargs={"org_slug": cast.org.slug}))


def test_profile_saves_display_name_and_time_zone(client, cast):
    client.force_login(cast.bob.user)
    client.post(reverse("profile"), {"display_name": "Robert", "time_zone": "America/Chicago"})
    cast.bob.user.refresh_from_db()
    assert (cast.bob.user.display_name, cast.bob.user.time_zone) == ("Robert", "America/Chicago")


def test_profile_rejects_unknown_time_zone(client, cast):
    client.force_login(cast.bob.user)
    response = client.post(reverse("profile"), {"display_name": "Robert", "time_zone": "Mars/Olympus"})
    assert "Select a valid choice." in response.content.decode()
    cast.bob.user.refresh_from_db()
    assert cast.bob.user.time_zone == "Europe/London"


@pytest.mark.security
def test_invitation_from_an_organisation_with_a_line_break_in_its_name_is_sent(cast, unscoped, mailoutbox):
    # Django refuses a subject with a line break; a name from before names refused
    # control characters must not stop every invitation of the organisation.
    Organization.objects.filter(pk=cast.org.pk).update(name="St Elsewhere\r\nNights")
    invitation = InvitationFactory(organization=Organization.objects.get(pk=cast.org.pk), email="new@example.org")

    assert invitation_send(invitation=invitation) is True

    assert [m.subject for m in mailoutbox] == ["[Reflect] You're invited to St Elsewhere Nights"]


def test_the_login_page_says_joining_is_by_invitation_not_sign_up_first(client):
    page = " ".join(client.get(reverse("account_login")).content.decode().split())
    assert (
        "New to Reflect? Joining is by invitation only: open the link in the invitation your organisation sent you."
        in page
    )
    assert "sign up" not in page.lower()
    assert reverse("account_signup") not in page
