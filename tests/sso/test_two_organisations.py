"""One person, two organisations, two IdPs (README, "Single sign-on"): each IdP links
to the same account only through a verified address at its own organisation's domains,
and grants membership in its own organisation only."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django_scopes import scopes_disabled

from accounts.models import Membership, User
from tests.sso.flows import oidc_sign_in, saml_sign_in
from tests.sso.makers import IDP_PASSWORD, make_oidc_org, make_saml_org

pytestmark = [pytest.mark.sso, pytest.mark.security, pytest.mark.django_db]


def _organisations(user):
    with scopes_disabled():
        return sorted(Membership.objects.filter(user=user, is_active=True).values_list("organization__slug", flat=True))


def test_each_idp_grants_membership_in_its_own_organisation_only(client, oidc_idp, saml_idp):
    trust = make_oidc_org(oidc_idp, slug="shared-trust", domains="shared.test")
    hospice = make_saml_org(saml_idp, slug="shared-hospice", domains="shared.test")
    oidc_idp.setup(users=[{"username": "kai", "email": "kai@shared.test", "password": IDP_PASSWORD}])
    saml_idp.add_user("kai", email="kai@shared.test", password=IDP_PASSWORD)

    oidc_sign_in(client, trust.slug, username="kai", password=IDP_PASSWORD)
    kai = User.objects.get(email="kai@shared.test")
    after_first = _organisations(kai)
    client.logout()
    saml_sign_in(client, hospice.slug, username="kai", password=IDP_PASSWORD)

    assert after_first == ["shared-trust"]
    assert _organisations(kai) == ["shared-hospice", "shared-trust"]
    assert client.session["_auth_user_id"] == str(kai.pk)
    assert sorted(SocialAccount.objects.filter(user=kai).values_list("provider", "uid")) == [
        ("oidc-shared-trust", SocialAccount.objects.get(provider="oidc-shared-trust").uid),
        ("saml-shared-hospice", "kai"),
    ]


def test_an_idp_cannot_sign_in_addresses_of_another_organisations_domain(client, oidc_idp, saml_idp):
    make_oidc_org(oidc_idp, slug="nhs-trust", domains="trust.test")
    hospice = make_saml_org(saml_idp, slug="small-hospice", domains="small-hospice.test")
    # The hospice's IdP asserts an address at the trust's domain.
    saml_idp.add_user("mallory", email="mallory@trust.test", password=IDP_PASSWORD)

    response = saml_sign_in(client, hospice.slug, username="mallory", password=IDP_PASSWORD)

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="mallory@trust.test").exists()
