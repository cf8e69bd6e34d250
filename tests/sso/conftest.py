"""Fixtures for the single sign-on tests: real IdPs in their own processes
(``tests/sso/idp.py``) and organisations configured to use them.

A missing IdP dependency skips these tests loudly; under ``CI=true`` it fails them.
"""

import pytest

from tests.sso.idp import OIDCProvider, SAMLIdP
from tests.sso.makers import make_oidc_org, make_saml_org, start_idp


@pytest.fixture(scope="session")
def oidc_idp():
    server = start_idp(OIDCProvider)
    yield server
    server.stop()


@pytest.fixture
def oidc_org(db, oidc_idp):
    """An organisation signing in through the test OpenID Connect provider, domain nhs.test."""
    return make_oidc_org(oidc_idp, slug="oidc-trust", domains="nhs.test")


@pytest.fixture(scope="session")
def saml_idp():
    server = start_idp(SAMLIdP)
    yield server
    server.stop()


@pytest.fixture
def saml_org(db, saml_idp):
    """An organisation signing in through the test SAML IdP (metadata by URL), domain hospice.test."""
    return make_saml_org(saml_idp, slug="saml-hospice", domains="hospice.test")


@pytest.fixture(autouse=True)
def _reflect_host(settings):
    # The flows send Host: reflect.test (python3-saml refuses single-label host names).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "reflect.test"]
