from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sessions_app.attention import budgets, channels, meeting_load
from sessions_app.attention import services as attention_settings
from sessions_app.attention.forms import AttentionSettingsForm
from sessions_app.push.vapid import application_server_key

SETTINGS_FIELDS = (
    "quiet_hours_enabled",
    "quiet_start",
    "quiet_end",
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
    context = {
        **{"form": form, "policy": policy, "effective": effective, "leave": _leave_now(effective, today)},
        "push_key": application_server_key(),
    }
    return render(request, "sessions_app/attention_settings.html", context)


def _leave_now(effective, today) -> str | None:
    """ "current" or "planned" for a leave that is not over yet; None otherwise."""
    if effective.leave_ends is None or effective.leave_ends < today:
        return None
    return "current" if effective.leave_starts <= today else "planned"


def _initial(effective, own, policy) -> dict:
    return {
        "quiet_hours_enabled": budgets.keeps_quiet_hours(policy=policy, settings=own),
        "quiet_start": effective.quiet_start or policy.default_quiet_start,
        "quiet_end": effective.quiet_end or policy.default_quiet_end,
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
