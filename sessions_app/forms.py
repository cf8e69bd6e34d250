from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError

from accounts.forms import time_zone_choices
from reflect.dates import WEEKDAY_NAMES
from reflect.text import validate_single_line
from sessions_app import recurrence
from sessions_app.models import Cohort, CohortRole, Visibility
from sessions_app.presets import KIND_CHOICES, PRESETS

WEEKDAYS = list(enumerate(WEEKDAY_NAMES))
NTH = [(1, "first"), (2, "second"), (3, "third"), (4, "fourth"), (-1, "last")]
FREQUENCIES = [
    ("weekly", "Every week"),
    ("fortnightly", "Every two weeks"),
    ("monthly_weekday", "Monthly, on a weekday (e.g. the first Tuesday)"),
    ("monthly_day", "Monthly, on the same date"),
    ("daily", "Every day"),
    ("custom", "Custom rule (RFC 5545 RRULE)"),
]


class IsoDateInput(forms.DateInput):
    """``<input type=date>`` reads and shows only ISO dates (2027-03-15): the en-GB input
    format (15/03/2027) would leave the field empty and block Save."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class IsoTimeInput(forms.TimeInput):
    """``<input type=time>`` wants ``HH:MM``; seconds would add a field nobody needs."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def nth_weekday_of_month(day: date) -> int:
    """Which of its weekday in the month ``day`` is: 1-4, or -1 for a fifth (the last)."""
    nth = (day.day - 1) // 7 + 1
    return nth if nth <= 4 else -1


class CohortCreateForm(forms.Form):
    name = forms.CharField(max_length=120, validators=[validate_single_line])
    kind = forms.ChoiceField(choices=KIND_CHOICES, help_text="Fills in sensible defaults you can change afterwards.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class CohortEditForm(forms.ModelForm):
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
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "ground_rules": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "ground_rules": "Members accept these once before their first meeting, and again if you change them."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not (self.instance.panel_size or PRESETS[self.instance.kind].panel_size):
            # Kinds without a panel (everything but Schwartz Rounds) don't ask about one.
            del self.fields["panel_size"], self.fields["panel_prep_days"]

    def clean(self):
        data = super().clean()
        low, high = data.get("min_members"), data.get("max_members")
        if low is not None and high is not None and low > high:
            raise ValidationError("The minimum group size can't be larger than the maximum.")
        return data


class CohortMemberAddForm(forms.Form):
    membership = forms.ChoiceField(required=False, label="Someone in the organisation")
    email = forms.EmailField(required=False, label="…or invite by e-mail")
    role = forms.ChoiceField(choices=CohortRole.choices, initial=CohortRole.MEMBER)

    def __init__(self, *args, candidates=(), invites_new_people=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not invites_new_people:
            self.fields[
                "email"
            ].help_text = "Someone already in the organisation. To bring in someone new, ask an organisation admin."
        self.fields["membership"].choices = [("", "—")] + [
            (m.public_id, f"{m.user.name} ({m.user.email})") for m in candidates
        ]

    def clean(self):
        data = super().clean()
        if bool(data.get("membership")) == bool(data.get("email")):
            raise ValidationError("Choose someone from the list or give an e-mail address (one of the two).")
        return data


class SeriesForm(forms.Form):
    title = forms.CharField(max_length=120, required=False, validators=[validate_single_line])
    frequency = forms.ChoiceField(choices=FREQUENCIES)
    weekday = forms.TypedChoiceField(
        choices=WEEKDAYS, coerce=int, required=False, help_text="For weekly, fortnightly and monthly-on-a-weekday."
    )
    nth = forms.TypedChoiceField(choices=NTH, coerce=int, required=False, label="Which one in the month")
    rrule = forms.CharField(
        required=False,
        max_length=500,
        label="Custom rule",
        help_text="For example FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1 or FREQ=WEEKLY;INTERVAL=3;BYDAY=WE",
    )
    first_date = forms.DateField(widget=IsoDateInput())
    start_time = forms.TimeField(widget=IsoTimeInput())
    time_zone = forms.ChoiceField(choices=time_zone_choices)
    duration_minutes = forms.IntegerField(min_value=5, max_value=480)
    last_date = forms.DateField(required=False, widget=IsoDateInput(), label="Last date (optional)")
    location = forms.CharField(max_length=200, required=False, validators=[validate_single_line])
    video_url = forms.URLField(required=False, label="Video link", assume_scheme="https")
    capacity = forms.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        help_text="Leave empty for no limit; people beyond it join a waitlist.",
    )

    def clean_first_date(self):
        first = self.cleaned_data["first_date"]
        if first < date.today() - timedelta(days=1):
            raise ValidationError("The first meeting can't be in the past.")
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
            raise ValidationError("The last date is before the first date.")
        return data

    def _rule(self, data) -> str:
        frequency = data["frequency"]
        if frequency == "custom":
            if not data.get("rrule"):
                raise ValueError("Write the custom rule, or choose one of the simple patterns.")
            return recurrence.validate_rrule(data["rrule"])
        weekday = data.get("weekday")
        if frequency in {"weekly", "fortnightly", "monthly_weekday"} and weekday is None:
            raise ValueError("Choose the weekday.")
        return recurrence.build_rrule(
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
        raise ValueError("Monthly on the same date needs a first date from the 1st to the 28th, or the last day.")


class MeetingEditForm(forms.Form):
    local_date = forms.DateField(label="Date", widget=IsoDateInput())
    start_time = forms.TimeField(widget=IsoTimeInput())
    duration_minutes = forms.IntegerField(min_value=5, max_value=480)
    location = forms.CharField(max_length=200, required=False, validators=[validate_single_line])
    video_url = forms.URLField(required=False, label="Video link", assume_scheme="https")
    capacity = forms.IntegerField(min_value=1, max_value=1000, required=False)
    following = forms.TypedChoiceField(
        choices=[("0", "Only this meeting"), ("1", "This and all following meetings")],
        coerce=lambda v: v == "1",
        initial="0",
        widget=forms.RadioSelect,
        label="Apply to",
    )


class MeetingCancelForm(forms.Form):
    following = forms.TypedChoiceField(
        choices=[("0", "Only this meeting"), ("1", "This and all following meetings")],
        coerce=lambda v: v == "1",
        initial="0",
        widget=forms.RadioSelect,
        label="Cancel",
    )


STARTS_IN = [(30, "in 30 minutes"), (60, "in 1 hour"), (120, "in 2 hours"), (240, "in 4 hours")]


class HotDebriefForm(forms.Form):
    title = forms.CharField(
        max_length=120,
        required=False,
        validators=[validate_single_line],
        help_text="A few neutral words; no patient details.",
    )
    starts_in = forms.TypedChoiceField(choices=STARTS_IN, coerce=int, initial=120, label="Starts")
    people = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Who to call")
    location = forms.CharField(max_length=200, required=False, validators=[validate_single_line])
    video_url = forms.URLField(required=False, label="Video link", assume_scheme="https")
    follow_ups = forms.BooleanField(
        required=False, initial=True, label="Also schedule follow-ups after 72 hours and one month (TRiM)"
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(m.public_id, m.user.name) for m in candidates]


class PanelNotesForm(forms.Form):
    panel_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=4000, label="Panel preparation notes"
    )


LEAD_CHOICES = [
    (7 * 24 * 60, "a week before"),
    (2 * 24 * 60, "two days before"),
    (24 * 60, "the day before"),
    (3 * 60, "three hours before"),
    (60, "an hour before"),
    (15, "15 minutes before"),
]


class AttentionBudgetForm(forms.Form):
    quiet_hours_enabled = forms.BooleanField(required=False, label="Keep quiet hours")
    quiet_start = forms.TimeField(required=False, widget=IsoTimeInput(), label="Quiet from")
    quiet_end = forms.TimeField(required=False, widget=IsoTimeInput(), label="Quiet until")
    days_off = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Days off (nothing at all)",
    )
    daily_cap = forms.IntegerField(min_value=0, max_value=20, label="At most this many messages a day")
    weekly_cap = forms.IntegerField(min_value=0, max_value=60, label="At most this many a week")
    min_gap_minutes = forms.IntegerField(
        min_value=0, max_value=24 * 60, label="At least this many minutes between them"
    )
    digest_time = forms.TimeField(widget=IsoTimeInput(), label="Daily digest at")
    reminder_leads = forms.TypedMultipleChoiceField(
        choices=LEAD_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Remind me"
    )
    on_leave = forms.BooleanField(required=False, label="I'm on leave: send me nothing")
    monthly_meeting_minutes = forms.IntegerField(
        min_value=0, max_value=100 * 60, label="Minutes of debriefs a month before Reflect offers to skip some"
    )

    def clean(self):
        data = super().clean()
        if data.get("quiet_hours_enabled") and (data.get("quiet_start") is None or data.get("quiet_end") is None):
            raise ValidationError("Give both ends of your quiet hours, or switch them off.")
        if data.get("quiet_start") is not None and data.get("quiet_start") == data.get("quiet_end"):
            raise ValidationError("Quiet hours need different start and end times.")
        if len(data.get("days_off") or ()) == 7:
            raise ValidationError("Every day off means no messages at all: tick “I'm on leave” instead.")
        return data


class AttentionPolicyForm(forms.Form):
    default_daily_cap = forms.IntegerField(min_value=0, max_value=20)
    default_weekly_cap = forms.IntegerField(min_value=0, max_value=60)
    default_min_gap_minutes = forms.IntegerField(min_value=0, max_value=24 * 60)
    default_quiet_start = forms.TimeField(widget=IsoTimeInput())
    default_quiet_end = forms.TimeField(widget=IsoTimeInput())
    default_digest_time = forms.TimeField(widget=IsoTimeInput())
    max_daily_cap = forms.IntegerField(min_value=0, max_value=20, label="Ceiling: messages a day")
    max_weekly_cap = forms.IntegerField(min_value=0, max_value=60, label="Ceiling: messages a week")
    min_min_gap_minutes = forms.IntegerField(min_value=0, max_value=24 * 60, label="Shortest gap anyone may choose")
    quiet_hours_required = forms.BooleanField(
        required=False, label="Everyone keeps quiet hours (people may move theirs, not switch them off)"
    )
    urgent_may_break_quiet = forms.BooleanField(
        required=False, label="Urgent items (hot-debrief calls, same-day cancellations) may reach people in quiet hours"
    )
    monthly_meeting_minutes = forms.IntegerField(
        min_value=0, max_value=100 * 60, label="Meeting-load budget (minutes a month)"
    )


class ReflectionForm(forms.Form):
    """One text box per prompt of the chosen template, each with its own limit (the page
    shows a live counter), plus who may read it."""

    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.PRIVATE, widget=forms.RadioSelect, label="Who may read this"
    )
    cohort = forms.ChoiceField(required=False, label="Cohort (to share with)")
    reaches_later_members = forms.BooleanField(
        required=False,
        label="People who join the cohort later may read it too",
        help_text="Left unticked, it reaches only the people in the cohort (or its facilitators) now.",
    )
    anonymised_checked = forms.BooleanField(
        required=False, label="I've checked: nobody can be identified. Save anyway."
    )

    def __init__(self, *args, template, cohorts=(), meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        for prompt in template.prompts:
            self.fields[f"answer_{prompt.key}"] = forms.CharField(
                label=prompt.question,
                required=False,
                max_length=prompt.max_length,
                widget=forms.Textarea(attrs={"rows": 4, "maxlength": prompt.max_length, "data-counter": "true"}),
            )
        self.order_fields(
            [f"answer_{p.key}" for p in template.prompts] + ["visibility", "cohort", "reaches_later_members"]
        )
        if meeting is not None:
            del self.fields["cohort"]
        else:
            self.fields["cohort"].choices = [("", "—")] + [(c.public_id, c.name) for c in cohorts]

    def answers(self) -> dict[str, str]:
        return {p.key: self.cleaned_data.get(f"answer_{p.key}", "") for p in self.template.prompts}

    def all_text(self) -> str:
        return "\n".join(self.answers().values())


class ActionPointForm(forms.Form):
    what = forms.CharField(max_length=300, label="What")
    owner = forms.ChoiceField(required=False, label="Who")
    due = forms.DateField(required=False, widget=IsoDateInput(), label="By when")

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [(m.public_id, m.user.name) for m in people]


class ReflectionTemplateForm(forms.Form):
    name = forms.CharField(max_length=120, validators=[validate_single_line])
    description = forms.CharField(max_length=300, required=False)
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One question per line, up to 8. Add “| 400” after a question to set its length limit "
        "(20–2000 characters; 500 if you leave it out).",
    )

    def clean_questions(self):
        prompts = []
        for line in self.cleaned_data["questions"].splitlines():
            if not line.strip():
                continue
            question, _, limit = line.partition("|")
            try:
                prompts.append((question.strip(), int(limit) if limit.strip() else 500))
            except ValueError:
                raise ValidationError(f"“{limit.strip()}” is not a number of characters.") from None
        return prompts
