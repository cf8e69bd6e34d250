from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_domain_name
from django.utils.translation import gettext_lazy as _
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from accounts.sso.models import OrganizationSSO, Protocol
from accounts.sso.providers import saml_idp_settings

METADATA_TIMEOUT_SECONDS = 10


class OrganizationSSOForm(forms.ModelForm):
    """An organisation's IdP. Invalid input saves nothing; the stored client secret is
    never shown again, and an empty secret field keeps it."""

    oidc_client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the secret already saved."),
    )
    oidc_server_url = forms.URLField(label=_("Issuer URL"), required=False, assume_scheme="https")
    saml_metadata_url = forms.URLField(label=_("Metadata URL"), required=False, assume_scheme="https")
    allowed_domains = forms.CharField(
        label=_("Allowed e-mail domains"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. nhs.net. Only addresses at these domains may sign in through the IdP."),
    )

    class Meta:
        model = OrganizationSSO
        fields = [
            "enabled",
            "protocol",
            "oidc_server_url",
            "oidc_client_id",
            "oidc_client_secret",
            "oidc_trust_email",
            "saml_metadata_url",
            "saml_metadata_xml",
            "email_attribute",
            "allowed_domains",
            "required",
        ]
        # The model's verbose names are in its migrations; the words people read are here.
        labels = {
            "enabled": _("Enabled"),
            "protocol": _("Protocol"),
            "oidc_client_id": _("Client ID"),
            "oidc_trust_email": _("The IdP vouches for addresses at the allowed domains"),
            "saml_metadata_xml": _("Metadata XML"),
            "email_attribute": _("Claim or attribute carrying the e-mail address"),
            "required": _("Members must sign in through single sign-on"),
        }

    def __init__(self, *args, signed_in_through_sso: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.signed_in_through_sso = signed_in_through_sso
        self.stored_secret = self.instance.oidc_client_secret if self.instance.pk else ""

    def clean_allowed_domains(self) -> str:
        domains = []
        for line in self.cleaned_data["allowed_domains"].replace(",", "\n").splitlines():
            domain = line.strip().lower().lstrip("@")
            if not domain:
                continue
            try:
                validate_domain_name(domain)
            except ValidationError:
                raise ValidationError(
                    _("“%(domain)s” is not a domain name (write e.g. example.nhs.uk).") % {"domain": domain}
                ) from None
            domains.append(domain)
        if not domains:
            raise ValidationError(_("Name at least one e-mail domain."))
        return "\n".join(dict.fromkeys(domains))

    def clean_oidc_server_url(self) -> str:
        return _https_in_production(self.cleaned_data["oidc_server_url"])

    def clean_saml_metadata_url(self) -> str:
        return _https_in_production(self.cleaned_data["saml_metadata_url"])

    def clean_oidc_client_secret(self) -> str:
        return self.cleaned_data["oidc_client_secret"] or self.stored_secret

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("protocol") == Protocol.OIDC:
            self._clean_oidc(cleaned)
        elif cleaned.get("protocol") == Protocol.SAML:
            self._clean_saml(cleaned)
        if cleaned.get("required") and not cleaned.get("enabled"):
            self.add_error("required", _("Single sign-on must be switched on before it can be required."))
        elif cleaned.get("required") and not self.signed_in_through_sso and not self.instance.required:
            # Requiring an IdP nobody has signed in through could lock the whole
            # organisation out; the admin proves it works first.
            self.add_error(
                "required",
                _(
                    "Sign in through your organisation's single sign-on once before requiring it, "
                    "so that a wrong setting cannot lock everyone out."
                ),
            )
        return cleaned

    def _clean_oidc(self, cleaned) -> None:
        for field, message in [
            ("oidc_server_url", _("Give the IdP's issuer URL (its /.well-known/openid-configuration lives there).")),
            ("oidc_client_id", _("Give the client ID the IdP issued for Reflect.")),
            ("oidc_client_secret", _("Give the client secret the IdP issued for Reflect.")),
        ]:
            if not cleaned.get(field) and field not in self.errors:
                self.add_error(field, message)

    def _clean_saml(self, cleaned) -> None:
        url, xml = cleaned.get("saml_metadata_url"), cleaned.get("saml_metadata_xml", "").strip()
        if bool(url) == bool(xml):
            self.add_error(
                "saml_metadata_url", _("Give either the IdP's metadata URL or its metadata XML (one of them).")
            )
            return
        try:
            if url:
                OneLogin_Saml2_IdPMetadataParser.parse_remote(url, timeout=METADATA_TIMEOUT_SECONDS)
            else:
                saml_idp_settings(metadata_xml=xml)
        except Exception:  # any failure (network, XML, missing keys) means the same to the admin
            field = "saml_metadata_url" if url else "saml_metadata_xml"
            self.add_error(field, _("This is not readable IdP metadata with a sign-on URL and a signing certificate."))


def _https_in_production(url: str) -> str:
    # The server fetches these addresses (discovery, keys, metadata): in production only
    # over TLS, so nobody on the path can swap the IdP's keys.
    if url and settings.PRODUCTION and not url.startswith("https://"):
        raise ValidationError(_("Use the IdP's https:// address."))
    return url
