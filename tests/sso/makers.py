"""What the single sign-on tests build: the test IdPs started (or skipped loudly, failed
under ``CI=true``) and organisations configured to sign in through them. The fixtures
in ``conftest.py`` use these; tests that need a second organisation call them directly."""

from __future__ import annotations

import sys

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from accounts.sso.models import OrganizationSSO, Protocol
from tests.factories import OrganizationFactory
from tests.services import ServiceUnavailable, in_ci
from tests.sso.idp import OIDCProvider, SAMLIdP

CLIENT_SECRET = "s3cret-of-the-relying-party"
IDP_PASSWORD = "idp password 123"


def start_idp(factory):
    try:
        server = factory()
    except ServiceUnavailable as missing:
        if in_ci():
            pytest.fail(f"CI: {missing}. SSO tests cannot be skipped in CI.", pytrace=False)
        print(f"\n!!! SKIPPING SSO TESTS: {missing}", file=sys.stderr)
        pytest.skip(f"!!! SKIPPING SSO TESTS: {missing}")
    return server.start()


def oidc_callback(base: str, slug: str) -> str:
    return f"{base}/accounts/oidc/oidc-{slug}/login/callback/"


def make_oidc_org(idp: OIDCProvider, *, slug: str, domains: str, skip_authorization=True, extra_hosts=()):
    with scopes_disabled():
        organization = OrganizationFactory(name=f"Trust {slug}", slug=slug)
        OrganizationSSO.objects.create(
            organization=organization,
            enabled=True,
            protocol=Protocol.OIDC,
            oidc_server_url=idp.issuer,
            oidc_client_id=f"client-{slug}",
            oidc_client_secret=CLIENT_SECRET,
            allowed_domains=domains,
        )
    hosts = ["http://reflect.test", *extra_hosts]
    idp.setup(
        clients=[
            {
                "client_id": f"client-{slug}",
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [oidc_callback(host, slug) for host in hosts],
                "skip_authorization": skip_authorization,
            }
        ]
    )
    return organization


def make_saml_org(idp: SAMLIdP, *, slug: str, domains: str, metadata=None):
    """``metadata``: a function fetching Reflect's SP metadata once the organisation
    exists (from a live server); by default the test client fetches it as reflect.test."""
    with scopes_disabled():
        organization = OrganizationFactory(name=f"Hospice {slug}", slug=slug)
        OrganizationSSO.objects.create(
            organization=organization,
            enabled=True,
            protocol=Protocol.SAML,
            saml_metadata_url=idp.metadata_url,
            allowed_domains=domains,
        )
    # The IdP's admin loads Reflect's SP metadata for this organisation.
    if metadata is None:
        metadata = Client().get(f"/accounts/saml/{slug}/metadata/", HTTP_HOST="reflect.test")
    else:
        metadata = metadata()
    assert metadata.status_code == 200, metadata.content[:500]
    idp.register_sp(slug, metadata.content)
    return organization


# What an admin types on the SSO settings page for an Entra ID tenant.
OIDC_FORM = {
    "enabled": "on",
    "protocol": "oidc",
    "oidc_server_url": "https://login.microsoftonline.com/tenant-id/v2.0",
    "oidc_client_id": "reflect-client",
    "oidc_client_secret": "very secret value",
    "email_attribute": "",
    "allowed_domains": "St-Elsewhere.nhs.uk\n@nhs.net",
}
