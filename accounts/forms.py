from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.bulk_invitations import MAX_ADDRESSES, MAX_CHARACTERS
from accounts.models import Organization, Role, User
from reflect.dates import known_zone_names


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class InvitationSettingsForm(forms.Form):
    facilitators_may_invite = forms.BooleanField(
        required=False,
        label=_("Facilitators may invite new people"),
        help_text=_(
            "Cohort facilitators may then invite people who are not yet in the organisation "
            "(as members) from “add someone” and CSV import. Off: only admins let people in."
        ),
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(known_zone_names())]


def language_choices() -> list[tuple[str, str]]:
    return [("", _("Your organisation's default")), *settings.LANGUAGES]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=time_zone_choices, help_text=_("Reminders and meeting times use this.")
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        required=False,
        help_text=_("Pages, e-mails and calendar invitations use this."),
    )

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "language"]
        labels = {"display_name": _("Name shown to your colleagues")}


class OrganizationSecurityForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["two_factor_required"]
        help_texts = {
            "two_factor_required": _(
                "People it covers are led to set up an authenticator app before they can reach anything else."
            )
        }
        labels = {"two_factor_required": _("Two-factor authentication is required for")}


class BulkInvitationForm(forms.Form):
    addresses = forms.CharField(
        label=_("E-mail addresses, one a line"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "autocomplete": "off"}),
        max_length=MAX_CHARACTERS,
        strip=False,  # line numbers must match what was pasted
        error_messages={
            "max_length": format_lazy(
                _("The list is too long. Invite at most {count} people at a time."), count=MAX_ADDRESSES
            ),
            "required": _("Paste at least one e-mail address, one a line."),
        },
        help_text=format_lazy(
            _(
                "Up to {count} addresses. Blank lines and spaces around an address are ignored; "
                "line numbers in messages count the blank lines too."
            ),
            count=MAX_ADDRESSES,
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices, initial=Role.MEMBER, help_text=_("Everyone on the list gets this role.")
    )
