"""The organisation's single sign-on settings page: admins only, a fresh login to save,
clear messages and nothing saved on error, the secret encrypted at rest."""

import pytest
import requests
from django.db import connection
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.sso.models import OrganizationSSO, Protocol
from reflect import crypto
from tests.factories import PASSWORD
from tests.sso.makers import OIDC_FORM

pytestmark = [pytest.mark.sso, pytest.mark.django_db]


def _url(org):
    return reverse("organization_sso", kwargs={"org_slug": org.slug})


def _fresh_admin(client, membership):
    client.force_login(membership.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def _stored(org):
    with scopes_disabled():
        return OrganizationSSO.objects.filter(organization=org).first()


@pytest.mark.security
def test_sso_settings_refused_to_members(client, cast):
    client.force_login(cast.bob.user)

    response = client.get(_url(cast.org))

    assert response.status_code == 403


@pytest.mark.security
def test_sso_settings_save_asks_for_a_fresh_login(client, cast):
    client.force_login(cast.alice.user)

    response = client.post(_url(cast.org), OIDC_FORM)

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert _stored(cast.org) is None


def test_sso_settings_page_shows_the_urls_for_the_idp(client, cast):
    _fresh_admin(client, cast.alice)

    page = client.get(_url(cast.org)).content.decode()

    assert "<code>http://testserver/accounts/oidc/oidc-st-elsewhere/login/callback/</code>" in page
    assert "<code>http://testserver/accounts/saml/st-elsewhere/acs/</code>" in page
    assert "<code>http://testserver/accounts/saml/st-elsewhere/metadata/</code>" in page


@pytest.mark.security
def test_sso_settings_saved_with_the_secret_encrypted_at_rest(client, cast):
    _fresh_admin(client, cast.alice)

    response = client.post(_url(cast.org), OIDC_FORM)

    assert response["Location"] == _url(cast.org)
    stored = _stored(cast.org)
    assert (stored.protocol, stored.oidc_client_secret) == (Protocol.OIDC, "very secret value")
    assert stored.domains == ["st-elsewhere.nhs.uk", "nhs.net"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT oidc_client_secret FROM sso_organizationsso WHERE id = %s", [stored.pk])
        raw = cursor.fetchone()[0]
    assert "very secret" not in raw
    assert crypto.decrypt(raw) == "very secret value"
    assert "very secret value" not in client.get(_url(cast.org)).content.decode()


def test_sso_settings_empty_secret_keeps_the_stored_one(client, cast):
    _fresh_admin(client, cast.alice)
    client.post(_url(cast.org), OIDC_FORM)

    client.post(_url(cast.org), {**OIDC_FORM, "oidc_client_secret": "", "oidc_client_id": "renamed"})

    stored = _stored(cast.org)
    assert (stored.oidc_client_id, stored.oidc_client_secret) == ("renamed", "very secret value")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"oidc_client_id": ""}, "oidc_client_id", "Give the client ID the IdP issued for Reflect."),
        ({"allowed_domains": "not a domain"}, "allowed_domains", "“not a domain” is not a domain name"),
        ({"allowed_domains": "nhs.net\nlocalhost"}, "allowed_domains", "“localhost” is not a domain name"),
        ({"allowed_domains": ""}, "allowed_domains", "This field is required."),
        ({"required": "on"}, "required", "Sign in through your organisation&#x27;s single sign-on once"),
        ({"enabled": "", "required": "on"}, "required", "must be switched on before it can be required"),
        ({"protocol": "saml"}, "saml_metadata_url", "Give either the IdP&#x27;s metadata URL or its metadata XML"),
        (
            {"protocol": "saml", "saml_metadata_xml": "<not-metadata/>"},
            "saml_metadata_xml",
            "This is not readable IdP metadata",
        ),
    ],
)
def test_sso_settings_invalid_input_saves_nothing(client, cast, change, field, message):
    _fresh_admin(client, cast.alice)

    response = client.post(_url(cast.org), {**OIDC_FORM, **change})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert _stored(cast.org) is None


def test_sso_settings_accept_saml_metadata_xml_from_a_real_idp(client, cast, saml_idp):
    xml = requests.get(saml_idp.metadata_url, timeout=10).text
    _fresh_admin(client, cast.alice)

    response = client.post(
        _url(cast.org),
        {"enabled": "on", "protocol": "saml", "saml_metadata_xml": xml, "allowed_domains": "hospice.test"},
    )

    assert response["Location"] == _url(cast.org)
    assert _stored(cast.org).saml_metadata_xml == xml


@pytest.mark.security
def test_sso_settings_refuse_plain_http_idp_addresses_in_production(client, cast, settings):
    settings.PRODUCTION = True
    _fresh_admin(client, cast.alice)

    response = client.post(_url(cast.org), {**OIDC_FORM, "oidc_server_url": "http://idp.example.org/"})

    assert response.context["form"].errors["oidc_server_url"] == ["Use the IdP's https:// address."]
    assert _stored(cast.org) is None
