"""Who an IdP login may be, and which local account it may become.

The rules (README, "Single sign-on"):

* The address the IdP asserts must be at one of the organisation's allowed domains,
  or the login is refused, whoever the person is.
* It must be verified: OpenID Connect's ``email_verified`` claim, or the organisation
  trusting its IdP for its own domains (always for SAML, where no standard claim
  exists; a checkbox for OpenID Connect providers such as Entra ID that send none).
* Only then may the login create an account, or link to the existing account with that
  address. An unverified address never takes over an account, and never makes one.
* One person in two organisations: each organisation's IdP has its own provider id, so
  each links to the same user only through a verified address at its own domains, and
  each grants membership in its own organisation only.
"""

from dataclasses import dataclass

from allauth.socialaccount.models import SocialLogin
from django_scopes import scopes_disabled

from accounts.sso.models import OrganizationSSO, Protocol


class Refusal:
    DOMAIN = "domain"
    UNVERIFIED = "unverified"
    NO_EMAIL = "no_email"


@dataclass(frozen=True)
class IdPIdentity:
    email: str
    verified: bool


def sso_for_provider(provider: str) -> OrganizationSSO | None:
    """The enabled configuration behind an allauth provider id (``oidc-<slug>``)."""
    protocol, _, slug = provider.partition("-")
    if protocol not in Protocol.values or not slug:
        return None
    with scopes_disabled():  # tenant resolution: no organisation is known yet
        return (
            OrganizationSSO.objects.select_related("organization")
            .filter(enabled=True, protocol=protocol, organization__slug=slug)
            .first()
        )


def idp_identity(sociallogin: SocialLogin, sso: OrganizationSSO) -> IdPIdentity:
    """The e-mail address the IdP asserts and whether it vouches for it."""
    email = _asserted_email(sociallogin, sso).strip().lower()
    if not email or not sso.allows_email(email):
        return IdPIdentity(email=email, verified=False)
    if sso.protocol == Protocol.SAML or sso.oidc_trust_email:
        return IdPIdentity(email=email, verified=True)
    claims = _oidc_claims(sociallogin)
    return IdPIdentity(email=email, verified=claims.get("email_verified") is True)


def refusal(identity: IdPIdentity, sso: OrganizationSSO) -> str | None:
    if not identity.email:
        return Refusal.NO_EMAIL
    if not sso.allows_email(identity.email):
        return Refusal.DOMAIN
    if not identity.verified:
        return Refusal.UNVERIFIED
    return None


def _oidc_claims(sociallogin: SocialLogin) -> dict:
    data = sociallogin.account.extra_data or {}
    return data.get("userinfo") or data.get("id_token") or data


def _asserted_email(sociallogin: SocialLogin, sso: OrganizationSSO) -> str:
    if sso.protocol == Protocol.OIDC:
        value = _oidc_claims(sociallogin).get(sso.email_attribute or "email")
        return value if isinstance(value, str) else ""
    # SAML: allauth already read the configured attribute (``providers.social_app``).
    return sociallogin.user.email or ""
