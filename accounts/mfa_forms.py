"""allauth's two-factor forms where Reflect words them itself (``MFA_FORMS``)."""

from allauth.mfa.webauthn.forms import AddWebAuthnForm as AllauthAddWebAuthnForm
from django.utils.translation import gettext_lazy as _


class AddWebAuthnForm(AllauthAddWebAuthnForm):
    """allauth's form for a new security key or passkey, with its name field labelled:
    allauth leaves the label to the field's name, which no translation reaches."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name")
