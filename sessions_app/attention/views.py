from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reflect.dates import WEEKDAY_NAMES
from sessions_app.attention import budgets, channels, meeting_load
from sessions_app.attention import services as attention_settings
from sessions_app.attention.forms import DAY_KEYS, AttentionSettingsForm, QuietDatesForm
from sessions_app.attention.models import QuietDateRange
from sessions_app.push.vapid import application_server_key

SETTINGS_FIELDS = (
    "quiet_hours_enabled",
    "weekly_quiet",
    "days_off",
    "daily_cap",
    "weekly_cap",
    "min_gap_minutes",
    "digest_time",
    "reminder_leads",
    "leave_starts",
    "leave_ends",
    "monthly_meeting_minutes",
    "channels",
)


@require_http_methods(["GET", "POST"])
def attention_settings_view(request, org_slug):
    membership = request.membership
    policy = budgets.policy_for(request.organization)
    own = budgets.settings_for(membership)
    effective = budgets.effective_policy(membership=membership, policy=policy, settings=own)
    today = timezone.localdate()  # in the person's zone (UserTimeZoneMiddleware)
    form = AttentionSettingsForm(
        request.POST or None, initial=_initial(effective, own, policy), time_zone=request.user.time_zone, today=today
    )
    if request.method == "POST" and form.is_valid():
        try:
            attention_settings.settings_update(
                membership=membership, **{f: form.cleaned_data[f] for f in SETTINGS_FIELDS}
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved. Reminders already planned now follow your new settings."))
            return redirect("attention_settings", org_slug=org_slug)
    return _settings_page(request, form=form, policy=policy, effective=effective)


def _settings_page(request, *, form, policy, effective, dates_form=None, status=200):
    """The settings page: weekly settings, and the date ranges with a form to add one."""
    context = {
        "form": form,
        "quiet_summary": _quiet_summary(effective.weekly),
        "policy": policy,
        "effective": effective,
        "dates_form": dates_form or QuietDatesForm(),
        "quiet_dates": QuietDateRange.objects.filter(membership=request.membership),
        "leave": _leave_now(effective, timezone.localdate()),  # in the person's zone
        "push_key": application_server_key(),
    }
    return render(request, "sessions_app/attention_settings.html", context, status=status)


@require_POST
def quiet_dates_view(request, org_slug):
    """Add a date range (the form on the settings page) or remove one (its own button)."""
    membership = request.membership
    if "remove" in request.POST:
        if attention_settings.quiet_dates_remove(membership=membership, public_id=request.POST["remove"]):
            messages.success(request, _("Removed those quiet hours. Reminders already planned follow the change."))
        return redirect("attention_settings", org_slug=org_slug)
    dates_form = QuietDatesForm(request.POST)
    if dates_form.is_valid():
        try:
            attention_settings.quiet_dates_add(membership=membership, **dates_form.cleaned_data)
        except ValidationError as error:
            dates_form.add_error(None, error)
        else:
            messages.success(request, _("Added. On those days your quiet hours follow these times."))
            return redirect("attention_settings", org_slug=org_slug)
    policy = budgets.policy_for(request.organization)
    own = budgets.settings_for(membership)
    effective = budgets.effective_policy(membership=membership, policy=policy, settings=own)
    form = AttentionSettingsForm(
        initial=_initial(effective, own, policy), time_zone=request.user.time_zone, today=timezone.localdate()
    )
    return _settings_page(request, form=form, policy=policy, effective=effective, dates_form=dates_form, status=200)


def _quiet_summary(weekly) -> list[tuple[str, tuple | None]]:
    """Runs of weekdays with the same quiet hours, e.g. ("Monday to Friday", (21:00, 07:00))."""
    runs: list[list] = []
    for index, window in enumerate(weekly):
        if runs and runs[-1][2] == window:
            runs[-1][1] = index
        else:
            runs.append([index, index, window])
    return [(_day_span(first, last), window) for first, last, window in runs]


def _day_span(first: int, last: int) -> str:
    if first == last:
        return WEEKDAY_NAMES[first]
    if last == first + 1:
        return _("%(first)s and %(last)s") % {"first": WEEKDAY_NAMES[first], "last": WEEKDAY_NAMES[last]}
    return _("%(first)s to %(last)s") % {"first": WEEKDAY_NAMES[first], "last": WEEKDAY_NAMES[last]}


def _leave_now(effective, today) -> str | None:
    """ "current" or "planned" for a leave that is not over yet; None otherwise."""
    if effective.leave_ends is None or effective.leave_ends < today:
        return None
    return "current" if effective.leave_starts <= today else "planned"


def _initial(effective, own, policy) -> dict:
    weekly = budgets.weekly_from_json(own.weekly_quiet) or (budgets.default_window(policy),) * 7
    days = {}
    for key, window in zip(DAY_KEYS, weekly, strict=True):
        days[f"quiet_{key}_start"], days[f"quiet_{key}_end"] = window or (None, None)
    return {
        **days,
        "quiet_hours_enabled": budgets.keeps_quiet_hours(policy=policy, settings=own),
        "days_off": sorted(effective.days_off),
        "daily_cap": effective.daily_cap,
        "weekly_cap": effective.weekly_cap,
        "min_gap_minutes": int(effective.min_gap.total_seconds() // 60),
        "digest_time": effective.digest_time,
        "reminder_leads": budgets.reminder_leads(policy=policy, settings=own),
        "leave_starts": own.leave_starts,
        "leave_ends": own.leave_ends,
        "monthly_meeting_minutes": own.monthly_meeting_minutes or policy.monthly_meeting_minutes,
        **channels.initial(own.channels),
    }


@require_GET
def meeting_load_review(request, org_slug):
    """Each month over the person's meeting budget, with the meetings they could skip."""
    membership = request.membership
    context = {
        "overloads": meeting_load.overloads(membership),
        "limit": meeting_load.meeting_minutes_limit(membership),
    }
    return render(request, "sessions_app/meeting_load.html", context)


@require_POST
def meeting_load_skip(request, org_slug):
    month = request.POST.get("month", "")
    skipped = meeting_load.meeting_load_skip_surplus(membership=request.membership, month=month)
    messages.success(
        request,
        ngettext(
            "Skipping %(count)d meeting in %(month)s. No need to explain.",
            "Skipping %(count)d meetings in %(month)s. No need to explain.",
            skipped,
        )
        % {"count": skipped, "month": meeting_load.month_name(month) if skipped else month},
    )
    return redirect("meeting_load_review", org_slug=org_slug)
