"""The author's "Ask for feedback" form, and the reader's feedback and sign-off forms."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from reflect.text import validate_single_line
from reflect.widgets import IsoDateInput
from sessions_app.feedback.models import FEEDBACK_MAX, NOTE_MAX, FeedbackRole, NumberKind


class AskForm(forms.Form):
    email = forms.EmailField(
        label=_("Their e-mail address"),
        help_text=_("The address they use for Reflect in this organisation. Only they will read it."),
    )
    role = forms.ChoiceField(label=_("They are your"), choices=FeedbackRole.choices)
    number_kind = forms.ChoiceField(
        label=_("Professional number on their sign-off"),
        choices=NumberKind.choices,
        required=False,
        help_text=_("An NMC discussion partner always gives their NMC PIN."),
    )
    note = forms.CharField(
        label=_("A short note to them (optional)"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    include_session = forms.BooleanField(label=_("Show them the session this reflection followed"), required=False)

    def __init__(self, *args, has_session: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_session:
            del self.fields["include_session"]


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Your feedback"),
        max_length=FEEDBACK_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Only the author reads it. You can change it until they withdraw the share."),
    )


class SignOffForm(forms.Form):
    discussed_on = forms.DateField(label=_("The reflective discussion took place on"), widget=IsoDateInput())
    name = forms.CharField(label=_("Your name"), max_length=150, validators=[validate_single_line])
    number = forms.CharField(label=_("Your professional number"), max_length=20)

    def __init__(self, *args, number_kind: str, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if number_kind == NumberKind.NONE:
            del self.fields["number"]
        else:
            self.fields["number"].label = NumberKind(number_kind).label

    def clean_discussed_on(self) -> date:
        day = self.cleaned_data["discussed_on"]
        if day > self.today:
            raise forms.ValidationError(_("The discussion has to have taken place: choose today or an earlier day."))
        return day
