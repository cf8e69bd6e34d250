from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.trim.models import Referral
from sessions_app.trim.services import SCORE_MAX


class PractitionerGrantForm(forms.Form):
    member = forms.ChoiceField(label=_("Member"))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.public_id, f"{m.user.name} ({m.user.email})") for m in candidates]


class AssessmentForm(forms.Form):
    held_on = forms.DateField(label=_("Date held"), widget=forms.DateInput(attrs={"type": "date"}))
    score = forms.IntegerField(
        label=_("Total score"),
        min_value=0,
        max_value=SCORE_MAX,
        help_text=_("0 to 20 over the ten items; 6 or more suggests a follow-up."),
    )
    referral = forms.ChoiceField(label=_("Referral decision"), choices=Referral.choices, widget=forms.RadioSelect)


class OfferAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
