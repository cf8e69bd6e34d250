"""Sign-in through a real OpenID Connect provider (django-oauth-toolkit, own process)."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django_scopes import scopes_disabled

from accounts.models import Membership, Role, User
from tests.factories import UserFactory
from tests.sso.flows import oidc_sign_in
from tests.sso.makers import IDP_PASSWORD, make_oidc_org

pytestmark = [pytest.mark.sso, pytest.mark.django_db]


def _member(organization, email):
    with scopes_disabled():
        return Membership.objects.filter(organization=organization, user__email=email, is_active=True).first()


def test_oidc_first_sign_in_creates_member(client, oidc_idp, oidc_org):
    oidc_idp.setup(
        users=[{"username": "nia", "email": "Nia@NHS.test", "password": IDP_PASSWORD, "name": "Nia  Okafor"}]
    )

    response = oidc_sign_in(client, oidc_org.slug, username="nia", password=IDP_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    membership = _member(oidc_org, "nia@nhs.test")
    assert membership is not None
    assert membership.role == Role.MEMBER
    assert membership.user.display_name == "Nia Okafor"
    assert client.session["_auth_user_id"] == str(membership.user_id)
    assert SocialAccount.objects.get(user=membership.user).provider == f"oidc-{oidc_org.slug}"


@pytest.mark.security
def test_oidc_refuses_other_domains(client, oidc_idp, oidc_org):
    oidc_idp.setup(users=[{"username": "gus", "email": "gus@gmail.test", "password": IDP_PASSWORD}])

    response = oidc_sign_in(client, oidc_org.slug, username="gus", password=IDP_PASSWORD)

    assert response.status_code == 403
    assert "does not accept for single sign-on" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="gus@gmail.test").exists()


@pytest.mark.security
def test_oidc_disabled_user_gets_no_session(client, oidc_idp, oidc_org):
    oidc_idp.setup(users=[{"username": "dee", "email": "dee@nhs.test", "password": IDP_PASSWORD, "active": False}])

    response = oidc_sign_in(client, oidc_org.slug, username="dee", password=IDP_PASSWORD)

    assert "idp-sign-in" in response.text  # still at the IdP's sign-in form
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="dee@nhs.test").exists()


@pytest.mark.security
def test_oidc_unverified_email_never_takes_over_an_account(client, oidc_idp, oidc_org):
    local = UserFactory(email="ula@nhs.test")
    oidc_idp.setup(users=[{"username": "ula", "email": "ula@nhs.test", "password": IDP_PASSWORD, "verified": False}])

    response = oidc_sign_in(client, oidc_org.slug, username="ula", password=IDP_PASSWORD)

    assert response.status_code == 403
    assert "did not confirm that this e-mail address is yours" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.filter(user=local).exists()
    assert _member(oidc_org, "ula@nhs.test") is None


@pytest.mark.security
def test_oidc_verified_email_links_the_existing_account(client, oidc_idp, oidc_org):
    local = UserFactory(email="val@nhs.test")
    oidc_idp.setup(users=[{"username": "val", "email": "val@nhs.test", "password": IDP_PASSWORD}])

    response = oidc_sign_in(client, oidc_org.slug, username="val", password=IDP_PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(local.pk)
    assert SocialAccount.objects.get(user=local).provider == f"oidc-{oidc_org.slug}"
    assert _member(oidc_org, "val@nhs.test").role == Role.MEMBER


@pytest.mark.security
def test_oidc_refusal_at_the_idp_gives_no_session(client, oidc_idp):
    organization = make_oidc_org(oidc_idp, slug="consenting-trust", domains="nhs.test", skip_authorization=False)
    oidc_idp.setup(users=[{"username": "rex", "email": "rex@nhs.test", "password": IDP_PASSWORD}])

    # The IdP asks for consent and the person declines: it answers error=access_denied,
    # which allauth shows as a cancelled login.
    response = oidc_sign_in(client, organization.slug, username="rex", password=IDP_PASSWORD, allow=False)
    page = client.get(response["Location"], HTTP_HOST="reflect.test")

    assert response["Location"] == "/accounts/3rdparty/login/cancelled/"
    assert "Login Cancelled" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="rex@nhs.test").exists()


def test_sso_button_page_lets_its_form_reach_the_idp_only(client, oidc_idp, oidc_org):
    # Browsers apply CSP form-action to the redirect after the button's POST as well.
    response = client.get(f"/sso/{oidc_org.slug}/", HTTP_HOST="reflect.test")

    directives = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    assert directives["form-action"] == f"'self' {oidc_idp.base_url}"
