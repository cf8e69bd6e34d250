""" "SSO required": an organisation's pages open only to sessions that signed in through
its IdP; a password login that could reach nothing else is refused; platform staff keep
a break-glass path (password and two-factor)."""

from datetime import UTC, datetime

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import Role
from accounts.sso.models import OrganizationSSO
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory, totp_code
from tests.sso.flows import HOST, oidc_sign_in
from tests.sso.makers import IDP_PASSWORD

pytestmark = [pytest.mark.sso, pytest.mark.security, pytest.mark.django_db]

NOW = datetime(2027, 5, 4, 10, 0, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _require(organization):
    with scopes_disabled():
        OrganizationSSO.objects.filter(organization=organization).update(required=True)


def _member(organization, email, **extra):
    with scopes_disabled():
        return MembershipFactory(organization=organization, user__email=email, **extra)


def _password_login(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD}, **HOST)


def _home(slug):
    return reverse("organization_home", kwargs={"org_slug": slug})


def test_password_login_refused_when_every_organisation_requires_sso(client, oidc_org):
    _require(oidc_org)
    _member(oidc_org, "pat@nhs.test")

    response = _password_login(client, "pat@nhs.test")
    page = client.get(response["Location"], **HOST)

    assert response["Location"] == f"/sso/{oidc_org.slug}/"
    assert "_auth_user_id" not in client.session
    assert f"{oidc_org.name} asks you to sign in through its single sign-on, not a password." in page.content.decode()
    assert "Continue to your organisation's sign-in page" in page.content.decode()


def test_password_session_cannot_enter_an_sso_required_organisation(client, oidc_org):
    _require(oidc_org)
    other = OrganizationFactory(name="Open Hospice", slug="open-hospice")
    membership = _member(oidc_org, "pia@nhs.test")
    with scopes_disabled():
        MembershipFactory(organization=other, user=membership.user)

    login = _password_login(client, "pia@nhs.test")
    required = client.get(_home(oidc_org.slug), **HOST)
    open_org = client.get(_home(other.slug), **HOST)

    assert login["Location"] == "/"
    assert required.status_code == 302
    assert required["Location"] == f"/sso/{oidc_org.slug}/"
    assert open_org.status_code == 200


def test_sso_session_enters_the_required_organisation(client, oidc_idp, oidc_org):
    _require(oidc_org)
    oidc_idp.setup(users=[{"username": "ria", "email": "ria@nhs.test", "password": IDP_PASSWORD}])

    oidc_sign_in(client, oidc_org.slug, username="ria", password=IDP_PASSWORD)
    page = client.get(_home(oidc_org.slug), **HOST)

    assert page.status_code == 200
    assert oidc_org.name in page.content.decode()


def test_platform_staff_break_glass_with_password_and_two_factor(client, oidc_org):
    _require(oidc_org)
    operator = UserFactory(email="operator@reflect.test", is_staff=True, is_superuser=True)
    TOTP.activate(operator, SECRET)
    with scopes_disabled():
        MembershipFactory(organization=oidc_org, user=operator, role=Role.ADMIN)

    with time_machine.travel(NOW, tick=False):
        password_step = _password_login(client, operator.email)
        code_step = client.post(reverse("mfa_authenticate"), {"code": totp_code(SECRET)}, **HOST)
        page = client.get(_home(oidc_org.slug), **HOST)

    assert password_step["Location"] == reverse("mfa_authenticate")
    assert code_step["Location"] == "/"
    assert page.status_code == 200


def test_sso_not_required_leaves_password_login_alone(client, oidc_org):
    _member(oidc_org, "olu@nhs.test")

    login = _password_login(client, "olu@nhs.test")
    page = client.get(_home(oidc_org.slug), **HOST)

    assert login["Location"] == "/"
    assert page.status_code == 200


def test_platform_staff_switch_required_off_in_the_django_admin(client, oidc_org):
    _require(oidc_org)
    operator = UserFactory(email="operator@reflect.test", is_staff=True, is_superuser=True)
    TOTP.activate(operator, SECRET)
    with scopes_disabled():
        sso = OrganizationSSO.objects.get(organization=oidc_org)
    url = reverse("admin:sso_organizationsso_change", args=[sso.pk])

    with time_machine.travel(NOW, tick=False):
        _password_login(client, operator.email)
        client.post(reverse("mfa_authenticate"), {"code": totp_code(SECRET)}, **HOST)
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD}, **HOST)
        form = client.get(url, **HOST).content.decode()
        response = client.post(url, {"enabled": "on", "required": ""}, **HOST)

    assert "s3cret" not in form
    assert response.status_code == 302
    with scopes_disabled():
        sso.refresh_from_db()
    assert (sso.enabled, sso.required) == (True, False)


def test_sso_start_finds_the_organisation_by_the_address_domain(client, oidc_org):
    found = client.post("/sso/", {"email": "Someone@NHS.test"}, **HOST)
    missing = client.post("/sso/", {"email": "someone@elsewhere.test"}, **HOST)

    assert found["Location"] == f"/sso/{oidc_org.slug}/"
    assert missing.status_code == 200
    assert "No organisation signs in with single sign-on for that address." in missing.content.decode()
