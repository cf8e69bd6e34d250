from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.attendance import codes
from sessions_app.attendance.services import GUEST_NAME_MAX


class DoorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Sign-in code"),
        help_text=_("The eight letters and numbers on the screen at the door, for example ABCD-EF23."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "class": "code-input"}
        ),
    )

    def clean_code(self) -> str:
        code = codes.normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("A sign-in code is eight letters and numbers, like ABCD-EF23. Check it against the screen.")
            )
        return code


class WalkInEmailForm(forms.Form):
    email = forms.EmailField(label=_("Their work e-mail address"), max_length=254)


class WalkInNameForm(forms.Form):
    name = forms.CharField(
        label=_("Their name"),
        help_text=_("For someone without an account here, such as a visitor. Kept only on this register."),
        max_length=GUEST_NAME_MAX,
    )
