from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, TenantModel
from reflect.fields import EncryptedTextField


class Protocol(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect (Entra ID, Google Workspace, Okta…)")
    SAML = "saml", _("SAML 2.0")


class OrganizationSSO(TenantModel):
    """One organisation's identity provider. allauth's app is built from this row on
    each request (``accounts.sso.providers``); nothing is copied into ``SocialApp``."""

    # One per organisation; the reverse accessor lets the tenant middleware load it in
    # the membership query it already runs (``access_organization_membership``), so
    # "SSO required" costs no query on organisation pages.
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="sso")
    enabled = models.BooleanField(default=False)
    protocol = models.CharField(max_length=10, choices=Protocol.choices, default=Protocol.OIDC)
    # OpenID Connect
    oidc_server_url = models.URLField("issuer URL", blank=True)
    oidc_client_id = models.CharField("client ID", max_length=255, blank=True)
    oidc_client_secret = EncryptedTextField("client secret", blank=True)
    # The IdP is the authority for addresses at the allowed domains even when it sends
    # no ``email_verified`` claim (Entra ID does not): see docs in the README.
    oidc_trust_email = models.BooleanField("the IdP vouches for addresses at the allowed domains", default=False)
    # SAML: either the metadata's address, or the metadata itself.
    saml_metadata_url = models.URLField("metadata URL", blank=True)
    saml_metadata_xml = models.TextField("metadata XML", blank=True)
    email_attribute = models.CharField(
        "claim or attribute carrying the e-mail address", max_length=255, blank=True, default=""
    )
    # Lower-case domains, one per line.
    allowed_domains = models.TextField(blank=True)
    required = models.BooleanField("members must sign in through single sign-on", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "organisation single sign-on"

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} for {self.organization}"

    @property
    def domains(self) -> list[str]:
        return [line.strip().lower() for line in self.allowed_domains.splitlines() if line.strip()]

    def allows_email(self, email: str) -> bool:
        domain = email.rpartition("@")[2].lower()
        return bool(email) and domain in self.domains
