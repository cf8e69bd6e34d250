"""Forms of the cohort pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reflect.text import validate_single_line
from sessions_app.cohorts.models import Cohort, CohortRole
from sessions_app.cohorts.presets import KIND_CHOICES, PRESETS


class CohortCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, validators=[validate_single_line])
    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, help_text=_("Fills in sensible defaults you can change afterwards.")
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class CohortEditForm(forms.ModelForm):
    # Declared, not generated: the generated field would query cohorts at import time,
    # outside any organisation's scope. The real choices are set per form below.
    steering_group = forms.ModelChoiceField(
        queryset=Cohort._base_manager.none(),
        required=False,
        label=_("Steering group"),
        help_text=_(
            "Another cohort whose members oversee this programme: they see its figures, "
            "only where enough people contributed, never names."
        ),
    )

    class Meta:
        model = Cohort
        fields = [
            "name",
            "description",
            "ground_rules",
            "min_members",
            "max_members",
            "max_facilitators",
            "default_duration_minutes",
            "panel_size",
            "panel_prep_days",
            "is_open",
            "accepts_join_requests",
            "steering_group",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "ground_rules": forms.Textarea(attrs={"rows": 5})}
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "ground_rules": _("Ground rules"),
            "min_members": _("Fewest members"),
            "max_members": _("Most members"),
            "max_facilitators": _("Most facilitators"),
            "default_duration_minutes": _("Usual length (minutes)"),
            "panel_size": _("Panel size"),
            "panel_prep_days": _("Days to prepare the panel"),
            "is_open": _("Open to everyone in the organisation"),
            "accepts_join_requests": _("Accepts requests to join"),
        }
        help_texts = {
            "ground_rules": _("Members accept these once before their first meeting, and again if you change them."),
        }

    # What a cohort's facilitators may change; everything else is for organisation admins.
    FACILITATOR_FIELDS = ("is_open", "accepts_join_requests")

    def __init__(self, *args, admin: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.organization_id:
            self.fields["is_open"].help_text = _(
                "Open: everyone in %(organization)s can find its meetings on What's on and come."
            ) % {"organization": self.instance.organization.name}
        self.fields["accepts_join_requests"].help_text = _(
            "For a closed cohort: it is listed on What's on and people can ask to join; you answer each request."
        )
        if not admin:
            for name in [name for name in self.fields if name not in self.FACILITATOR_FIELDS]:
                del self.fields[name]
            return
        if not (self.instance.panel_size or PRESETS[self.instance.kind].panel_size):
            # Kinds without a panel (everything but Schwartz Rounds) don't ask about one.
            del self.fields["panel_size"], self.fields["panel_prep_days"]
        # Only this organisation's other current cohorts: named by the instance's own
        # organisation, so the form can be built before a scope is entered (as for "name").
        others = Cohort._base_manager.filter(organization_id=self.instance.organization_id, archived_at=None)
        self.fields["steering_group"].queryset = others.exclude(pk=self.instance.pk)

    def clean(self):
        data = super().clean()
        low, high = data.get("min_members"), data.get("max_members")
        if low is not None and high is not None and low > high:
            raise ValidationError(_("The minimum group size can't be larger than the maximum."))
        return data


class CohortMemberAddForm(forms.Form):
    membership = forms.ChoiceField(required=False, label=_("Someone in the organisation"))
    email = forms.EmailField(required=False, label=_("…or invite by e-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=CohortRole.choices, initial=CohortRole.MEMBER)

    def __init__(self, *args, candidates=(), invites_new_people=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not invites_new_people:
            self.fields["email"].help_text = _(
                "Someone already in the organisation. To bring in someone new, ask an organisation admin."
            )
        self.fields["membership"].choices = [("", "—")] + [
            (m.public_id, f"{m.user.name} ({m.user.email})") for m in candidates
        ]

    def clean(self):
        data = super().clean()
        if bool(data.get("membership")) == bool(data.get("email")):
            raise ValidationError(_("Choose someone from the list or give an e-mail address (one of the two)."))
        return data


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("A line for the facilitators (optional)"),
        help_text=_("Only this cohort's facilitators read it."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=500,
    )
