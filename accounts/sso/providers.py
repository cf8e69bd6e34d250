"""allauth apps built from ``OrganizationSSO`` rows, never stored in ``SocialApp``.

Each organisation gets its own provider id (``oidc-<slug>``, ``saml-<slug>``), so its
social accounts are keyed apart from every other organisation's: the same subject id
at two IdPs can never meet in one ``SocialAccount``.
"""

from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.saml.utils import build_saml_config
from django_scopes import scopes_disabled
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from accounts.sso.models import OrganizationSSO, Protocol

OIDC = "openid_connect"
SAML = "saml"
SAML_DEFAULT_UID = ["urn:oasis:names:tc:SAML:attribute:subject-id"]
SAML_DEFAULT_EMAIL = [
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "email",
]


def provider_id(sso: OrganizationSSO) -> str:
    return f"{sso.protocol}-{sso.organization.slug}"


def saml_idp_settings(*, metadata_url: str = "", metadata_xml: str = "") -> dict:
    """allauth's ``idp`` block; XML metadata is read with python3-saml's own parser."""
    if metadata_url:
        return {"entity_id": None, "metadata_url": metadata_url}
    idp = OneLogin_Saml2_IdPMetadataParser.parse(metadata_xml)["idp"]
    return {
        "entity_id": idp["entityId"],
        "sso_url": idp["singleSignOnService"]["url"],
        "x509cert": idp.get("x509cert") or idp["x509certMulti"]["signing"][0],
    }


def social_app(sso: OrganizationSSO) -> SocialApp:
    common = {"hidden": True, "reflect_organization": sso.organization.slug}
    if sso.protocol == Protocol.OIDC:
        return SocialApp(
            provider=OIDC,
            provider_id=provider_id(sso),
            name=sso.organization.name,
            client_id=sso.oidc_client_id,
            secret=sso.oidc_client_secret,
            settings={**common, "server_url": sso.oidc_server_url, "oauth_pkce_enabled": True},
        )
    email = [sso.email_attribute] if sso.email_attribute else SAML_DEFAULT_EMAIL
    idp = saml_idp_settings(metadata_url=sso.saml_metadata_url, metadata_xml=sso.saml_metadata_xml)
    return SocialApp(
        provider=SAML,
        provider_id=provider_id(sso),
        name=sso.organization.name,
        client_id=sso.organization.slug,  # allauth's SAML URLs are keyed by it
        settings={**common, "idp": idp, "attribute_mapping": {"uid": SAML_DEFAULT_UID, "email": email}},
    )


def enabled_sso(
    *,
    provider: str | None = None,
    client_id: str | None = None,
    organization_slug: str | None = None,
    domain: str | None = None,
) -> list[OrganizationSSO]:
    """The enabled configurations matching allauth's ``list_apps`` filters.

    Called at allauth's own URLs, before any organisation is known: this is tenant
    resolution, so it looks across organisations.
    """
    with scopes_disabled():
        rows = OrganizationSSO.objects.filter(enabled=True).select_related("organization")
        if provider in (OIDC, SAML):
            rows = rows.filter(protocol=Protocol.OIDC if provider == OIDC else Protocol.SAML)
        elif provider:
            protocol, _, slug = provider.partition("-")
            rows = rows.filter(protocol=protocol, organization__slug=slug)
        if organization_slug:
            rows = rows.filter(organization__slug=organization_slug)
        if domain is not None:
            # A coarse filter; OrganizationSSO.allows_email decides exactly.
            rows = rows.filter(allowed_domains__icontains=domain) if domain else rows.none()
        if client_id:
            rows = (
                rows.filter(organization__slug=client_id) if provider == SAML else rows.filter(oidc_client_id=client_id)
            )
        return list(rows)


def sso_for_app(app: SocialApp) -> OrganizationSSO | None:
    slug = (app.settings or {}).get("reflect_organization")
    if not slug:
        return None
    with scopes_disabled():
        return OrganizationSSO.objects.select_related("organization").filter(organization__slug=slug).first()


def sign_in_origin(request, sso: OrganizationSSO, provider) -> str:
    """The origin of the IdP's sign-in page, as allauth will redirect to it.

    The SSO button posts to allauth, which redirects to the IdP; browsers apply the
    page's CSP ``form-action`` to that redirect too, so the button's page allows this one
    origin beside 'self'. Read from the same discovery document or metadata allauth uses.
    """
    try:
        if sso.protocol == Protocol.OIDC:
            url = provider.get_oauth2_adapter(request).authorize_url
        else:
            url = build_saml_config(request, provider.app.settings, provider.app.client_id)["idp"][
                "singleSignOnService"
            ]["url"]
    except Exception:  # an unreachable IdP: the sign-in fails at allauth next, with its own page
        url = sso.oidc_server_url or sso.saml_metadata_url
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
