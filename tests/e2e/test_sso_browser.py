"""Single sign-on end to end in Chromium: from Reflect's login page through a real IdP
(``tests/sso/idp.py``, each in its own process) and back into the organisation."""

import re

import pytest
import requests
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from accounts.models import Membership, Role
from tests.sso.idp import OIDCProvider, SAMLIdP
from tests.sso.makers import IDP_PASSWORD, make_oidc_org, make_saml_org, start_idp

pytestmark = [pytest.mark.e2e, pytest.mark.sso]


@pytest.fixture(scope="module")
def browser_oidc_idp():
    server = start_idp(OIDCProvider)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser_saml_idp():
    server = start_idp(SAMLIdP)
    yield server
    server.stop()


def _sign_in_through_sso(page: Page, email: str, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with your organisation's single sign-on").click()
    page.get_by_label("Your work e-mail address").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue to your organisation's sign-in page").click()
    # Now at the IdP, on another origin.
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _role(organization, email):
    with scopes_disabled():
        return Membership.objects.get(organization=organization, user__email=email, is_active=True).role


def test_oidc_sign_in_in_a_browser_makes_a_member(page: Page, live_server, transactional_db, browser_oidc_idp):
    organization = make_oidc_org(
        browser_oidc_idp, slug="browser-trust", domains="nhs.test", extra_hosts=[live_server.url]
    )
    browser_oidc_idp.setup(users=[{"username": "bea", "email": "bea@nhs.test", "password": IDP_PASSWORD}])

    _sign_in_through_sso(page, "bea@nhs.test", "bea")

    expect(page).to_have_url(f"{live_server.url}/o/browser-trust/")
    expect(page.locator("h1")).to_have_text(organization.name)
    assert _role(organization, "bea@nhs.test") == Role.MEMBER


def test_saml_sign_in_in_a_browser_makes_a_member(page: Page, live_server, transactional_db, browser_saml_idp):
    organization = make_saml_org(
        browser_saml_idp,
        slug="browser-hospice",
        domains="hospice.test",
        metadata=lambda: requests.get(f"{live_server.url}/accounts/saml/browser-hospice/metadata/", timeout=10),
    )
    browser_saml_idp.add_user("hal", email="hal@hospice.test", password=IDP_PASSWORD)

    _sign_in_through_sso(page, "hal@hospice.test", "hal")

    expect(page).to_have_url(f"{live_server.url}/o/browser-hospice/")
    expect(page.locator("h1")).to_have_text(organization.name)
    assert _role(organization, "hal@hospice.test") == Role.MEMBER
