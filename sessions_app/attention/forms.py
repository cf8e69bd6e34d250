"""The forms of a person's attention settings and the organisation's policy."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reflect.dates import WEEKDAY_NAMES
from reflect.widgets import IsoDateInput, IsoTimeInput
from sessions_app.attention import channels, policy
from sessions_app.attention.models import AttentionPolicy
from sessions_app.meetings.forms import WEEKDAYS

# Field-name stems of the seven days' quiet hours, Monday first.
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

LEAD_CHOICES = [
    (7 * 24 * 60, _("a week before")),
    (2 * 24 * 60, _("two days before")),
    (24 * 60, _("the day before")),
    (3 * 60, _("three hours before")),
    (60, _("an hour before")),
    (15, _("15 minutes before")),
]


class AttentionSettingsForm(forms.Form):
    quiet_hours_enabled = forms.BooleanField(required=False, label=_("Keep quiet hours"))
    days_off = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Days off (nothing at all)"),
    )
    daily_cap = forms.IntegerField(min_value=0, max_value=20, label=_("At most this many messages a day"))
    weekly_cap = forms.IntegerField(min_value=0, max_value=60, label=_("At most this many a week"))
    min_gap_minutes = forms.IntegerField(
        min_value=0, max_value=24 * 60, label=_("At least this many minutes between them")
    )
    digest_time = forms.TimeField(widget=IsoTimeInput(), label=_("Daily digest at"))
    reminder_leads = forms.TypedMultipleChoiceField(
        choices=LEAD_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label=_("Remind me")
    )
    leave_starts = forms.DateField(required=False, widget=IsoDateInput(), label=_("On leave from"))
    leave_ends = forms.DateField(
        required=False,
        widget=IsoDateInput(),
        label=_("On leave until (the last day)"),
        help_text=_("Reflect sends you nothing on these days, and starts again by itself afterwards."),
    )
    monthly_meeting_minutes = forms.IntegerField(
        min_value=0, max_value=100 * 60, label=_("Minutes of debriefs a month before Reflect offers to skip some")
    )

    def __init__(self, *args, time_zone: str = "UTC", today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.today = today or date.today()
        channels.add_fields(self)
        # Two time inputs a day; both empty means no quiet hours that day.
        for key, name in zip(DAY_KEYS, WEEKDAY_NAMES, strict=True):
            self.fields[f"quiet_{key}_start"] = forms.TimeField(
                required=False, widget=IsoTimeInput(), label=_("%(day)s: quiet from") % {"day": name}
            )
            self.fields[f"quiet_{key}_end"] = forms.TimeField(
                required=False, widget=IsoTimeInput(), label=_("%(day)s: quiet until") % {"day": name}
            )

    def day_fields(self):
        """(day name, start field, end field) for each weekday, for the template's rows."""
        return [
            (name, self[f"quiet_{key}_start"], self[f"quiet_{key}_end"])
            for key, name in zip(DAY_KEYS, WEEKDAY_NAMES, strict=True)
        ]

    def other_fields(self):
        return [field for field in self if not field.name.startswith("quiet_") or field.name == "quiet_hours_enabled"]

    def clean(self):
        data = super().clean()
        data["weekly_quiet"] = self._weekly_quiet(data)
        # The switch exists only on this form: the policy sees quiet hours or none.
        if data.get("quiet_hours_enabled") and not any(data["weekly_quiet"]) and not self.errors:
            raise ValidationError(_("Give quiet hours for at least one day, or switch them off."))
        if len(data.get("days_off") or ()) == 7:
            # Said in the form's words; the policy refuses it too (below), in its own.
            raise ValidationError(_("Every day off means no messages at all: give the dates of your leave instead."))
        for field, message in leave_errors(data.get("leave_starts"), data.get("leave_ends"), today=self.today):
            self.add_error(field, message)
        if not self.errors:
            self._check_with_policy(data)
        data["channels"] = channels.cleaned(data)
        return data

    def _weekly_quiet(self, data) -> tuple:
        """Seven windows or ``None``, Monday first; a half-given or empty day is an error on
        that day's field."""
        weekly = []
        for key, name in zip(DAY_KEYS, WEEKDAY_NAMES, strict=True):
            start, end = data.get(f"quiet_{key}_start"), data.get(f"quiet_{key}_end")
            if f"quiet_{key}_start" in self.errors or f"quiet_{key}_end" in self.errors:
                weekly.append(None)  # a malformed time: its own error says so
            elif (start is None) != (end is None):
                missing = f"quiet_{key}_end" if end is None else f"quiet_{key}_start"
                self.add_error(
                    missing, _("Give both times for %(day)s, or neither for no quiet hours that day.") % {"day": name}
                )
                weekly.append(None)
            elif start is not None and start == end:
                self.add_error(
                    f"quiet_{key}_end", _("On %(day)s, quiet hours need different start and end times.") % {"day": name}
                )
                weekly.append(None)
            else:
                weekly.append(None if start is None else (start, end))
        return tuple(weekly)

    def _check_with_policy(self, data) -> None:
        """What the attention policy itself refuses (``policy.Limits``), as a form error."""
        quiet = data.get("quiet_hours_enabled")
        try:
            policy.Limits(
                time_zone=self.time_zone,
                quiet_start=None,
                quiet_end=None,
                weekly_quiet=data["weekly_quiet"] if quiet else None,
                days_off=frozenset(data.get("days_off") or ()),
                daily_cap=data["daily_cap"],
                weekly_cap=data["weekly_cap"],
                min_gap=timedelta(minutes=data["min_gap_minutes"]),
                digest_time=data["digest_time"],
                leave_starts=data.get("leave_starts"),
                leave_ends=data.get("leave_ends"),
            )
        except ValueError as error:
            raise ValidationError(_("These settings cannot work together: %(error)s.") % {"error": error}) from None


class QuietDatesForm(forms.Form):
    """Quiet hours for a run of dates, e.g. a week of nights."""

    first_day = forms.DateField(widget=IsoDateInput(), label=_("First day"))
    last_day = forms.DateField(widget=IsoDateInput(), label=_("Last day"))
    quiet_start = forms.TimeField(widget=IsoTimeInput(), label=_("Quiet from"))
    quiet_end = forms.TimeField(widget=IsoTimeInput(), label=_("Quiet until"))

    prefix = "dates"

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day can't be before the first."))
        elif first and last and (last - first).days >= policy.MAX_QUIET_DATES_DAYS:
            self.add_error("last_day", _("A date range can be at most a year long."))
        if data.get("quiet_start") is not None and data.get("quiet_start") == data.get("quiet_end"):
            self.add_error("quiet_end", _("Quiet hours need different start and end times."))
        return data


LEAVE_AT_MOST = timedelta(days=366)


def leave_errors(starts: date | None, ends: date | None, *, today: date) -> list[tuple[str, str]]:
    """What is wrong with a leave from ``starts`` to ``ends`` (both local days), as (field,
    message) pairs; none when both are empty (no leave) or the range can work. Shared by the
    settings form and the one-tap "I'm on leave until …" page."""
    if starts is None and ends is None:
        return []
    if ends is None:
        return [("leave_ends", _("Give the last day of your leave too."))]
    if starts is None:
        return [("leave_starts", _("Give the first day of your leave too."))]
    if ends < today:
        return [("leave_ends", _("That day has passed: give a last day from today on, or clear both dates."))]
    if ends < starts:
        return [("leave_ends", _("Your leave can't end before it starts."))]
    if ends > today + LEAVE_AT_MOST:
        return [("leave_ends", _("Leave can be set at most a year ahead; you can always extend it later."))]
    return []


class AttentionPolicyForm(forms.ModelForm):
    """The organisation's defaults and ceilings. The limits are the model's validators."""

    class Meta:
        model = AttentionPolicy
        fields = [
            "default_daily_cap",
            "default_weekly_cap",
            "default_min_gap_minutes",
            "default_quiet_start",
            "default_quiet_end",
            "default_digest_time",
            "max_daily_cap",
            "max_weekly_cap",
            "min_min_gap_minutes",
            "quiet_hours_required",
            "urgent_may_break_quiet",
            "monthly_meeting_minutes",
        ]
        labels = {
            "default_daily_cap": _("Default: messages a day"),
            "default_weekly_cap": _("Default: messages a week"),
            "default_min_gap_minutes": _("Default: minutes between messages"),
            "default_quiet_start": _("Default: quiet from"),
            "default_quiet_end": _("Default: quiet until"),
            "default_digest_time": _("Default: daily digest at"),
            "max_daily_cap": _("Ceiling: messages a day"),
            "max_weekly_cap": _("Ceiling: messages a week"),
            "min_min_gap_minutes": _("Shortest gap anyone may choose"),
            "quiet_hours_required": _("Everyone keeps quiet hours (people may move theirs, not switch them off)"),
            "urgent_may_break_quiet": _(
                "Urgent items (hot-debrief calls, same-day cancellations) may reach people in quiet hours"
            ),
            "monthly_meeting_minutes": _("Meeting-load budget (minutes a month)"),
        }
        # The labels above say it; the model's help texts would repeat them.
        help_texts = {"quiet_hours_required": "", "urgent_may_break_quiet": "", "monthly_meeting_minutes": ""}
        widgets = {
            "default_quiet_start": IsoTimeInput(),
            "default_quiet_end": IsoTimeInput(),
            "default_digest_time": IsoTimeInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The organisation's default quiet hours are always set; a person may switch theirs off.
        for name in ("default_quiet_start", "default_quiet_end"):
            self.fields[name].required = True
