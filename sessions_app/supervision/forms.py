"""Forms of the supervision log: an entry, and the dates the totals cover."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reflect.text import validate_single_line
from reflect.widgets import IsoDateInput
from sessions_app.supervision.hours import MAX_MINUTES
from sessions_app.supervision.models import NOTE_LENGTH, SupervisionKind
from sessions_app.supervision.services import EntryData

# A note may hold line breaks and tabs; no other control character has a meaning in it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def validate_note(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError(_("Use plain text: no control characters."), code="control_characters")


class EntryForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=IsoDateInput())
    minutes = forms.IntegerField(
        label=_("Duration in minutes"),
        min_value=1,
        max_value=MAX_MINUTES,
        help_text=_("From 1 to 720 (12 hours)."),
    )
    kind = forms.ChoiceField(label=_("Kind of session"), choices=SupervisionKind.choices, widget=forms.RadioSelect)
    supervisor = forms.ChoiceField(
        label=_("Supervisor in Reflect"),
        required=False,
        help_text=_("They are asked to confirm the entry. They see its date, length and kind, never your note."),
    )
    supervisor_name = forms.CharField(
        label=_("Or an outside supervisor's name"),
        required=False,
        max_length=120,
        validators=[validate_single_line],
    )
    note = forms.CharField(
        label=_("Note (only you can read it)"),
        required=False,
        max_length=NOTE_LENGTH,
        validators=[validate_note],
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_LENGTH}),
    )

    def __init__(self, *args, people, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.public_id: person for person in people}
        self.today = today
        self.fields["supervisor"].choices = [("", "—")] + [(p.public_id, p.user.name) for p in people]

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > self.today:
            raise ValidationError(_("Log a session once it has taken place: choose today or an earlier day."))
        return held_on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("supervisor") and cleaned.get("supervisor_name", "").strip():
            raise ValidationError(
                _("Choose a supervisor from the list or write an outside supervisor's name, not both.")
            )
        return cleaned

    def data_for_service(self) -> EntryData:
        cleaned = self.cleaned_data
        return EntryData(
            held_on=cleaned["held_on"],
            minutes=cleaned["minutes"],
            kind=cleaned["kind"],
            supervisor=self.people.get(cleaned["supervisor"]) if cleaned["supervisor"] else None,
            supervisor_name=cleaned["supervisor_name"].strip(),
            note=cleaned["note"].strip(),
        )


class PeriodForm(forms.Form):
    """A chosen date range; both days included."""

    start = forms.DateField(label=_("From"), widget=IsoDateInput())
    end = forms.DateField(label=_("To"), widget=IsoDateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise ValidationError(_("The start date must be on or before the end date."), code="order")
        return cleaned
