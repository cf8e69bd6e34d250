from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Role
from sessions_app.members.selectors import cohorts_to_filter_by


class MemberFilterForm(forms.Form):
    """The members page's search and filters, read from the query string."""

    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False)
    cohort = forms.ModelChoiceField(
        label=_("Cohort"), queryset=None, required=False, to_field_name="public_id", empty_label=_("All cohorts")
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this organisation's cohorts: another one's id is "not one of the choices".
        self.fields["cohort"].queryset = cohorts_to_filter_by(organization)
