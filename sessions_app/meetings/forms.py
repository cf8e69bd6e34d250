"""Forms of the series, meeting and hot-debrief pages."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import time_zone_choices
from reflect.dates import WEEKDAY_NAMES
from reflect.text import validate_single_line
from reflect.widgets import IsoDateInput, IsoTimeInput
from sessions_app.meetings import rrule

# Choices for a weekday field, in ``date.weekday()`` order.
WEEKDAYS = list(enumerate(WEEKDAY_NAMES))

NTH = [(1, _("first")), (2, _("second")), (3, _("third")), (4, _("fourth")), (-1, _("last"))]

FREQUENCIES = [
    ("weekly", _("Every week")),
    ("fortnightly", _("Every two weeks")),
    ("monthly_weekday", _("Monthly, on a weekday (e.g. the first Tuesday)")),
    ("monthly_day", _("Monthly, on the same date")),
    ("daily", _("Every day")),
    ("custom", _("Custom rule (RFC 5545 RRULE)")),
]


def nth_weekday_of_month(day: date) -> int:
    """Which of its weekday in the month ``day`` is: 1-4, or -1 for a fifth (the last)."""
    nth = (day.day - 1) // 7 + 1
    return nth if nth <= 4 else -1


class SeriesForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False, validators=[validate_single_line])
    frequency = forms.ChoiceField(label=_("Frequency"), choices=FREQUENCIES)
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        help_text=_("For weekly, fortnightly and monthly-on-a-weekday."),
    )
    nth = forms.TypedChoiceField(choices=NTH, coerce=int, required=False, label=_("Which one in the month"))
    rrule = forms.CharField(
        required=False,
        max_length=500,
        label=_("Custom rule"),
        help_text=_("For example FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1 or FREQ=WEEKLY;INTERVAL=3;BYDAY=WE"),
    )
    first_date = forms.DateField(label=_("First date"), widget=IsoDateInput())
    start_time = forms.TimeField(label=_("Start time"), widget=IsoTimeInput())
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=480)
    last_date = forms.DateField(required=False, widget=IsoDateInput(), label=_("Last date (optional)"))
    location = forms.CharField(label=_("Location"), max_length=200, required=False, validators=[validate_single_line])
    video_url = forms.URLField(required=False, label=_("Video link"), assume_scheme="https")
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("Leave empty for no limit; people beyond it join a waitlist."),
    )

    def clean_first_date(self):
        first = self.cleaned_data["first_date"]
        if first < date.today() - timedelta(days=1):
            raise ValidationError(_("The first meeting can't be in the past."))
        return first

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["rule"] = self._rule(data)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if data.get("last_date") and data["last_date"] < data["first_date"]:
            raise ValidationError(_("The last date is before the first date."))
        return data

    def _rule(self, data) -> str:
        frequency = data["frequency"]
        if frequency == "custom":
            if not data.get("rrule"):
                raise ValueError(_("Write the custom rule, or choose one of the simple patterns."))
            return rrule.validate_rrule(data["rrule"])
        weekday = data.get("weekday")
        if frequency in {"weekly", "fortnightly", "monthly_weekday"} and weekday is None:
            raise ValueError(_("Choose the weekday."))
        return rrule.build_rrule(
            frequency=frequency,
            weekdays=[weekday] if frequency in {"weekly", "fortnightly", "monthly_weekday"} else None,
            nth=(data.get("nth") or 1) if frequency == "monthly_weekday" else None,
            month_day=self._month_day(data["first_date"]) if frequency == "monthly_day" else None,
        )

    @staticmethod
    def _month_day(first: date) -> int:
        if first.day <= 28:
            return first.day
        if (first + timedelta(days=1)).month != first.month:
            return -1  # the last day of every month
        raise ValueError(_("Monthly on the same date needs a first date from the 1st to the 28th, or the last day."))


class MeetingEditForm(forms.Form):
    local_date = forms.DateField(label=_("Date"), widget=IsoDateInput())
    start_time = forms.TimeField(label=_("Start time"), widget=IsoTimeInput())
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=480)
    location = forms.CharField(label=_("Location"), max_length=200, required=False, validators=[validate_single_line])
    video_url = forms.URLField(required=False, label=_("Video link"), assume_scheme="https")
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=1000, required=False)
    following = forms.TypedChoiceField(
        choices=[("0", _("Only this meeting")), ("1", _("This and all following meetings"))],
        coerce=lambda v: v == "1",
        initial="0",
        widget=forms.RadioSelect,
        label=_("Apply to"),
    )


class MeetingCancelForm(forms.Form):
    following = forms.TypedChoiceField(
        choices=[("0", _("Only this meeting")), ("1", _("This and all following meetings"))],
        coerce=lambda v: v == "1",
        initial="0",
        widget=forms.RadioSelect,
        label=_("Cancel"),
    )


STARTS_IN = [(30, _("in 30 minutes")), (60, _("in 1 hour")), (120, _("in 2 hours")), (240, _("in 4 hours"))]


class HotDebriefForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        required=False,
        validators=[validate_single_line],
        help_text=_("A few neutral words; no patient details."),
    )
    starts_in = forms.TypedChoiceField(choices=STARTS_IN, coerce=int, initial=120, label=_("Starts"))
    people = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label=_("Who to call"))
    location = forms.CharField(label=_("Location"), max_length=200, required=False, validators=[validate_single_line])
    video_url = forms.URLField(required=False, label=_("Video link"), assume_scheme="https")
    trim_pathway = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Start the TRiM pathway"),
        help_text=_(
            "A planning meeting of the TRiM practitioners and you within 24 to 48 hours, and one-to-one "
            "risk assessments offered to each person at about 72 hours and one month, in their working hours."
        ),
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(m.public_id, m.user.name) for m in candidates]


class PanelNotesForm(forms.Form):
    panel_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=4000, label=_("Panel preparation notes")
    )


class TopicForm(forms.Form):
    topic = forms.CharField(
        label=_("Topic"),
        max_length=120,
        required=False,
        validators=[validate_single_line],
        help_text=_("This meeting's own title, e.g. “The patient I can't forget”. One line; no patient details."),
    )


class PanellistAddForm(forms.Form):
    membership = forms.ChoiceField(label=_("Add to the panel"))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [("", "—")] + [
            (m.public_id, f"{m.user.name} ({m.user.email})") for m in candidates
        ]
