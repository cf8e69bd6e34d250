from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.audit.models import AuditAction
from accounts.audit.selectors import AuditFilter


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who (part of the e-mail address)"), required=False, max_length=254)
    action = forms.ChoiceField(label=_("What"), required=False, choices=[("", _("Anything")), *AuditAction.choices])
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise ValidationError(_("“From” must be on or before “To”."))
        return cleaned

    def wanted(self) -> AuditFilter:
        """What to show: the valid filters, or everything when the form is not valid."""
        if not self.is_valid():
            return AuditFilter()
        return AuditFilter(**{key: value for key, value in self.cleaned_data.items() if value})
