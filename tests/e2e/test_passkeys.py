"""Passkeys through allauth's MFA (issue 11): add one, then sign in with it alone, in
Chromium with a virtual authenticator (Chrome DevTools' WebAuthn domain)."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from sessions_app.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.accounts]


def _virtual_authenticator(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_member_adds_a_passkey_and_signs_in_with_it_alone(page: Page, login, live_server):
    _virtual_authenticator(page)
    login(page, "priya@stmarys.example")

    page.goto("/accounts/2fa/webauthn/add/")
    # Adding an authenticator asks for the password again (allauth's reauthentication).
    page.locator("main input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill("Ward 7 PC")
    page.get_by_label("Passwordless").check()
    page.get_by_role("button", name="Add").click()
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    assert User.objects.get(email="priya@stmarys.example").authenticator_set.filter(type="webauthn").count() == 1

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()

    expect(page).to_have_url(re.compile(r"/o/st-marys/$"))
    expect(page.locator("h1")).to_have_text("St Mary's Hospital")
