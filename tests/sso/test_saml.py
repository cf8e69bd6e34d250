"""Sign-in through a real SAML IdP (pysaml2, own process; allauth reads it with python3-saml)."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django_scopes import scopes_disabled

from accounts.models import Membership, Role, User
from tests.factories import UserFactory
from tests.sso.flows import saml_sign_in
from tests.sso.makers import IDP_PASSWORD

pytestmark = [pytest.mark.sso, pytest.mark.django_db]


def _member(organization, email):
    with scopes_disabled():
        return Membership.objects.filter(organization=organization, user__email=email, is_active=True).first()


def test_saml_first_sign_in_creates_member(client, saml_idp, saml_org):
    saml_idp.add_user("sam", email="sam@hospice.test", password=IDP_PASSWORD)

    response = saml_sign_in(client, saml_org.slug, username="sam", password=IDP_PASSWORD)

    assert response.status_code == 302, saml_idp.log()
    assert response["Location"] == "/"
    membership = _member(saml_org, "sam@hospice.test")
    assert membership.role == Role.MEMBER
    assert client.session["_auth_user_id"] == str(membership.user_id)
    account = SocialAccount.objects.get(user=membership.user)
    assert (account.provider, account.uid) == (f"saml-{saml_org.slug}", "sam")


@pytest.mark.security
def test_saml_refuses_other_domains(client, saml_idp, saml_org):
    saml_idp.add_user("oscar", email="oscar@elsewhere.test", password=IDP_PASSWORD)

    response = saml_sign_in(client, saml_org.slug, username="oscar", password=IDP_PASSWORD)

    assert response.status_code == 403
    assert "does not accept for single sign-on" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="oscar@elsewhere.test").exists()


@pytest.mark.security
def test_saml_user_disabled_at_the_idp_gets_no_session(client, saml_idp, saml_org):
    saml_idp.add_user("dora", email="dora@hospice.test", password=IDP_PASSWORD, active=False)

    response = saml_sign_in(client, saml_org.slug, username="dora", password=IDP_PASSWORD)

    assert "Third-Party Login Failure" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="dora@hospice.test").exists()


@pytest.mark.security
def test_saml_links_existing_account_only_in_its_own_domain(client, saml_idp, saml_org):
    local = UserFactory(email="lin@hospice.test")
    saml_idp.add_user("lin", email="lin@hospice.test", password=IDP_PASSWORD)

    saml_sign_in(client, saml_org.slug, username="lin", password=IDP_PASSWORD)

    assert client.session["_auth_user_id"] == str(local.pk)
    assert _member(saml_org, "lin@hospice.test").role == Role.MEMBER
