from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.forms import time_zone_choices
from accounts.models import (
    INVITATION_VALID_DAYS_MAX,
    MIN_GROUP_SIZE_FLOOR,
    RETENTION_MONTHS_MIN,
    RETENTION_MONTHS_MIN_MESSAGE,
    TwoFactorRequirement,
)

ADMINS_ONLY, ADMINS_AND_FACILITATORS = "admins", "admins_and_facilitators"


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=time_zone_choices, help_text=_("Used where a person has not chosen their own.")
    )
    default_language = forms.ChoiceField(label=_("Default language"), choices=lambda: settings.LANGUAGES)
    min_group_size = forms.IntegerField(
        label=_("Smallest group shown (k)"),
        min_value=MIN_GROUP_SIZE_FLOOR,
        max_value=1000,
        error_messages={
            "min_value": format_lazy(
                _("k cannot be below {floor}: a smaller group could show who said what."), floor=MIN_GROUP_SIZE_FLOOR
            )
        },
        help_text=_("Figures are shown only where at least this many people contribute."),
    )
    reflection_retention_months = forms.IntegerField(
        label=_("Keep reflections for (months)"),
        required=False,
        min_value=RETENTION_MONTHS_MIN,
        max_value=1200,
        error_messages={"min_value": RETENTION_MONTHS_MIN_MESSAGE},
        help_text=format_lazy(
            _(
                "At least {minimum}. Older reflections are deleted unless their author keeps them; "
                "each author is told 30 days before, and nothing goes until 30 days after that notice. "
                "Empty: keep them all."
            ),
            minimum=RETENTION_MONTHS_MIN,
        ),
    )
    invitation_valid_days = forms.IntegerField(
        label=_("Invitations are valid for (days)"),
        min_value=1,
        max_value=INVITATION_VALID_DAYS_MAX,
        error_messages={
            "min_value": _("An invitation must be valid for at least one day."),
            "max_value": format_lazy(
                _("An invitation may be valid for at most {days} days."), days=INVITATION_VALID_DAYS_MAX
            ),
        },
    )
    who_may_invite = forms.ChoiceField(
        label=_("Who may invite new people"),
        choices=[
            (ADMINS_ONLY, _("Admins only")),
            (ADMINS_AND_FACILITATORS, _("Admins, and facilitators (who invite as members)")),
        ],
    )
    two_factor_required = forms.ChoiceField(
        label=_("Two-factor authentication is required for"), choices=TwoFactorRequirement.choices
    )

    @classmethod
    def for_organization(cls, organization, data=None):
        initial = {field: getattr(organization, field) for field in cls.base_fields if hasattr(organization, field)}
        initial["who_may_invite"] = ADMINS_AND_FACILITATORS if organization.facilitators_may_invite else ADMINS_ONLY
        return cls(data, initial=initial)

    def settings_values(self) -> dict:
        """The cleaned values as the organisation's fields."""
        values = dict(self.cleaned_data)
        values["facilitators_may_invite"] = values.pop("who_may_invite") == ADMINS_AND_FACILITATORS
        values["name"] = values["name"].strip()
        return values
