from django import forms
from django.utils.translation import gettext_lazy as _

from reflect.text import validate_single_line
from sessions_app.video.models import ProviderKind


class ProviderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Provider"), choices=ProviderKind.choices)
    directory = forms.CharField(
        label=_("Tenant or account ID"),
        max_length=100,
        validators=[validate_single_line],
        help_text=_("Microsoft Teams: the directory (tenant) ID. Zoom: the account ID of the Server-to-Server app."),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=100, validators=[validate_single_line])
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        validators=[validate_single_line],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    organizer = forms.CharField(
        label=_("Organiser"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_(
            "The account whose meetings Reflect creates: a Microsoft user ID or e-mail, or a Zoom user's e-mail."
        ),
    )

    def __init__(self, *args, secret_saved: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.secret_saved = secret_saved
        if secret_saved:
            self.fields["client_secret"].help_text = _("A secret is saved. Leave this empty to keep it.")

    def clean_client_secret(self) -> str:
        secret = self.cleaned_data["client_secret"]
        if not secret and not self.secret_saved:
            raise forms.ValidationError(_("Enter the client secret."))
        return secret
