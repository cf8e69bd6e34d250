"""The date range a record covers, as the person picks it on the records page."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reflect.widgets import IsoDateInput

DEFAULT_YEARS = 1
MAX_YEARS = 5


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def utc_bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """The moments from the start of ``first`` to the end of ``last`` (inclusive) in the
    person's own zone, so a session at 23:30 local time falls on the day they lived it."""
    tz = ZoneInfo(zone)
    return datetime.combine(first, time(), tz), datetime.combine(last + timedelta(days=1), time(), tz)


class RecordRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=IsoDateInput())
    end = forms.DateField(label=_("To"), widget=IsoDateInput())

    def __init__(self, data=None, *, today: date, **kwargs):
        # Without any of its fields in the query, the form stands for its defaults: the
        # last twelve months up to today, in the person's zone.
        prefix = kwargs.get("prefix")
        start, end = (f"{prefix}-{name}" if prefix else name for name in ("start", "end"))
        if data is not None and start not in data and end not in data:
            data = {start: years_before(today, DEFAULT_YEARS).isoformat(), end: today.isoformat()}
        super().__init__(data, **kwargs)
        self.fields["start"].initial = years_before(today, DEFAULT_YEARS)
        self.fields["end"].initial = today

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise ValidationError(_("The start date must be on or before the end date."), code="order")
            if start < years_before(end, MAX_YEARS):
                raise ValidationError(
                    _("A record covers at most five years: choose a later start date."), code="too_long"
                )
        return cleaned
